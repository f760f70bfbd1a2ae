"""AWS encryption: the stack's customer-managed KMS key, its alias and a key policy scoped to the stack.

Every other AWS capability encrypts with this key (buckets, logs, ECR, EKS secrets, SageMaker volumes and
captures, feature stores, SNS, CloudTrail). The key policy never names ``Principal: "*"``:

- key administration goes to the account (so IAM policies of the deploying role decide, and the key can
  never be locked out), without any data-plane action;
- use of the key goes to this stack's IAM roles only (``aws:PrincipalArn`` under the stack's role path);
- grants go only to the AWS services that encrypt the stack's resources (``kms:ViaService``), so the
  deploying role can create an encrypted repository, cluster, feature group or endpoint without reading data;
- AWS services that encrypt on the stack's behalf (CloudWatch Logs, CloudTrail, CloudWatch alarms and AWS
  Budgets publishing to the encrypted SNS topic) get only what they need, bound to this account and, where
  the service supports it, to this stack's resources through the encryption context.
"""

from typing import Any, NotRequired

import pulumi
import pulumi_aws as aws

from components.aws._iam import document, statement
from components.aws._naming import aws_name
from components.aws.args import AwsCapabilityArgs
from components.tagging import capability_options


class AwsEncryptionArgs(AwsCapabilityArgs):
    """Inputs of :class:`AwsEncryption`."""

    rotation_days: int
    """Automatic rotation period (90-365 days on KMS)."""
    node_volumes: NotRequired[bool]
    """Whether EC2 Auto Scaling launches nodes with root volumes on this key (stack has training pools)."""
    self_healing: NotRequired[bool]
    """Whether the stack runs the self-healing controller (its lease table, function and schedule use the
    key)."""


#: Administrative KMS actions (no Encrypt/Decrypt/GenerateDataKey: administrators cannot read data).
ADMIN_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
#: Data-plane actions, spelled out (a key policy's resource "*" is the key itself; no action wildcards).
#: Services that create grants on the key for the resources they encrypt.
GRANT_SERVICES = ("ecr", "eks", "s3", "sagemaker", "sns")
#: Services that encrypt the self-healing controller's resources with the key: the lease table (DynamoDB),
#: the function's environment (Lambda) and the schedule (EventBridge Scheduler).
SELF_HEALING_SERVICES = ("dynamodb", "lambda", "scheduler")
USE_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)


def node_volume_statements(
    account_id: pulumi.Input[str], partition: pulumi.Input[str], region: str
) -> list[dict[str, Any]]:
    """EC2 Auto Scaling creates the training nodes' encrypted root volumes with its service-linked role.

    The role is matched by ``aws:PrincipalArn`` under the account principal, not named as a principal: a key
    policy naming a role that does not exist yet (the role appears with the account's first Auto Scaling
    group) is refused by KMS.
    """
    root = pulumi.Output.format("arn:{0}:iam::{1}:root", partition, account_id)
    autoscaling = pulumi.Output.format(
        "arn:{0}:iam::{1}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
        partition,
        account_id,
    )
    via_ec2 = {"kms:ViaService": f"ec2.{region}.amazonaws.com"}
    return [
        statement(
            "NodeVolumesByAutoScaling",
            USE_ACTIONS,
            "*",
            principal={"AWS": root},
            conditions={"ArnEquals": {"aws:PrincipalArn": autoscaling}},
        ),
        statement(
            "NodeVolumeGrantsByAutoScaling",
            ["kms:CreateGrant"],
            "*",
            principal={"AWS": root},
            conditions={
                "ArnEquals": {"aws:PrincipalArn": autoscaling},
                "Bool": {"kms:GrantIsForAWSResource": "true"},
                "StringEquals": via_ec2,
            },
        ),
    ]


def self_healing_statements(
    account_id: pulumi.Input[str], partition: pulumi.Input[str], region: str
) -> list[dict[str, Any]]:
    """DynamoDB, Lambda and EventBridge Scheduler encrypt the controller's table, environment and schedule
    with the key on behalf of whoever creates or calls them, usually the deploying principal, which is not
    a stack role: they get the data-plane use of the key only through those services (``kms:ViaService``)
    and only for this account's callers. The controller's own role is a stack role already."""
    via = [f"{svc}.{region}.amazonaws.com" for svc in SELF_HEALING_SERVICES]
    return [
        statement(
            "SelfHealingResourcesThroughTheirServices",
            USE_ACTIONS,
            "*",
            principal={"AWS": pulumi.Output.format("arn:{0}:iam::{1}:root", partition, account_id)},
            conditions={"StringEquals": {"kms:ViaService": via, "kms:CallerAccount": account_id}},
        )
    ]


def key_policy(
    account_id: pulumi.Input[str],
    partition: pulumi.Input[str],
    region: str,
    role_path: str,
    node_volumes: bool = False,
    self_healing: bool = False,
) -> pulumi.Output[str]:
    """The key policy: account administration, stack roles' use, and scoped service grants."""
    root = pulumi.Output.format("arn:{0}:iam::{1}:root", partition, account_id)
    stack_roles = pulumi.Output.format("arn:{0}:iam::{1}:role{2}*", partition, account_id, role_path)
    same_account = {"StringEquals": {"aws:SourceAccount": account_id}}
    extra = node_volume_statements(account_id, partition, region) if node_volumes else []
    grant_services = GRANT_SERVICES + (SELF_HEALING_SERVICES if self_healing else ())
    if self_healing:
        extra += self_healing_statements(account_id, partition, region)
    return document(
        [
            statement("KeyAdministrationByAccount", ADMIN_ACTIONS, "*", principal={"AWS": root}),
            statement(
                "UseByStackRoles",
                USE_ACTIONS,
                "*",
                principal={"AWS": root},
                conditions={"ArnLike": {"aws:PrincipalArn": stack_roles}},
            ),
            # Creating an encrypted ECR repository, EKS cluster, feature group or endpoint makes the service
            # create a grant as the deploying principal (which is not a stack role): allowed only for AWS
            # resources of the services the stack uses in its region.
            statement(
                "GrantsToStackServicesForAwsResources",
                ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "*",
                principal={"AWS": root},
                conditions={
                    "Bool": {"kms:GrantIsForAWSResource": "true"},
                    "StringEquals": {
                        "kms:ViaService": [f"{svc}.{region}.amazonaws.com" for svc in grant_services]
                    },
                },
            ),
            # Only actions whose requests carry the log group's encryption context (DescribeKey carries
            # none, so under this condition it could never be allowed); the context key is a string.
            statement(
                "CloudWatchLogsEncryptStackLogGroups",
                [a for a in USE_ACTIONS if a != "kms:DescribeKey"],
                "*",
                principal={"Service": f"logs.{region}.amazonaws.com"},
                conditions={
                    "StringLike": {
                        "kms:EncryptionContext:aws:logs:arn": pulumi.Output.format(
                            "arn:{0}:logs:{1}:{2}:log-group:*", partition, region, account_id
                        )
                    }
                },
            ),
            statement(
                "CloudTrailEncryptLogs",
                ["kms:GenerateDataKey"],
                "*",
                principal={"Service": "cloudtrail.amazonaws.com"},
                conditions={
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.Output.format(
                            "arn:{0}:cloudtrail:*:{1}:trail/*", partition, account_id
                        )
                    },
                },
            ),
            statement(
                "CloudTrailDescribeKey",
                ["kms:DescribeKey"],
                "*",
                principal={"Service": "cloudtrail.amazonaws.com"},
                conditions=same_account,
            ),
            statement(
                "AlarmsAndBudgetsPublishToEncryptedTopic",
                ["kms:Decrypt", "kms:GenerateDataKey"],
                "*",
                principal={"Service": ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]},
                conditions=same_account,
            ),
            *extra,
        ]
    )


class AwsEncryption(pulumi.ComponentResource):
    """The stack's customer-managed KMS key with rotation on, an alias and a scoped key policy."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(self, name: str, args: AwsEncryptionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsEncryption", name, None, capability_options(opts, args["tags"], "encryption")
        )
        child = pulumi.ResourceOptions(parent=self)
        key = aws.kms.Key(
            f"{name}-key",
            description=(
                f"mlkeel stack key for {args['prefix']}: artifacts, features, logs, endpoints, secrets"
            ),
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            rotation_period_in_days=args["rotation_days"],
            deletion_window_in_days=30,
            bypass_policy_lockout_safety_check=False,
            policy=key_policy(
                args["account_id"],
                args["partition"],
                args["region"],
                args["role_path"],
                bool(args.get("node_volumes")),
                bool(args.get("self_healing")),
            ),
            opts=child,
        )
        alias = aws.kms.Alias(
            f"{name}-alias",
            name=aws_name("kms-alias", "alias/mlkeel", args["prefix"], separator="/"),
            target_key_id=key.key_id,
            opts=child,
        )
        self.key_arn = key.arn
        self.key_id = key.key_id
        self.alias_name = alias.name
        self.register_outputs({"key_arn": key.arn, "key_id": key.key_id, "alias_name": alias.name})

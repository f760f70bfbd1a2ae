"""AWS access: IAM roles per persona and the stack's execution roles, least privilege, one boundary.

Every role here sits under the stack's IAM path (``/mlkeel/<team>/<environment>/``, which is what the key
policy trusts) and carries the stack's permissions boundary. Policies are inline and name this stack's
resources by their ARNs (bucket, key, repository, model package group, feature groups, trail); where a
resource is created later or by people at run time (endpoints, training jobs) the ARN is this account and
region plus the stack's name prefix. No statement allows a wildcard action on ``*``, ``iam:PassRole`` is
granted on the two execution roles only and only towards SageMaker, and no ``*FullAccess`` policy is
attached anywhere.

The boundary is the ceiling of all of it: the union of the actions these roles are granted, on the union of
their resources, plus explicit denies that protect the stack itself (the key, the trail, the buckets'
public-access and encryption settings, the boundary).
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any, NotRequired

import pulumi
import pulumi_aws as aws

from components.aws._iam import document, principal_trust, service_trust, statement
from components.aws._naming import aws_name
from components.aws.args import AwsKeyedArgs
from components.tagging import capability_options

PERSONAS = ("data-scientist", "ml-engineer", "platform-admin", "auditor")

#: Read-only list/describe calls that IAM only authorizes on resource "*" (explicit, no wildcards).
LIST_ACTIONS = (
    "sagemaker:ListEndpointConfigs",
    "sagemaker:ListEndpoints",
    "sagemaker:ListFeatureGroups",
    "sagemaker:ListModelPackageGroups",
    "sagemaker:ListModels",
    "sagemaker:ListMonitoringSchedules",
    "sagemaker:ListTrainingJobs",
)
ENI_DESCRIBE = (
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
)
ECR_PULL = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
KMS_USE = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)
#: CloudWatch namespaces the execution roles may publish to (SageMaker's own and the runtime's drift).
METRIC_NAMESPACES = (
    "/aws/sagemaker/Endpoints",
    "/aws/sagemaker/TrainingJobs",
    "aws/sagemaker/Endpoints/data-metrics",
    "mlkeel/ModelMonitoring",
)


class AwsAccessArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsAccess`."""

    personas: dict[str, list[str]]
    """Persona -> IAM principal ARNs allowed to assume it; personas without principals get no role."""
    registry_bucket_arn: NotRequired[pulumi.Input[str] | None]
    repository_arn: NotRequired[pulumi.Input[str] | None]
    model_package_group_arn: NotRequired[pulumi.Input[str] | None]
    model_package_group_name: NotRequired[pulumi.Input[str] | None]
    feature_bucket_arn: NotRequired[pulumi.Input[str] | None]
    feature_group_arns: NotRequired[pulumi.Input[list[str]] | None]
    audit_bucket_arn: NotRequired[pulumi.Input[str] | None]
    trail_arn: NotRequired[pulumi.Input[str] | None]
    image_repository_arns: NotRequired[list[pulumi.Input[str]]]
    """ECR repositories of the served images outside the stack (prebuilt SageMaker images, other repos)."""
    artifact_object_arns: NotRequired[list[pulumi.Input[str]]]
    model_package_arns: NotRequired[list[pulumi.Input[str]]]
    """Model package versions served (the stack's own group is covered as a whole)."""
    """Model archives outside the registry bucket that serving must read (exactly those objects)."""
    subnet_ids: NotRequired[pulumi.Input[list[str]] | None]
    security_group_ids: NotRequired[list[pulumi.Input[str]]]
    cluster_name: NotRequired[str | None]
    budget_name: NotRequired[str | None]
    self_healing: NotRequired[bool]
    """Whether the self-healing controller retrains here: its jobs read ``self-healing/training/``."""


class _Refs:
    """ARNs the policies name, built once from the args (Outputs throughout)."""

    def __init__(self, args: AwsAccessArgs):
        self.args = args
        p, r, a = args["partition"], args["region"], args["account_id"]
        self.sagemaker = lambda res: pulumi.Output.format("arn:{0}:sagemaker:{1}:{2}:{3}", p, r, a, res)
        self.ec2 = lambda res: pulumi.Output.format("arn:{0}:ec2:{1}:{2}:{3}", p, r, a, res)
        self.logs = lambda res: pulumi.Output.format("arn:{0}:logs:{1}:{2}:log-group:{3}", p, r, a, res)
        self.role = lambda name: pulumi.Output.format(
            "arn:{0}:iam::{1}:role{2}{3}", p, a, args["role_path"], name
        )
        prefix = args["prefix"]
        self.endpoints = self.sagemaker(f"endpoint/{prefix}-*")
        self.endpoint_configs = self.sagemaker(f"endpoint-config/{prefix}-*")
        self.models = self.sagemaker(f"model/{prefix}-*")
        self.training_jobs = self.sagemaker(f"training-job/{prefix}-*")
        self.schedules = self.sagemaker(f"monitoring-schedule/{prefix}-*")
        # Every alarm of the stack is named after an endpoint, i.e. starts with the stack prefix.
        self.alarms = pulumi.Output.format("arn:{0}:cloudwatch:{1}:{2}:alarm:{3}-*", p, r, a, prefix)
        self.key = args["encryption_key"]
        self.bucket = args.get("registry_bucket_arn")
        self.feature_bucket = args.get("feature_bucket_arn")
        self.cluster = (
            pulumi.Output.format("arn:{0}:eks:{1}:{2}:cluster/{3}", p, r, a, args["cluster_name"])
            if args.get("cluster_name")
            else None
        )
        self.nodegroups = (
            pulumi.Output.format("arn:{0}:eks:{1}:{2}:nodegroup/{3}/*", p, r, a, args["cluster_name"])
            if args.get("cluster_name")
            else None
        )
        self.budget = (
            pulumi.Output.format("arn:{0}:budgets::{1}:budget/{2}", p, a, args["budget_name"])
            if args.get("budget_name")
            else None
        )

    def objects(self, bucket: pulumi.Input[str] | None, *prefixes: str) -> list[pulumi.Output[str]]:
        if bucket is None:
            return []
        return [pulumi.Output.concat(bucket, f"/{p}*") for p in prefixes]

    def packages(self) -> list[Any]:
        extra = list(self.args.get("model_package_arns") or [])
        group = self.args.get("model_package_group_arn")
        name = self.args.get("model_package_group_name")
        if group is None or name is None:
            return extra
        return [group, self.sagemaker(pulumi.Output.concat("model-package/", name, "/*")), *extra]

    def repositories(self) -> list[Any]:
        repos = [self.args["repository_arn"]] if self.args.get("repository_arn") else []
        return repos + list(self.args.get("image_repository_arns") or [])


# ------------------------------------------------------------------------------------------ statements
def _kms(refs: _Refs) -> list[dict[str, Any]]:
    return [
        statement("UseStackKey", KMS_USE, [refs.key]),
        statement(
            "GrantsForAwsResources",
            ["kms:CreateGrant"],
            [refs.key],
            conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
        ),
    ]


def _ecr_pull(refs: _Refs) -> list[dict[str, Any]]:
    out = [statement("EcrAuthToken", ["ecr:GetAuthorizationToken"], "*")]
    if refs.repositories():
        out.append(statement("PullImages", ECR_PULL, refs.repositories()))
    return out


def _vpc_access(refs: _Refs) -> list[dict[str, Any]]:
    subnets = refs.args.get("subnet_ids")
    groups = list(refs.args.get("security_group_ids") or [])
    resources: list[Any] = [refs.ec2("network-interface/*")]
    if subnets is not None:
        region = refs.args["region"]
        resources.append(
            pulumi.Output.all(refs.args["partition"], refs.args["account_id"], subnets).apply(
                lambda v: [f"arn:{v[0]}:ec2:{region}:{v[1]}:subnet/{i}" for i in v[2]]
            )
        )
    resources.extend(refs.ec2(pulumi.Output.concat("security-group/", g)) for g in groups)
    flat = pulumi.Output.all(*resources).apply(
        lambda items: sorted({x for item in items for x in (item if isinstance(item, list) else [item])})
    )
    return [
        statement("DescribeNetwork", ENI_DESCRIBE, "*"),
        statement(
            "NetworkInterfacesInStackVpc",
            [
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            flat,
        ),
    ]


def _logs_and_metrics(refs: _Refs, log_prefix: str) -> list[dict[str, Any]]:
    return [
        statement(
            "WriteJobLogs",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            [refs.logs(f"{log_prefix}*"), refs.logs(f"{log_prefix}*:log-stream:*")],
        ),
        statement(
            "PublishMetrics",
            ["cloudwatch:PutMetricData"],
            "*",
            conditions={"StringEquals": {"cloudwatch:namespace": list(METRIC_NAMESPACES)}},
        ),
    ]


def execution_statements(refs: _Refs) -> list[dict[str, Any]]:
    """SageMaker execution role: serve models, capture data, run data-quality monitoring jobs."""
    out = _kms(refs) + _ecr_pull(refs) + _vpc_access(refs) + _logs_and_metrics(refs, "/aws/sagemaker/")
    if refs.bucket is not None:
        out += [
            statement(
                "ReadModelsAndBaselines",
                ["s3:GetObject"],
                refs.objects(refs.bucket, "models/", "monitoring/", "data-capture/"),
            ),
            statement(
                "WriteCaptureAndReports",
                ["s3:PutObject"],
                refs.objects(refs.bucket, "data-capture/", "monitoring/"),
            ),
            statement("ListRegistryBucket", ["s3:GetBucketLocation", "s3:ListBucket"], [refs.bucket]),
        ]
    external = list(refs.args.get("artifact_object_arns") or [])
    if external:
        out.append(statement("ReadExternalModelArchives", ["s3:GetObject"], external))
    if refs.packages():
        out.append(
            statement(
                "ReadModelPackages",
                ["sagemaker:DescribeModelPackage", "sagemaker:DescribeModelPackageGroup"],
                refs.packages(),
            )
        )
    return out


def training_statements(refs: _Refs) -> list[dict[str, Any]]:
    """Managed spot training jobs: read data and models, write checkpoints and outputs."""
    out = (
        _kms(refs)
        + _ecr_pull(refs)
        + _vpc_access(refs)
        + _logs_and_metrics(refs, "/aws/sagemaker/TrainingJobs")
    )
    if refs.bucket is not None:
        # The self-healing controller writes each retrain's input under self-healing/training/<job>/.
        inputs = ("datasets/", "models/") + (
            ("self-healing/training/",) if refs.args.get("self_healing") else ()
        )
        out += [
            statement("ReadTrainingInputs", ["s3:GetObject"], refs.objects(refs.bucket, *inputs)),
            statement(
                "ReadWriteCheckpointsAndOutputs",
                ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                refs.objects(refs.bucket, "checkpoints/", "training-output/"),
            ),
            statement("ListRegistryBucket", ["s3:GetBucketLocation", "s3:ListBucket"], [refs.bucket]),
        ]
    if refs.feature_bucket is not None:
        out += [
            statement(
                "ReadOfflineFeatures", ["s3:GetObject"], refs.objects(refs.feature_bucket, "offline-store/")
            ),
            statement("ListFeatureBucket", ["s3:GetBucketLocation", "s3:ListBucket"], [refs.feature_bucket]),
        ]
    return out


def _read_stack(refs: _Refs) -> list[dict[str, Any]]:
    out = [
        statement("ListStackResources", LIST_ACTIONS, "*"),
        statement(
            "DescribeStackServing",
            [
                "sagemaker:DescribeEndpoint",
                "sagemaker:DescribeEndpointConfig",
                "sagemaker:DescribeModel",
                "sagemaker:DescribeMonitoringSchedule",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:ListTags",
            ],
            [refs.endpoints, refs.endpoint_configs, refs.models, refs.training_jobs, refs.schedules],
        ),
        # Metric reads are only authorized on "*"; alarms have ARNs, so alarm reads name the stack's alarms.
        statement("ReadMetrics", ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"], "*"),
        statement("ReadStackAlarms", ["cloudwatch:DescribeAlarms"], [refs.alarms]),
    ]
    if refs.packages():
        out.append(
            statement(
                "ReadModelRegistry",
                [
                    "sagemaker:DescribeModelPackage",
                    "sagemaker:DescribeModelPackageGroup",
                    "sagemaker:ListModelPackages",
                ],
                refs.packages(),
            )
        )
    groups = refs.args.get("feature_group_arns")
    if groups is not None:
        out.append(statement("DescribeFeatureGroups", ["sagemaker:DescribeFeatureGroup"], groups))
    return out


def _pass_roles(refs: _Refs, names: Sequence[str]) -> dict[str, Any]:
    return statement(
        "PassExecutionRolesToSageMaker",
        ["iam:PassRole"],
        [refs.role(n) for n in names],
        conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
    )


def persona_statements(persona: str, refs: _Refs, exec_names: Sequence[str]) -> list[dict[str, Any]]:
    """What each persona may do in this stack (and nothing outside it)."""
    read = _read_stack(refs)
    if persona == "auditor":
        out = [
            *read,
            statement("LookupTrailEvents", ["cloudtrail:LookupEvents"], "*"),
            statement(
                "ReadStackLogs",
                ["logs:FilterLogEvents", "logs:GetLogEvents"],
                [refs.logs(f"mlkeel/{refs.args['prefix']}/*"), refs.logs("/aws/sagemaker/*")],
            ),
            statement("DecryptStackData", ["kms:Decrypt", "kms:DescribeKey"], [refs.key]),
        ]
        if refs.args.get("trail_arn"):
            out.append(
                statement(
                    "ReadTrail",
                    ["cloudtrail:GetEventSelectors", "cloudtrail:GetTrail", "cloudtrail:GetTrailStatus"],
                    [refs.args["trail_arn"]],
                )
            )
        if refs.args.get("audit_bucket_arn"):
            bucket = refs.args["audit_bucket_arn"]
            out.append(statement("ReadAuditLogs", ["s3:GetObject"], refs.objects(bucket, "")))
            out.append(statement("ListAuditBucket", ["s3:GetBucketLocation", "s3:ListBucket"], [bucket]))
        if refs.budget is not None:
            out.append(statement("ViewBudget", ["budgets:ViewBudget"], [refs.budget]))
        return out
    out = read + _kms(refs) + _ecr_pull(refs)
    out.append(statement("InvokeStackEndpoints", ["sagemaker:InvokeEndpoint"], [refs.endpoints]))
    if refs.bucket is not None:
        out += [
            statement("ReadRegistry", ["s3:GetObject"], refs.objects(refs.bucket, "")),
            statement(
                "WriteDatasetsAndModels", ["s3:PutObject"], refs.objects(refs.bucket, "datasets/", "models/")
            ),
            statement("ListRegistryBucket", ["s3:GetBucketLocation", "s3:ListBucket"], [refs.bucket]),
        ]
    groups = refs.args.get("feature_group_arns")
    if groups is not None:
        actions = ["sagemaker:BatchGetRecord", "sagemaker:GetRecord"]
        if persona != "data-scientist":
            actions += ["sagemaker:DeleteRecord", "sagemaker:PutRecord"]
        out.append(statement("UseFeatureGroups", actions, groups))
    if refs.feature_bucket is not None:
        out.append(
            statement(
                "ReadOfflineFeatures", ["s3:GetObject"], refs.objects(refs.feature_bucket, "offline-store/")
            )
        )
    if persona in ("data-scientist", "ml-engineer"):
        # A condition only holds for actions whose requests carry its key: StopTrainingJob never carries
        # sagemaker:VolumeKmsKey, so it gets a statement of its own (else stopping a job is always denied).
        out.append(
            statement(
                "StartTrainingJobsOnStackKey",
                ["sagemaker:CreateTrainingJob"],
                [refs.training_jobs],
                conditions={"ArnEquals": {"sagemaker:VolumeKmsKey": refs.key}},
            )
        )
        out.append(statement("StopTrainingJobs", ["sagemaker:StopTrainingJob"], [refs.training_jobs]))
        out.append(_pass_roles(refs, exec_names))
    if persona == "ml-engineer":
        if refs.packages():
            out.append(
                statement(
                    "RegisterAndApproveModels",
                    ["sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage"],
                    refs.packages(),
                )
            )
        if refs.args.get("repository_arn"):
            out.append(
                statement(
                    "PushImages",
                    [
                        "ecr:CompleteLayerUpload",
                        "ecr:InitiateLayerUpload",
                        "ecr:PutImage",
                        "ecr:UploadLayerPart",
                    ],
                    [refs.args["repository_arn"]],
                )
            )
    if persona in ("ml-engineer", "platform-admin") and refs.cluster is not None:
        out.append(
            statement(
                "UseTrainingCluster", ["eks:AccessKubernetesApi", "eks:DescribeCluster"], [refs.cluster]
            )
        )
    if persona == "platform-admin":
        # UpdateEndpoint is authorized on the endpoint and on the configuration it switches to.
        out.append(
            statement(
                "UpdateEndpoints", ["sagemaker:UpdateEndpoint"], [refs.endpoints, refs.endpoint_configs]
            )
        )
        out.append(
            statement("ScaleEndpoints", ["sagemaker:UpdateEndpointWeightsAndCapacities"], [refs.endpoints])
        )
        out.append(
            statement(
                "OperateMonitoring",
                ["sagemaker:StartMonitoringSchedule", "sagemaker:StopMonitoringSchedule"],
                [refs.schedules],
            )
        )
        if refs.nodegroups is not None:
            out.append(
                statement(
                    "OperateNodeGroups",
                    ["eks:DescribeNodegroup", "eks:UpdateNodegroupConfig"],
                    [refs.nodegroups],
                )
            )
        if refs.budget is not None:
            out.append(statement("ViewBudget", ["budgets:ViewBudget"], [refs.budget]))
    return out


#: IAM's limit on a managed policy, in characters without whitespace.
MANAGED_POLICY_LIMIT = 6144


def _ceiling(resource: str) -> str:
    """A boundary resource: object ARNs widen to their bucket's objects
    (the roles keep the exact prefixes)."""
    if ":s3:::" in resource and "/" in resource:
        return resource.split("/", 1)[0] + "/*"
    return resource


def policy_size(policy: str) -> int:
    """Characters IAM counts against a policy's size limit (whitespace is not counted)."""
    return len(re.sub(r"\s", "", policy))


def _checked_size(policy: str) -> str:
    size = policy_size(policy)
    if size > MANAGED_POLICY_LIMIT:
        raise ValueError(
            f"the permissions boundary is {size} characters, over IAM's {MANAGED_POLICY_LIMIT}; "
            "map fewer personas in this stack or split the stack"
        )
    return policy


def boundary_statements(
    all_allows: Sequence[Mapping[str, Any]], refs: _Refs, boundary_arn: pulumi.Input[str]
) -> list[dict[str, Any]]:
    """The permissions boundary: the union of the roles' grants (split by resource '*' or not) plus denies."""
    star_actions: set[str] = set()
    scoped_actions: set[str] = set()
    resources: list[Any] = []
    for stmt in all_allows:
        actions = stmt["Action"]
        if stmt["Resource"] == "*":
            star_actions.update(actions)
        else:
            scoped_actions.update(actions)
            res = stmt["Resource"]
            resources.extend(res if isinstance(res, list) else [res])
    flat = pulumi.Output.all(*resources).apply(
        lambda items: sorted(
            {_ceiling(x) for item in items for x in (item if isinstance(item, list) else [item])}
        )
    )
    out = [
        statement("CeilingOnStackResources", sorted(scoped_actions), flat),
        statement("CeilingOnUnscopedReads", sorted(star_actions), "*"),
        statement(
            "DenyBoundaryChanges",
            [
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            ],
            [boundary_arn],
            effect="Deny",
        ),
        statement(
            "DenyBoundaryRemoval",
            [
                "iam:DeleteRolePermissionsBoundary",
                "iam:DeleteUserPermissionsBoundary",
                "iam:PutRolePermissionsBoundary",
                "iam:PutUserPermissionsBoundary",
            ],
            "*",
            effect="Deny",
        ),
        statement(
            "DenyKeyDestruction",
            ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
            [refs.key],
            effect="Deny",
        ),
    ]
    buckets = [
        b for b in (refs.bucket, refs.feature_bucket, refs.args.get("audit_bucket_arn")) if b is not None
    ]
    if buckets:
        out.append(
            statement(
                "DenyBucketExposure",
                [
                    "s3:DeleteBucketPolicy",
                    "s3:PutBucketAcl",
                    "s3:PutBucketPolicy",
                    "s3:PutBucketPublicAccessBlock",
                    "s3:PutEncryptionConfiguration",
                ],
                buckets,
                effect="Deny",
            )
        )
    if refs.args.get("trail_arn"):
        out.append(
            statement(
                "DenyAuditTampering",
                [
                    "cloudtrail:DeleteTrail",
                    "cloudtrail:PutEventSelectors",
                    "cloudtrail:StopLogging",
                    "cloudtrail:UpdateTrail",
                ],
                [refs.args["trail_arn"]],
                effect="Deny",
            )
        )
    return out


class AwsAccess(pulumi.ComponentResource):
    """Persona roles, SageMaker execution and training-job roles, one permissions boundary."""

    boundary_arn: pulumi.Output[str]
    execution_role_arn: pulumi.Output[str]
    training_role_arn: pulumi.Output[str]
    persona_role_arns: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: AwsAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsAccess", name, None, capability_options(opts, args["tags"], "access")
        )
        child = pulumi.ResourceOptions(parent=self)
        prefix = args["prefix"]
        refs = _Refs(args)
        exec_name = aws_name("iam-role", prefix, "sagemaker-execution")
        train_name = aws_name("iam-role", prefix, "training-jobs")
        boundary_name = aws_name("iam-policy", prefix, "boundary")
        boundary_arn = pulumi.Output.format(
            "arn:{0}:iam::{1}:policy{2}{3}",
            args["partition"],
            args["account_id"],
            args["role_path"],
            boundary_name,
        )
        role_statements: dict[str, list[dict[str, Any]]] = {
            "sagemaker-execution": execution_statements(refs),
            "training-jobs": training_statements(refs),
        }
        personas = {p: sorted(set(args["personas"].get(p) or [])) for p in PERSONAS}
        for persona, principals in personas.items():
            if principals:
                role_statements[persona] = persona_statements(persona, refs, [exec_name, train_name])
        allows = [s for stmts in role_statements.values() for s in stmts if s["Effect"] == "Allow"]
        boundary = aws.iam.Policy(
            f"{name}-boundary",
            name=boundary_name,
            path=args["role_path"],
            description=f"Permissions boundary of every role in {prefix}",
            policy=document(boundary_statements(allows, refs, boundary_arn)).apply(_checked_size),
            opts=child,
        )

        def role(role_key: str, role_name: str, trust: pulumi.Output[str], description: str) -> aws.iam.Role:
            created = aws.iam.Role(
                f"{name}-{role_key}",
                name=role_name,
                path=args["role_path"],
                description=description,
                assume_role_policy=trust,
                permissions_boundary=boundary.arn,
                max_session_duration=3600,
                opts=child,
            )
            aws.iam.RolePolicy(
                f"{name}-{role_key}-policy",
                name=f"{role_key}-least-privilege",
                role=created.id,
                policy=document(role_statements[role_key]),
                opts=child,
            )
            return created

        execution = role(
            "sagemaker-execution",
            exec_name,
            service_trust(["sagemaker.amazonaws.com"], args["account_id"]),
            "SageMaker models, endpoints and data-quality monitoring of this stack",
        )
        training = role(
            "training-jobs",
            train_name,
            service_trust(["sagemaker.amazonaws.com"], args["account_id"]),
            "SageMaker managed spot training jobs of this stack (checkpoints in the registry bucket)",
        )
        persona_arns: dict[str, pulumi.Output[str]] = {}
        for persona, principals in personas.items():
            if principals:
                created = role(
                    persona,
                    aws_name("iam-role", prefix, persona),
                    principal_trust(principals),
                    f"Persona '{persona}' in {prefix}",
                )
                persona_arns[persona] = created.arn
        self.boundary_arn = boundary.arn
        self.execution_role_arn = execution.arn
        self.training_role_arn = training.arn
        self.persona_role_arns = (
            pulumi.Output.all(**persona_arns) if persona_arns else pulumi.Output.from_input({})
        )
        # Plan-time attribute (not a schema output): persona -> role ARN, for EKS access entries.
        self.persona_roles: dict[str, pulumi.Output[str]] = dict(persona_arns)
        self.register_outputs(
            {
                "boundary_arn": boundary.arn,
                "execution_role_arn": execution.arn,
                "training_role_arn": training.arn,
                "persona_role_arns": self.persona_role_arns,
            }
        )

"""AWS self-healing runner: EventBridge Scheduler invokes a Lambda function built from the runtime's image.

Why Lambda and not an ECS Fargate task: one controller run observes, decides and *starts* work (a managed
spot training job, an endpoint update) and records what it started; it never waits for a training job or a
canary to finish, because the next run resumes from the recorded state. A run is therefore minutes long,
well inside Lambda's 15 minutes, and Lambda needs no cluster, no task networking and no capacity of its own.
The function's timeout is Lambda's maximum, its reserved concurrency is 1 (the lease table is the real lock;
the concurrency limit makes a second scheduled invocation wait instead of racing), and a run that fails
after the asynchronous retries lands in the stack's alert topic (the function's dead-letter target).

What it creates, all named from the stack prefix:

- a DynamoDB **lease table** (``<prefix>-self-healing-lease``, key ``lease``): on-demand, encrypted with the
  stack key, point-in-time recovery and deletion protection on; the controller takes a lease with a
  conditional write before acting;
- the function's **log group** (``/aws/lambda/<function>``), encrypted with the stack key, with the stack's
  log retention;
- the **runtime role**: exactly the calls the controller makes (``CONTROLLER_GRANTS``, one entry per call in
  the controller's contract), each on this stack's resources; ``"*"`` only where IAM has no resource-level
  permission (:data:`NO_RESOURCE_LEVEL`);
- an ECR **repository policy** letting the Lambda service pull the image for this function only;
- the **function** (container image from the stack's ECR repository, in the stack's private subnets when it
  has a network, environment encrypted with the stack key);
- the **schedule** (the spec's ``selfHealing.schedule``), encrypted with the stack key, with its own role that
  may invoke this function and nothing else.
"""

import json
from collections.abc import Sequence
from typing import Any, NotRequired

import pulumi
import pulumi_aws as aws

from components.aws._iam import document, service_trust, statement
from components.aws._naming import NameRule, aws_name
from components.aws.args import AwsKeyedArgs
from components.naming import physical_name
from components.tagging import capability_options

# No `from __future__ import annotations`: Pulumi's component analyzer reads these annotations at run time.

#: The controller's Lambda handler and container command (``runtime.self_healing``'s entry points).
HANDLER = "runtime.self_healing.handler.handle"
CONTAINER_COMMAND = ["python", "-m", "runtime.self_healing"]
#: The one environment variable the controller reads its configuration from (a JSON document).
CONFIG_VARIABLE = "MLKEEL_SELF_HEALING_CONFIG"
#: Lambda's limit on all environment variables of a function together (bytes).
LAMBDA_ENVIRONMENT_LIMIT = 4096
#: The tag of the runtime image in the stack's repository (repositories refuse tag overwrites, so the tag
#: names the mlkeel version that built it; see docs/self-healing.md "Inside the stack").
IMAGE_TAG = "self-healing-0.1.0"
#: Lambda's longest run; one controller run starts work and never waits for it (module docstring).
TIMEOUT_SECONDS = 900
MEMORY_MIB = 2048
LEASE_KEY = "lease"
#: Where the controller writes and reads in the registry bucket (runtime/self_healing's bucket layout).
READ_PREFIXES = ("data-capture/", "labels/", "models/", "self-healing/", "training-output/")
WRITE_PREFIXES = ("self-healing/",)
METRIC_NAMESPACE = "mlkeel/ModelMonitoring"
#: The cost tag ``component`` of everything here: the loop is model monitoring that acts (the tag's values
#: are a closed list, ``mlkeel.tags``), so finance sees it with the alarms and data-quality jobs.
COST_COMPONENT = "monitoring"

#: Name rules of the services only this capability names (API references' documented constraints).
RULES = {
    # Lambda CreateFunction: 1-64 (a name, not an ARN), [a-zA-Z0-9-_]+.
    "lambda": NameRule(
        "Lambda function", 1, 64, r"[a-zA-Z0-9_-]+", "a-zA-Z0-9_-", "letters, digits, - and _"
    ),
    # DynamoDB CreateTable: 3-255, [a-zA-Z0-9_.-]+.
    "dynamodb-table": NameRule(
        "DynamoDB table", 3, 255, r"[a-zA-Z0-9_.-]+", "a-zA-Z0-9_.-", "letters, digits, '_', '.' and '-'"
    ),
    # EventBridge Scheduler CreateSchedule: 1-64, [0-9a-zA-Z-_.]+.
    "schedule": NameRule(
        "EventBridge schedule", 1, 64, r"[0-9a-zA-Z_.-]+", "a-zA-Z0-9_.-", "letters, digits, '_', '.' and '-'"
    ),
}

#: Actions IAM authorizes only on resource ``"*"`` (no resource types in the Service Authorization
#: Reference): the only statements of the runtime role with ``"*"``.
NO_RESOURCE_LEVEL = (
    "cloudwatch:GetMetricData",
    "cloudwatch:PutMetricData",
    "ec2:DescribeNetworkInterfaces",
)

#: Every call of the controller (runtime/self_healing, "Every AWS call" of its contract) -> the scope it is
#: granted on. Scopes are resolved per stack by :func:`runtime_statements`.
CONTROLLER_GRANTS: dict[str, str] = {
    "s3:ListBucket": "bucket",
    "s3:GetObject": "read-prefixes",
    "s3:PutObject": "write-prefixes",
    "kms:Decrypt": "key",
    "kms:GenerateDataKey": "key",
    "dynamodb:UpdateItem": "lease-table",
    "dynamodb:DeleteItem": "lease-table",
    "sagemaker:DescribeEndpoint": "endpoints",
    # IAM checks UpdateEndpoint on the endpoint and on the configuration it switches to, in one request.
    "sagemaker:UpdateEndpoint": "endpoint-update",
    # The endpoint's current configuration, whatever serving named it (all of them start with the prefix).
    "sagemaker:DescribeEndpointConfig": "stack-endpoint-configs",
    "sagemaker:CreateEndpointConfig": "endpoint-configs",
    "sagemaker:DescribeModel": "models",
    "sagemaker:CreateModel": "models",
    "sagemaker:CreateTrainingJob": "training-jobs",
    "sagemaker:DescribeTrainingJob": "training-jobs",
    "sagemaker:AddTags": "training-jobs",
    "sagemaker:CreateModelPackage": "model-packages",
    "sagemaker:UpdateModelPackage": "model-packages",
    "sagemaker:ListModelPackages": "model-packages",
    "iam:PassRole": "sagemaker-roles",
    "cloudwatch:PutMetricData": "metric-namespace",
    "cloudwatch:DescribeAlarms": "alarms",
    "cloudwatch:GetMetricData": "*",
    "sns:Publish": "topic",
    # The month's spend from the stack's own budget (scoped to its ARN), not Cost Explorer (only "*").
    "budgets:ViewBudget": "budget",
}
#: What running as a Lambda function needs beyond the controller's calls: its own log stream and (in a
#: VPC) its network interfaces. No X-Ray: tracing would add two actions on ``"*"`` for a once-an-hour batch
#: run whose every call is already in the audit log.
RUNNER_GRANTS: dict[str, str] = {
    "logs:CreateLogStream": "log-group",
    "logs:PutLogEvents": "log-group",
}
VPC_GRANTS: dict[str, str] = {
    "ec2:DescribeNetworkInterfaces": "*",
    "ec2:CreateNetworkInterface": "network",
    "ec2:DeleteNetworkInterface": "network-interfaces",
    "ec2:AssignPrivateIpAddresses": "network-interfaces",
    "ec2:UnassignPrivateIpAddresses": "network-interfaces",
}


def self_healing_name(kind: str, prefix: str, role: str) -> str:
    """``<prefix>-<role>`` valid for ``kind`` (a key of :data:`RULES` or of the shared AWS rules)."""
    if kind not in RULES:
        return aws_name(kind, prefix, role)
    rule = RULES[kind]
    name = physical_name(prefix, role, max_length=rule.max_length, lowercase=True, allowed=rule.allowed)
    problem = rule.problem(name)
    if problem:
        raise ValueError(f"name '{name}' (from prefix '{prefix}', role '{role}'): {problem}")
    return name


def lease_table_name(prefix: str) -> str:
    """The lease table's name: the network needs it before the table exists (its gateway endpoint names
    it)."""
    return self_healing_name("dynamodb-table", prefix, "self-healing-lease")


class AwsSelfHealingArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsSelfHealing`."""

    stack: str
    """The stack's prefix (``<team>-<environment>``), the controller's name for it."""
    residency_zone: str
    schedule: str
    """EventBridge Scheduler expression (``rate(...)`` or ``cron(...)``) from ``selfHealing.schedule``."""
    policy: dict[str, Any]
    """The spec's ``selfHealing`` section (snake_case), handed to the controller as its decision policy."""
    repository_arn: pulumi.Input[str]
    repository_url: pulumi.Input[str]
    image_tag: NotRequired[str]
    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    model_package_group_name: pulumi.Input[str]
    endpoint_names: list[pulumi.Input[str]]
    alarms: dict[str, list[pulumi.Input[str]]]
    """Endpoint name -> names of its rollback alarms (from monitoring)."""
    rollout: dict[str, dict[str, Any]]
    """Endpoint name -> ``{strategy, canary_percent, wait_minutes}`` (from the serving spec)."""
    training_role_arn: pulumi.Input[str]
    model_role_arn: pulumi.Input[str]
    topic_arn: NotRequired[pulumi.Input[str] | None]
    subnet_ids: NotRequired[pulumi.Input[list[str]] | None]
    security_group_ids: NotRequired[list[pulumi.Input[str]]]
    log_retention_days: int
    monthly_budget_usd: NotRequired[float | None]
    budget_name: NotRequired[str | None]
    """The stack's AWS Budget (components/budget), whose actual spend the controller reads; None: no
    budget."""
    cost_export_uri: NotRequired[str | None]
    """``s3://bucket/prefix/`` of the account's cost export (``budget.costExportS3Uri``): the guard's
    figure when Budgets cannot be reached from private subnets. The role may read exactly that prefix."""


class _Scopes:
    """The resources each scope of :data:`CONTROLLER_GRANTS` names, for one stack (Outputs throughout)."""

    def __init__(self, args: AwsSelfHealingArgs, table_arn: pulumi.Input[str], log_group_arn: Any):
        p, r, a = args["partition"], args["region"], args["account_id"]
        prefix = args["prefix"]

        def sagemaker(resource: pulumi.Input[str]) -> pulumi.Output[str]:
            return pulumi.Output.format("arn:{0}:sagemaker:{1}:{2}:{3}", p, r, a, resource)

        def ec2(resource: pulumi.Input[str]) -> pulumi.Output[str]:
            return pulumi.Output.format("arn:{0}:ec2:{1}:{2}:{3}", p, r, a, resource)

        bucket = args["bucket_arn"]
        endpoints = list(args["endpoint_names"])
        group = args["model_package_group_name"]
        self.network_interfaces = [ec2("network-interface/*")]
        network: list[Any] = list(self.network_interfaces)
        subnets = args.get("subnet_ids")
        if subnets is not None:
            network.append(
                pulumi.Output.all(p, a, subnets).apply(
                    lambda v: [f"arn:{v[0]}:ec2:{r}:{v[1]}:subnet/{s}" for s in v[2]]
                )
            )
        network += [
            ec2(pulumi.Output.concat("security-group/", g)) for g in args.get("security_group_ids") or []
        ]
        self.resources: dict[str, Any] = {
            "*": "*",
            "bucket": [bucket],
            "read-prefixes": [pulumi.Output.concat(bucket, f"/{x}*") for x in READ_PREFIXES],
            "write-prefixes": [pulumi.Output.concat(bucket, f"/{x}*") for x in WRITE_PREFIXES],
            "key": [args["encryption_key"]],
            "lease-table": [table_arn],
            "endpoints": [sagemaker(pulumi.Output.concat("endpoint/", e)) for e in endpoints],
            "endpoint-configs": [
                sagemaker(pulumi.Output.concat("endpoint-config/", e, "-*")) for e in endpoints
            ],
            "models": [sagemaker(f"model/{prefix}-*")],
            "stack-endpoint-configs": [sagemaker(f"endpoint-config/{prefix}-*")],
            "endpoint-update": [
                *[sagemaker(pulumi.Output.concat("endpoint/", e)) for e in endpoints],
                *[sagemaker(pulumi.Output.concat("endpoint-config/", e, "-*")) for e in endpoints],
            ],
            "training-jobs": [sagemaker(f"training-job/{prefix}-*")],
            "model-packages": [
                sagemaker(pulumi.Output.concat("model-package-group/", group)),
                sagemaker(pulumi.Output.concat("model-package/", group, "/*")),
            ],
            "sagemaker-roles": [args["training_role_arn"], args["model_role_arn"]],
            "metric-namespace": "*",
            "alarms": [
                pulumi.Output.format("arn:{0}:cloudwatch:{1}:{2}:alarm:{3}-*", p, r, a, e) for e in endpoints
            ],
            "topic": [args["topic_arn"]] if args.get("topic_arn") else [],
            # Budgets ARNs have no region: arn:<partition>:budgets::<account>:budget/<name>.
            "budget": (
                [pulumi.Output.format("arn:{0}:budgets::{1}:budget/{2}", p, a, args["budget_name"])]
                if args.get("budget_name")
                else []
            ),
            "log-group": [log_group_arn, pulumi.Output.concat(log_group_arn, ":log-stream:*")],
            "network": pulumi.Output.all(*network).apply(
                lambda items: sorted({x for i in items for x in (i if isinstance(i, list) else [i])})
            ),
            "network-interfaces": self.network_interfaces,
        }
        self.conditions: dict[str, dict[str, Any]] = {
            "sagemaker-roles": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            "metric-namespace": {"StringEquals": {"cloudwatch:namespace": METRIC_NAMESPACE}},
        }


def _sid(scope: str, actions: Sequence[str]) -> str:
    services = sorted({a.split(":", 1)[0] for a in actions})
    words = [*services, *scope.split("-")] if scope != "*" else [*services, "no", "resource", "level"]
    return "".join(w[:1].upper() + w[1:] for w in words if w.isalnum())


#: The controller's calls a pod in the stack's EKS cluster makes: all of them but the DynamoDB lease (its
#: lock is the namespace's ``coordination.k8s.io`` Lease, through the Kubernetes API, not IAM).
POD_GRANTS: dict[str, str] = {a: s for a, s in CONTROLLER_GRANTS.items() if s != "lease-table"}


def runtime_statements(
    args: AwsSelfHealingArgs, table_arn: pulumi.Input[str], log_group_arn: Any, runner: str = "lambda"
) -> list[dict[str, Any]]:
    """The runtime role's statements: one per scope, each naming this stack's resources of that scope.

    One policy for both runners, so the Lambda function and the CronJob's pods can never drift apart in what
    the controller may do: ``lambda`` adds what running as a function needs (its log stream, its network
    interfaces); ``kubernetes`` (EKS Pod Identity) drops the DynamoDB lease, which the Kubernetes Lease
    replaces, and needs nothing of its own (the kubelet ships its logs; the node owns the interfaces).
    """
    if runner == "kubernetes":
        grants = dict(POD_GRANTS)
    else:
        grants = {**CONTROLLER_GRANTS, **RUNNER_GRANTS}
        if args.get("subnet_ids") is not None:
            grants.update(VPC_GRANTS)
    scopes = _Scopes(args, table_arn, log_group_arn)
    by_scope: dict[str, list[str]] = {}
    for action, scope in grants.items():
        resources = scopes.resources[scope]
        if isinstance(resources, list) and not resources:
            continue  # nothing of that kind in this stack (no topic, no endpoint yet): no grant at all
        by_scope.setdefault(scope, []).append(action)
    out = []
    for scope, actions in sorted(by_scope.items()):
        out.append(
            statement(
                _sid(scope, actions),
                actions,
                scopes.resources[scope],
                conditions=scopes.conditions.get(scope),
            )
        )
    return out + cost_export_statements(args)


def cost_export_statements(args: AwsSelfHealingArgs) -> list[dict[str, Any]]:
    """Read on the cost export's prefix only: list the bucket under that prefix, get the objects below it.

    Why apart from :data:`CONTROLLER_GRANTS`: the export's bucket is the account's (often a central
    billing bucket), not the stack's, and the grant exists only when ``budget.costExportS3Uri`` is set.
    The controller lists with ``Prefix`` exactly the URI's prefix, so ``s3:prefix`` is matched exactly.
    """
    uri = args.get("cost_export_uri")
    if not uri:
        return []
    from runtime.cost._actuals import parse_export_uri

    bucket, prefix = parse_export_uri(uri)
    arn = pulumi.Output.format("arn:{0}:s3:::{1}", args["partition"], bucket)
    return [
        statement(
            "S3CostExportList",
            ["s3:ListBucket"],
            [arn],
            conditions={"StringEquals": {"s3:prefix": prefix}},
        ),
        statement("S3CostExportRead", ["s3:GetObject"], [pulumi.Output.concat(arn, f"/{prefix}*")]),
    ]


def controller_config(
    args: AwsSelfHealingArgs, table_name: pulumi.Input[str], pushgateway_url: pulumi.Input[str] | None = None
) -> pulumi.Output[str]:
    """The controller's one configuration document (``MLKEEL_SELF_HEALING_CONFIG``), at most Lambda's
    environment limit (a stack too large for it fails the plan, naming the size, not the first run)."""
    config = {
        "stack": args["stack"],
        "region": args["region"],
        "residency_zone": args["residency_zone"],
        "bucket": args["bucket_name"],
        "kms_key_arn": args["encryption_key"],
        "endpoints": list(args["endpoint_names"]),
        "model_package_group": args["model_package_group_name"],
        "lease_table": table_name,
        "topic_arn": args.get("topic_arn"),
        "training_role_arn": args["training_role_arn"],
        "model_role_arn": args["model_role_arn"],
        "subnet_ids": args.get("subnet_ids") or [],
        "security_group_ids": list(args.get("security_group_ids") or []),
        "monthly_budget_usd": args.get("monthly_budget_usd"),
        "budget_name": args.get("budget_name"),
        "cost_tags": dict(args["tags"]),
        "alarms": {k: list(v) for k, v in args["alarms"].items()},
        "rollout": args["rollout"],
        "policy": args["policy"],
    }
    if args.get("cost_export_uri"):  # only when set: stacks without it keep their configuration as it was
        config["cost_export_uri"] = args.get("cost_export_uri")
    if pushgateway_url is not None:
        config["pushgateway_url"] = pushgateway_url
    return pulumi.Output.json_dumps(config).apply(_checked_environment)


def _checked_environment(text: str) -> str:
    size = len(CONFIG_VARIABLE) + len(text.encode())
    if size > LAMBDA_ENVIRONMENT_LIMIT:
        raise ValueError(
            f"the self-healing configuration is {size} bytes; Lambda allows {LAMBDA_ENVIRONMENT_LIMIT} "
            "bytes of environment per function: fewer endpoints per stack, or shorter names"
        )
    return text


def repository_policy(
    repository_arn: pulumi.Input[str], function_arn: pulumi.Input[str]
) -> pulumi.Output[str]:
    """The image repository admits the Lambda service pulling for this one function (Lambda's documented
    same-account pattern), so the deploying principal never needs ``ecr:SetRepositoryPolicy``."""
    del repository_arn  # a repository policy's resource is the repository itself (no Resource element)
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "LambdaPullsSelfHealingImage",
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    "Condition": {"StringLike": {"aws:sourceArn": function_arn}},
                }
            ],
        }
    )


class AwsSelfHealing(pulumi.ComponentResource):
    """Lease table, log group, runtime role, Lambda function from the stack's image, and its schedule."""

    function_name: pulumi.Output[str]
    lease_table_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    schedule_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: AwsSelfHealingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsSelfHealing", name, None, capability_options(opts, args["tags"], COST_COMPONENT)
        )
        child = pulumi.ResourceOptions(parent=self)
        prefix = args["prefix"]
        key = args["encryption_key"]
        p, r, a = args["partition"], args["region"], args["account_id"]
        function_name = self_healing_name("lambda", prefix, "self-healing")
        function_arn = pulumi.Output.format("arn:{0}:lambda:{1}:{2}:function:{3}", p, r, a, function_name)

        table = aws.dynamodb.Table(
            f"{name}-lease",
            name=lease_table_name(prefix),
            billing_mode="PAY_PER_REQUEST",
            hash_key=LEASE_KEY,
            attributes=[aws.dynamodb.TableAttributeArgs(name=LEASE_KEY, type="S")],
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, kms_key_arn=key),
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            deletion_protection_enabled=True,
            opts=child,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/lambda/{function_name}",
            kms_key_id=key,
            retention_in_days=args["log_retention_days"],
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-role",
            name=aws_name("iam-role", prefix, "self-healing"),
            path=args["role_path"],
            description=f"Self-healing controller of {prefix}: this stack's models, endpoints and lease only",
            # Lambda assumes execution roles without aws:SourceAccount/SourceArn in the request, so the trust
            # cannot carry the confused-deputy condition the other service roles use.
            assume_role_policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "TrustLambda",
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            max_session_duration=3600,
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            name="self-healing-least-privilege",
            role=role.id,
            policy=document(runtime_statements(args, table.arn, log_group.arn)),
            opts=child,
        )
        pull = aws.ecr.RepositoryPolicy(
            f"{name}-image-pull",
            repository=pulumi.Output.from_input(args["repository_arn"]).apply(
                lambda arn: arn.split("/", 1)[1]
            ),
            policy=repository_policy(args["repository_arn"], function_arn),
            opts=child,
        )
        subnets = args.get("subnet_ids")
        vpc = (
            aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=subnets, security_group_ids=list(args.get("security_group_ids") or [])
            )
            if subnets is not None
            else None
        )
        topic = args.get("topic_arn")
        function = aws.lambda_.Function(
            f"{name}-function",
            name=function_name,
            description=f"mlkeel self-healing controller of {prefix} (one run per schedule tick)",
            package_type="Image",
            image_uri=pulumi.Output.format(
                "{0}:{1}", args["repository_url"], args.get("image_tag") or IMAGE_TAG
            ),
            image_config=aws.lambda_.FunctionImageConfigArgs(commands=[HANDLER]),
            architectures=["x86_64"],
            role=role.arn,
            timeout=TIMEOUT_SECONDS,
            memory_size=MEMORY_MIB,
            reserved_concurrent_executions=1,
            kms_key_arn=key,
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables={CONFIG_VARIABLE: controller_config(args, table.name)}
            ),
            dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=topic) if topic else None,
            vpc_config=vpc,
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=log_group.name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, role_policy, pull]),
        )
        aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-invoke",
            function_name=function.name,
            # One retry of a failed run; the next tick resumes from the recorded state anyway.
            maximum_retry_attempts=1,
            maximum_event_age_in_seconds=3600,
            opts=child,
        )
        scheduler_role = aws.iam.Role(
            f"{name}-scheduler-role",
            name=aws_name("iam-role", prefix, "self-healing-scheduler"),
            path=args["role_path"],
            description=f"EventBridge Scheduler invoking the self-healing controller of {prefix}",
            assume_role_policy=service_trust(["scheduler.amazonaws.com"], args["account_id"]),
            max_session_duration=3600,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-scheduler-role-policy",
            name="invoke-self-healing",
            role=scheduler_role.id,
            # The ARN built from the name (the function's own output is the same string once created).
            policy=document([statement("InvokeSelfHealing", ["lambda:InvokeFunction"], [function_arn])]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[function]),
        )
        schedule = aws.scheduler.Schedule(
            f"{name}-schedule",
            name=self_healing_name("schedule", prefix, "self-healing"),
            description=f"Runs the self-healing controller of {prefix}",
            schedule_expression=args["schedule"],
            schedule_expression_timezone="UTC",
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            kms_key_arn=key,
            state="ENABLED",
            target=aws.scheduler.ScheduleTargetArgs(
                arn=function.arn,
                role_arn=scheduler_role.arn,
                input=json.dumps({"source": "schedule"}),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=2, maximum_event_age_in_seconds=3600
                ),
            ),
            opts=child,
        )
        self.function_name = function.name
        self.lease_table_name = table.name
        self.role_arn = role.arn
        self.schedule_name = schedule.name
        self.log_group_name = log_group.name
        self.register_outputs(
            {
                "function_name": function.name,
                "lease_table_name": table.name,
                "role_arn": role.arn,
                "schedule_name": schedule.name,
                "log_group_name": log_group.name,
            }
        )


class EksSelfHealingArgs(AwsSelfHealingArgs):
    """Inputs of :class:`EksSelfHealing`: the Lambda runner's, plus where in the cluster it runs."""

    cluster_name: pulumi.Input[str]
    namespace: pulumi.Input[str]
    """The team namespace of the stack's in-cluster layer (``K8sLayer.namespace``)."""
    pushgateway: NotRequired[bool]
    """Run a Pushgateway in the namespace for the run's figures (Prometheus Operator installed); off:
    CloudWatch only."""


class EksSelfHealing(pulumi.ComponentResource):
    """``selfHealing.runner: kubernetes`` on AWS: the controller as a CronJob in the stack's EKS cluster.

    Why it exists beside the Lambda runner: a team that already runs the cluster keeps the loop's runs,
    logs and lock with its other workloads (``kubectl get cronjob``), under the namespace's quota and
    NetworkPolicies. The pods' AWS identity is an IAM role through EKS Pod Identity (as the layer's other
    workloads get theirs: no node role, no key), holding :func:`runtime_statements` for the ``kubernetes``
    runner: the very grants of the Lambda's role, without the DynamoDB lease, which the namespace's Lease
    replaces. The image is the same tag from the stack's ECR repository; the nodes pull it with their own
    role (``AmazonEC2ContainerRegistryReadOnly``), so no repository policy is needed.

    Give the component both providers (``providers=[aws_provider, kubernetes_provider]``).
    """

    role_arn: pulumi.Output[str]
    cron_job_name: pulumi.Output[str]
    lease_name: pulumi.Output[str]
    service_account: str

    def __init__(self, name: str, args: EksSelfHealingArgs, opts: pulumi.ResourceOptions | None = None):
        from .kubernetes import K8sSelfHealing, K8sSelfHealingArgs, pushgateway_url, service_account_name

        super().__init__(
            "mlkeel:index:EksSelfHealing", name, None, capability_options(opts, args["tags"], COST_COMPONENT)
        )
        child = pulumi.ResourceOptions(parent=self)
        prefix = args["prefix"]
        account = service_account_name(prefix)
        role = aws.iam.Role(
            f"{name}-role",
            name=aws_name("iam-role", prefix, "k8s-self-healing"),
            path=args["role_path"],
            description=f"Self-healing controller of {prefix} in its EKS cluster (EKS Pod Identity)",
            assume_role_policy=document(
                [
                    {
                        "Sid": "TrustEksPodIdentity",
                        "Effect": "Allow",
                        "Principal": {"Service": "pods.eks.amazonaws.com"},
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                        "Condition": {"StringEquals": {"aws:SourceAccount": args["account_id"]}},
                    }
                ]
            ),
            max_session_duration=3600,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-role-policy",
            name="self-healing-least-privilege",
            role=role.id,
            policy=document(runtime_statements(args, "", "", runner="kubernetes")),
            opts=child,
        )
        association = aws.eks.PodIdentityAssociation(
            f"{name}-identity",
            cluster_name=args["cluster_name"],
            namespace=args["namespace"],
            service_account=account,
            role_arn=role.arn,
            opts=child,
        )
        # The table is never created on this runner; the name only fills the document's required field
        # (the pod's MLKEEL_LEASE_BACKEND=kubernetes makes the controller take the Lease instead).
        push = bool(args.get("pushgateway"))
        config = controller_config(
            args, lease_table_name(prefix), pushgateway_url(args["namespace"]) if push else None
        )
        cron = K8sSelfHealing(
            f"{name}-cronjob",
            K8sSelfHealingArgs(
                prefix=prefix,
                tags=args["tags"],
                region=args["region"],
                namespace=args["namespace"],
                image=pulumi.Output.format(
                    "{0}:{1}", args["repository_url"], args.get("image_tag") or IMAGE_TAG
                ),
                schedule=args["schedule"],
                config=config,
                pushgateway=push,
            ),
            # The pods start once their identity exists: a first run without it would fail its AWS calls.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[association]),
        )
        self.role_arn = role.arn
        self.cron_job_name = cron.cron_job_name
        self.lease_name = cron.lease_name
        self.service_account = account
        self.register_outputs(
            {"role_arn": role.arn, "cron_job_name": cron.cron_job_name, "lease_name": cron.lease_name}
        )

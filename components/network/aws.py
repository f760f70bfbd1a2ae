"""AWS network: a VPC with private subnets only, VPC endpoints instead of internet access, flow logs.

Nothing the stack runs needs the internet: SageMaker models run with network isolation, training nodes
pull images through ECR endpoints, S3 traffic goes through a gateway endpoint. So there is no internet
gateway and no NAT gateway (which also saves ~$33 per month per NAT). Every packet is recorded by VPC flow
logs into a log group encrypted with the stack key and kept ``flow_log_retention_days``.
"""

import ipaddress
import math
from collections.abc import Sequence
from typing import Any, NotRequired

import pulumi
import pulumi_aws as aws

from components.aws._iam import document, service_trust, statement
from components.aws._naming import aws_name
from components.aws.args import AwsKeyedArgs
from components.tagging import capability_options


class AwsNetworkArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsNetwork`."""

    cidr: str
    availability_zones: int
    """How many AZs get a private subnet (at least two)."""
    flow_log_retention_days: int
    interface_services: list[str]
    """Interface endpoints to create, as service suffixes (``sagemaker.api``, ``ecr.dkr``...)."""
    bucket_arns: NotRequired[list[pulumi.Input[str]]]
    """The stack's buckets workloads reach through the S3 gateway endpoint (its policy names only these)."""
    image_layers: NotRequired[bool]
    """Whether nodes pull ECR images here (ECR serves image layers from its own S3 bucket in the region)."""
    read_only_prefixes: NotRequired[list[str]]
    """``s3://bucket/prefix/`` URIs outside the stack that workloads only read (the self-healing budget
    guard's cost export): the gateway lets this account list and get exactly those prefixes, nothing else."""
    dynamodb_tables: NotRequired[list[str]]
    """Names of the stack's DynamoDB tables workloads reach (the self-healing lease): a DynamoDB gateway
    endpoint whose policy names only these is added; none, no endpoint."""


#: S3 actions workloads in the VPC use on the stack's buckets (the union of what the stack's roles grant,
#: plus multipart housekeeping for large checkpoints).
GATEWAY_S3_ACTIONS = (
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetBucketLocation",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
)


def s3_endpoint_policy(
    partition: pulumi.Input[str],
    account_id: pulumi.Input[str],
    region: str,
    bucket_arns: list[pulumi.Input[str]],
    image_layers: bool,
    read_only_prefixes: Sequence[str] = (),
) -> pulumi.Output[str]:
    """The S3 gateway endpoint's policy: this account's principals, on this stack's buckets only.

    The default endpoint policy allows any request to any bucket, which makes the gateway a path to copy
    data into buckets of other accounts. ECR keeps image layers in an AWS-owned bucket of the region
    (``prod-<region>-starport-layer-bucket``); nodes read from it when they pull images.
    """
    account = pulumi.Output.format("arn:{0}:iam::{1}:root", partition, account_id)
    statements = []
    if bucket_arns:
        resources = [r for arn in bucket_arns for r in (arn, pulumi.Output.concat(arn, "/*"))]
        statements.append(
            statement("StackBucketsOnly", GATEWAY_S3_ACTIONS, resources, principal={"AWS": account})
        )
    for index, uri in enumerate(read_only_prefixes):
        # read only, never a write: a bucket outside the stack (often the payer's) is no exfiltration path
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        arn = pulumi.Output.format("arn:{0}:s3:::{1}", partition, bucket)
        statements.append(
            statement(
                f"ReadOnlyPrefixList{index}",
                ["s3:ListBucket"],
                [arn],
                conditions={"StringEquals": {"s3:prefix": prefix}},
                principal={"AWS": account},
            )
        )
        statements.append(
            statement(
                f"ReadOnlyPrefixGet{index}",
                ["s3:GetObject"],
                [pulumi.Output.concat(arn, f"/{prefix}*")],
                principal={"AWS": account},
            )
        )
    if image_layers:
        layers = pulumi.Output.format("arn:{0}:s3:::prod-{1}-starport-layer-bucket/*", partition, region)
        statements.append(statement("EcrImageLayers", ["s3:GetObject"], [layers], principal={"AWS": account}))
    if not statements:
        statements.append(
            statement(
                "NoBucketAccess",
                ["s3:ListBucket"],
                [pulumi.Output.format("arn:{0}:s3:::{1}-no-bucket", partition, account_id)],
                effect="Deny",
                principal={"AWS": account},
            )
        )
    return document(statements)


#: The IAM action prefix each interface endpoint carries (an endpoint only ever sees its own service's
#: requests: ``ecr.dkr`` image pulls are authorized as ``ecr:`` actions, ``monitoring`` is CloudWatch).
INTERFACE_ACTION_PREFIX: dict[str, str] = {
    "sagemaker.api": "sagemaker",
    "sagemaker.runtime": "sagemaker",
    "sts": "sts",
    "logs": "logs",
    "monitoring": "cloudwatch",
    "ecr.api": "ecr",
    "ecr.dkr": "ecr",
    "ec2": "ec2",
    "eks": "eks",
    "eks-auth": "eks-auth",
    "autoscaling": "autoscaling",
    "sns": "sns",
}

#: Item calls on the stack's tables through the DynamoDB gateway endpoint (the lease is an item).
GATEWAY_DYNAMODB_ACTIONS = (
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)


def dynamodb_endpoint_policy(
    partition: pulumi.Input[str], account_id: pulumi.Input[str], region: str, tables: list[str]
) -> pulumi.Output[str]:
    """The DynamoDB gateway endpoint's policy: this account's principals, item calls, this stack's tables.

    As for S3, the default policy would let the gateway reach any table of any account, a way to move data
    out of the VPC; the stack's workloads only ever touch the items of the tables named here.
    """
    account = pulumi.Output.format("arn:{0}:iam::{1}:root", partition, account_id)
    arns = [
        pulumi.Output.format("arn:{0}:dynamodb:{1}:{2}:table/{3}", partition, region, account_id, t)
        for t in tables
    ]
    return document(
        [
            statement(
                "StackTablesOnly",
                GATEWAY_DYNAMODB_ACTIONS,
                arns,
                principal={"AWS": account},
                conditions={"StringEquals": {"aws:PrincipalAccount": account_id}},
            )
        ]
    )


#: ``sagemaker.runtime`` carries only the invoke calls, all authorized on the endpoint's ARN.
INVOKE_ACTIONS = (
    "sagemaker:InvokeEndpoint",
    "sagemaker:InvokeEndpointAsync",
    "sagemaker:InvokeEndpointWithResponseStream",
)


def interface_endpoint_policy(
    service: str,
    partition: pulumi.Input[str],
    account_id: pulumi.Input[str],
    region: str,
    prefix: str,
) -> pulumi.Output[str]:
    """The policy of one interface endpoint: only this account's principals, on this account's resources
    where the service lets us name them without breaking what the stack runs.

    AWS's default endpoint policy allows anyone's credentials, so stolen credentials of another account
    could use the endpoint to move data out of the VPC (the data-perimeter identity control AWS recommends
    closes that with ``aws:PrincipalAccount``). An endpoint policy is a ceiling, never a grant: the callers'
    own IAM policies still decide. Every Allow carries ``aws:PrincipalAccount`` = this account, except
    the web-identity exchange on ``sts`` (below). Per service:

    - ``sagemaker.runtime``: only the invoke calls, only on this stack's endpoints (``endpoint/<prefix>-*``,
      the pattern the persona policies use); inside the VPC nothing needs another stack's endpoint.
    - ``sns``: only ``Publish``, only to this stack's topics (``<prefix>-*``): the self-healing controller
      alerts through it; alarms and budgets publish from AWS's side, not through the VPC.
    - ``eks-auth``: ``AssumeRoleForPodIdentity`` on this account's clusters (its only action, authorized
      on the cluster the pod runs in).
    - ``sts``: the account's callers on ``*`` (``GetCallerIdentity`` and ``GetSessionToken`` exist on ``*``
      only), and ``AssumeRoleWithWebIdentity`` (IRSA) for anyone, but only into this account's roles: that
      call is unauthenticated, so it carries no principal account, and the role's trust policy decides.
    - ``logs``: the service's actions on ``*``, not the stack's log groups: none of those is written
      through the endpoint (flow logs, SageMaker endpoints, CloudTrail and EKS deliver from AWS's side);
      what does go through it (agents and code on nodes and in jobs) names groups the stack cannot know,
      and 39 ``logs:`` actions exist on ``*`` only, a list that grows (a stale copy would deny silently).
    - ``sagemaker.api``, ``monitoring``, ``ecr.api``, ``ecr.dkr``, ``ec2``, ``eks``, ``autoscaling``: the
      service's actions on ``*``. Jobs and pipelines name their resources at run time; node bootstrap and
      image pulls read AWS-owned resources (EKS add-on and SageMaker images live in AWS accounts' ECR
      repositories, nodes boot from Amazon's AMIs); ``ecr:GetAuthorizationToken``,
      ``cloudwatch:PutMetricData`` and the EC2/Auto Scaling describes exist on ``*`` only. Naming
      resources would break bootstrap, pulls and jobs silently.

    parliament reads these documents as identity policies and reports a service-wide ceiling on ``*``
    (``RESOURCE_STAR`` and the like); those findings are reviewed in the allowlist.
    """
    if service not in INTERFACE_ACTION_PREFIX:
        raise ValueError(
            f"interface endpoint {service!r} has no reviewed endpoint policy; "
            f"known: {', '.join(sorted(INTERFACE_ACTION_PREFIX))}"
        )
    account = pulumi.Output.format("arn:{0}:iam::{1}:root", partition, account_id)
    only_account = {"StringEquals": {"aws:PrincipalAccount": account_id}}

    def allow(sid: str, actions: list[str] | tuple[str, ...], resources: Any) -> dict[str, Any]:
        return statement(sid, actions, resources, principal={"AWS": account}, conditions=only_account)

    def arn(service_prefix: str, resource: str) -> pulumi.Output[str]:
        return pulumi.Output.format(
            "arn:{0}:{1}:{2}:{3}:{4}", partition, service_prefix, region, account_id, resource
        )

    if service == "sagemaker.runtime":
        statements = [
            allow("InvokeStackEndpoints", INVOKE_ACTIONS, [arn("sagemaker", f"endpoint/{prefix}-*")])
        ]
    elif service == "sns":
        statements = [allow("PublishToStackTopics", ["sns:Publish"], [arn("sns", f"{prefix}-*")])]
    elif service == "eks-auth":
        statements = [
            allow(
                "PodIdentityInThisAccountsClusters",
                ["eks-auth:AssumeRoleForPodIdentity"],
                [arn("eks", "cluster/*")],
            )
        ]
    else:
        statements = [allow("ThisAccountsPrincipalsOnly", [f"{INTERFACE_ACTION_PREFIX[service]}:*"], "*")]
    if service == "sts":
        statements.append(
            statement(
                "WebIdentityIntoThisAccountsRoles",
                ["sts:AssumeRoleWithWebIdentity"],
                [pulumi.Output.format("arn:{0}:iam::{1}:role/*", partition, account_id)],
                principal="*",
            )
        )
    return document(statements)


def subnet_cidrs(cidr: str, count: int) -> list[str]:
    """``count`` equal private subnets of ``cidr``, leaving at least half of the block free for growth."""
    network = ipaddress.ip_network(cidr)
    extra_bits = max(1, math.ceil(math.log2(count)) + 1)
    return [str(s) for s in list(network.subnets(prefixlen_diff=extra_bits))[:count]]


class AwsNetwork(pulumi.ComponentResource):
    """VPC, private subnets in several AZs, S3 gateway + interface endpoints, encrypted flow logs."""

    vpc_id: pulumi.Output[str]
    subnet_ids: pulumi.Output[list[str]]
    workload_security_group_id: pulumi.Output[str]
    endpoint_security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: AwsNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsNetwork", name, None, capability_options(opts, args["tags"], "network")
        )
        child = pulumi.ResourceOptions(parent=self)
        prefix = args["prefix"]
        region = args["region"]
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args["cidr"],
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": f"{prefix}-vpc"},
            opts=child,
        )
        # Every VPC comes with a default security group that lets its members reach each other and send
        # anywhere; anything launched without a group lands in it. Adopting it with no rules closes that.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": f"{prefix}-default-closed"},
            opts=child,
        )
        zones = aws.get_availability_zones_output(
            state="available", opts=pulumi.InvokeOutputOptions(parent=self)
        )
        route_table = aws.ec2.RouteTable(
            f"{name}-private-routes", vpc_id=vpc.id, tags={"Name": f"{prefix}-private"}, opts=child
        )
        subnets = []
        for index, block in enumerate(subnet_cidrs(args["cidr"], args["availability_zones"])):
            subnet = aws.ec2.Subnet(
                f"{name}-private-{index}",
                vpc_id=vpc.id,
                cidr_block=block,
                availability_zone=zones.names[index],
                map_public_ip_on_launch=False,
                tags={"Name": f"{prefix}-private-{index}", "kubernetes.io/role/internal-elb": "1"},
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}-routes",
                subnet_id=subnet.id,
                route_table_id=route_table.id,
                opts=child,
            )
            subnets.append(subnet)
        subnet_ids = [s.id for s in subnets]

        s3_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[route_table.id],
            policy=s3_endpoint_policy(
                args["partition"],
                args["account_id"],
                region,
                list(args.get("bucket_arns") or []),
                bool(args.get("image_layers")),
                list(args.get("read_only_prefixes") or []),
            ),
            tags={"Name": f"{prefix}-s3"},
            opts=child,
        )
        tables = list(args.get("dynamodb_tables") or [])
        dynamodb_egress = []
        if tables:
            dynamodb_endpoint = aws.ec2.VpcEndpoint(
                f"{name}-dynamodb",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{region}.dynamodb",
                vpc_endpoint_type="Gateway",
                route_table_ids=[route_table.id],
                policy=dynamodb_endpoint_policy(args["partition"], args["account_id"], region, tables),
                tags={"Name": f"{prefix}-dynamodb"},
                opts=child,
            )
            dynamodb_egress.append(
                aws.ec2.SecurityGroupEgressArgs(
                    description="HTTPS to DynamoDB through the gateway endpoint",
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    prefix_list_ids=[dynamodb_endpoint.prefix_list_id],
                )
            )
        endpoint_sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            name=aws_name("security-group", prefix, "vpc-endpoints"),
            description="HTTPS from inside the VPC to AWS service endpoints",
            vpc_id=vpc.id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    description="HTTPS from the VPC",
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_blocks=[args["cidr"]],
                )
            ],
            egress=[],
            tags={"Name": f"{prefix}-vpc-endpoints"},
            opts=child,
        )
        workload_sg = aws.ec2.SecurityGroup(
            f"{name}-workloads",
            name=aws_name("security-group", prefix, "workloads"),
            description=(
                "SageMaker models, training and monitoring jobs: each other, AWS endpoints and S3 only"
            ),
            vpc_id=vpc.id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    description="Between workloads (distributed training, inter-container)",
                    protocol="-1",
                    from_port=0,
                    to_port=0,
                    self=True,
                )
            ],
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    description="Between workloads", protocol="-1", from_port=0, to_port=0, self=True
                ),
                aws.ec2.SecurityGroupEgressArgs(
                    description="HTTPS to VPC endpoints",
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    cidr_blocks=[args["cidr"]],
                ),
                aws.ec2.SecurityGroupEgressArgs(
                    description="HTTPS to S3 through the gateway endpoint",
                    protocol="tcp",
                    from_port=443,
                    to_port=443,
                    prefix_list_ids=[s3_endpoint.prefix_list_id],
                ),
                *dynamodb_egress,
            ],
            tags={"Name": f"{prefix}-workloads"},
            opts=child,
        )
        for service in args["interface_services"]:
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnet_ids,
                security_group_ids=[endpoint_sg.id],
                policy=interface_endpoint_policy(
                    service, args["partition"], args["account_id"], region, prefix
                ),
                tags={"Name": f"{prefix}-{service}"},
                opts=child,
            )

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=aws_name("log-group", f"/mlkeel/{prefix}", "vpc-flow-logs", separator="/"),
            kms_key_id=args["encryption_key"],
            retention_in_days=args["flow_log_retention_days"],
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            name=aws_name("iam-role", prefix, "vpc-flow-logs"),
            path=args["role_path"],
            description="VPC flow logs delivery into the stack's encrypted log group",
            assume_role_policy=service_trust(["vpc-flow-logs.amazonaws.com"], args["account_id"]),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-policy",
            role=role.id,
            policy=document(
                [
                    statement(
                        "DeliverFlowLogs",
                        ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                        [log_group.arn, pulumi.Output.concat(log_group.arn, ":*")],
                    )
                ]
            ),
            opts=child,
        )
        flow_log = aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags={"Name": f"{prefix}-vpc"},
            opts=child,
        )
        self.vpc_id = vpc.id
        self.subnet_ids = pulumi.Output.all(*subnet_ids)
        self.workload_security_group_id = workload_sg.id
        self.endpoint_security_group_id = endpoint_sg.id
        self.register_outputs(
            {
                "vpc_id": vpc.id,
                "subnet_ids": self.subnet_ids,
                "workload_security_group_id": workload_sg.id,
                "endpoint_security_group_id": endpoint_sg.id,
                "flow_log_id": flow_log.id,
                "flow_log_group": log_group.name,
            }
        )

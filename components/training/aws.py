"""AWS training pools: an EKS cluster with one SPOT managed node group per pool, and spot job settings.

The cluster's API endpoint is private (reachable from the VPC), public only for the CIDRs the spec lists;
Kubernetes secrets are encrypted with the stack key; every control-plane log type goes to an encrypted log
group. The cluster and node roles run on AWS managed policies and carry a permissions boundary of their
own (``<prefix>-service-boundary``): exactly those policies' actions, on this account and region, and no
way to change IAM, leave the organization, destroy the stack key or stop a trail. Nobody keeps cluster-admin
from creating it: access entries map the spec's personas (platform-admin administers the cluster,
ml-engineer edits the training namespace). Nodes boot from a launch template: root volume encrypted with
the stack key, IMDSv2 required with a hop limit of 1 (pods cannot take the node role).
Each pool is a managed node group on ``SPOT`` capacity over several instance types (EKS picks the pools least
likely to be interrupted), tainted so only training pods that tolerate it land there and labelled with the
stack's cost tags so OpenCost can allocate its cost. SageMaker managed spot training jobs get their settings
as stack outputs: the training role, checkpoint location, and a wait budget no shorter than the run budget.
"""

import re
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.args import CapabilityArgs, TrainingPoolArgs
from components.aws._iam import document, service_trust, statement
from components.aws._naming import aws_name
from components.aws.args import AwsKeyedArgs
from components.tagging import capability_options

#: What the service boundary lets through: the actions AWS's managed policies on the two roles grant
#: (AmazonEKSClusterPolicy v10, AmazonEKSWorkerNodePolicy v3, AmazonEKS_CNI_Policy v6,
#: AmazonEC2ContainerRegistryPullOnly v1; docs/aws.md), grouped by what the boundary can name for them.
#: Listed, not ``service:*``: a boundary is read by the same linters as a grant, and a wildcard would also
#: pass every action AWS adds to those services. The price: a new managed-policy version needs this list.
SERVICE_UNSCOPED_ACTIONS = (
    # IAM authorizes these on "*" only (in the action tables parliament checks against).
    "autoscaling:DescribeAutoScalingGroups",
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeInstanceTopology",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeInstances",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
    "ec2:DescribeVolumes",
    "ec2:DescribeVolumesModifications",
    "ec2:DescribeVpcs",
    "ecr:GetAuthorizationToken",
    # Pull-through cache imports; they can only land in the caller's own registry (this account).
    "ecr:BatchImportUpstreamImage",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancerPolicies",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
)
#: EC2 changes the control plane (volumes, security groups, routes) and the VPC CNI (node ENIs) make.
SERVICE_EC2_ACTIONS = (
    "ec2:AssignPrivateIpAddresses",
    "ec2:AttachNetworkInterface",
    "ec2:AttachVolume",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateNetworkInterface",
    "ec2:CreateRoute",
    "ec2:CreateSecurityGroup",
    "ec2:CreateTags",
    "ec2:CreateVolume",
    "ec2:DeleteNetworkInterface",
    "ec2:DeleteRoute",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteVolume",
    "ec2:DetachNetworkInterface",
    "ec2:DetachVolume",
    "ec2:ModifyInstanceAttribute",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:ModifyVolume",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:UnassignPrivateIpAddresses",
)
#: Load balancers the control plane makes for Kubernetes ``Service`` objects of type LoadBalancer.
SERVICE_ELB_ACTIONS = (
    "elasticloadbalancing:AddTags",
    "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
    "elasticloadbalancing:AttachLoadBalancerToSubnets",
    "elasticloadbalancing:ConfigureHealthCheck",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:CreateLoadBalancerListeners",
    "elasticloadbalancing:CreateLoadBalancerPolicy",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:DeleteListener",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:DeleteLoadBalancerListeners",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
    "elasticloadbalancing:DeregisterTargets",
    "elasticloadbalancing:DetachLoadBalancerFromSubnets",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
    "elasticloadbalancing:RegisterTargets",
    "elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer",
    "elasticloadbalancing:SetLoadBalancerPoliciesOfListener",
)
#: Image pulls; the images EKS adds to every node (VPC CNI, kube-proxy, CoreDNS) live in AWS's accounts.
SERVICE_ECR_PULL = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
#: Changing IAM is how a service role would outgrow its boundary. Everything that writes IAM but
#: ``iam:CreateServiceLinkedRole`` (AmazonEKSClusterPolicy creates the load balancers' service-linked role).
SERVICE_DENIED_IAM = (
    "iam:Add*",
    "iam:Attach*",
    "iam:ChangePassword",
    "iam:CreateAccessKey",
    "iam:CreateAccountAlias",
    "iam:CreateGroup",
    "iam:CreateInstanceProfile",
    "iam:CreateLoginProfile",
    "iam:CreateOpenIDConnectProvider",
    "iam:CreatePolicy*",
    "iam:CreateRole",
    "iam:CreateSAMLProvider",
    "iam:CreateServiceSpecificCredential",
    "iam:CreateUser",
    "iam:CreateVirtualMFADevice",
    "iam:Deactivate*",
    "iam:Delete*",
    "iam:Detach*",
    "iam:Disable*",
    "iam:Enable*",
    "iam:PassRole",
    "iam:Put*",
    "iam:Remove*",
    "iam:Reset*",
    "iam:Resync*",
    "iam:Set*",
    "iam:Tag*",
    "iam:Untag*",
    "iam:Update*",
    "iam:Upload*",
)
#: Control-plane log types (checklist rule 13 needs api, audit, authenticator).
CLUSTER_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
#: AWS managed policies a node needs: join the cluster, pull images, run the VPC CNI. None is *FullAccess.
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy")
TRAINING_TAINT_KEY = "mlkeel.io/workload"
#: Kubernetes namespace training jobs run in (the ml-engineer persona may edit it, nothing else).
TRAINING_NAMESPACE = "mlkeel-training"
#: Persona -> (EKS access policy, namespaces it is scoped to; empty = the whole cluster).
PERSONA_ACCESS: dict[str, tuple[str, tuple[str, ...]]] = {
    "platform-admin": ("AmazonEKSClusterAdminPolicy", ()),
    "ml-engineer": ("AmazonEKSEditPolicy", (TRAINING_NAMESPACE,)),
}


def persona_group(persona: str) -> str:
    """The Kubernetes group a persona's role is in on EKS (never ``system:``, which EKS refuses)."""
    return f"mlkeel:{persona}"


#: Root volume of the EKS AL2023 AMIs.
ROOT_DEVICE = "/dev/xvda"
GPU_TAINT_KEY = "nvidia.com/gpu"
_ARM_FAMILY = re.compile(r"^[a-z]+\d+g[a-z]*$")


class AwsPoolArgs(TypedDict):
    """One resolved pool: instance types are final (named in the spec or chosen by the scheduler)."""

    name: str
    instance_types: list[str]
    gpu: bool
    spot: bool
    min_nodes: int
    max_nodes: int
    disk_size_gib: int
    workload: NotRequired[str]
    """``training`` (default): tainted so only training pods land there. ``platform``: the untainted
    on-demand pool the in-cluster layer's services (MLflow, its database, Feast, Karpenter) run on."""


#: Name of the untainted on-demand pool added when a stack runs the in-cluster Kubernetes layer.
PLATFORM_POOL = "platform"


def platform_pool(instance_type: str) -> AwsPoolArgs:
    """The in-cluster layer's own nodes: on demand (MLflow's database must not be reclaimed mid-write),
    untainted, two nodes so a node drain keeps MLflow's disruption budget satisfiable, at most four."""
    return AwsPoolArgs(
        name=PLATFORM_POOL,
        instance_types=[instance_type],
        gpu=False,
        spot=False,
        min_nodes=2,
        max_nodes=4,
        disk_size_gib=50,
        workload="platform",
    )


class AwsTrainingClusterArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsTrainingCluster`."""

    cluster_name: str
    kubernetes_version: str
    control_plane_cidrs: list[str]
    subnet_ids: pulumi.Input[list[str]]
    log_retention_days: int
    pools: list[AwsPoolArgs]
    persona_role_arns: NotRequired[dict[str, pulumi.Input[str]]]
    """Persona -> its role ARN; the personas of :data:`PERSONA_ACCESS` get cluster access entries."""
    persona_groups: NotRequired[bool]
    """Whether the in-cluster layer is on: then every persona's role gets an access entry in the Kubernetes
    group ``mlkeel:<persona>``, which the layer's RoleBindings name (``components/access/kubernetes.py``)."""


class AwsTrainingPoolArgs(CapabilityArgs):
    """Inputs of :class:`AwsTrainingPool`."""

    cluster_name: pulumi.Input[str]
    node_role_arn: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    encryption_key: pulumi.Input[str]
    pool: AwsPoolArgs


def service_boundary_statements(
    partition: pulumi.Input[str],
    region: pulumi.Input[str],
    account_id: pulumi.Input[str],
    cluster_name: str,
    key: pulumi.Input[str],
) -> list[dict[str, Any]]:
    """The permissions boundary of the EKS cluster and node roles: their managed policies, capped.

    The stack boundary (``components/access/aws.py``) is the union of the stack roles' own grants and
    would deny what these roles' AWS managed policies allow, so they get a ceiling of their own. It
    passes exactly the managed policies' actions (plus the cluster's use of the stack key), on this
    account and region where the action names a resource, and explicitly denies what would let a
    compromised control plane or node outgrow it: changing IAM, leaving the organization, destroying the
    stack key, silencing any trail. The denies name ``*`` where the roles have no business with any such
    resource (the trail's ARN is not an input here, and audit may be off); they are no grant.
    """

    def arn(service: str, resource: str, account: pulumi.Input[str] = account_id) -> pulumi.Output[str]:
        return pulumi.Output.format("arn:{0}:{1}:{2}:{3}:{4}", partition, service, region, account, resource)

    cluster = arn("eks", f"cluster/{cluster_name}")
    return [
        statement("CeilingUnscopedReads", SERVICE_UNSCOPED_ACTIONS, "*"),
        statement("CeilingEc2InStackAccount", SERVICE_EC2_ACTIONS, [arn("ec2", "*")]),
        statement(
            "CeilingLoadBalancersInStackAccount", SERVICE_ELB_ACTIONS, [arn("elasticloadbalancing", "*")]
        ),
        statement(
            "CeilingAutoScalingInStackAccount",
            ["autoscaling:UpdateAutoScalingGroup"],
            [arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/*")],
        ),
        statement(
            "CeilingTrainingCluster", ["eks-auth:AssumeRoleForPodIdentity", "eks:DescribeCluster"], [cluster]
        ),
        statement("CeilingPullImagesInRegion", SERVICE_ECR_PULL, [arn("ecr", "repository/*", "*")]),
        statement("CeilingStackKey", ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt"], [key]),
        statement(
            "CeilingStackKeyGrants",
            ["kms:CreateGrant"],
            [key],
            conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
        ),
        statement(
            "CeilingLoadBalancerServiceLinkedRole",
            ["iam:CreateServiceLinkedRole"],
            [
                pulumi.Output.format(
                    "arn:{0}:iam::{1}:role/aws-service-role/elasticloadbalancing.amazonaws.com/"
                    "AWSServiceRoleForElasticLoadBalancing",
                    partition,
                    account_id,
                )
            ],
            conditions={"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        ),
        statement("DenyIamChanges", SERVICE_DENIED_IAM, "*", effect="Deny"),
        statement(
            "DenyLeavingOrganization",
            ["account:CloseAccount", "organizations:LeaveOrganization"],
            "*",
            effect="Deny",
        ),
        statement(
            "DenyKeyDestruction",
            ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
            [key],
            effect="Deny",
        ),
        statement(
            "DenyAuditTampering",
            [
                "cloudtrail:DeleteTrail",
                "cloudtrail:PutEventSelectors",
                "cloudtrail:StopLogging",
                "cloudtrail:UpdateTrail",
            ],
            "*",
            effect="Deny",
        ),
    ]


def ami_type(instance_types: list[str], gpu: bool) -> str:
    """The EKS AMI for a pool: Arm or x86, with the NVIDIA driver when the pool has GPUs."""
    arm = all(_ARM_FAMILY.match(t.split(".", 1)[0]) for t in instance_types)
    if arm:
        return "AL2023_ARM_64_NVIDIA" if gpu else "AL2023_ARM_64_STANDARD"
    return "AL2023_x86_64_NVIDIA" if gpu else "AL2023_x86_64_STANDARD"


class AwsTrainingPool(pulumi.ComponentResource):
    """One managed node group: SPOT over several types, tainted for training, scaling bounds from the spec."""

    node_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: AwsTrainingPoolArgs, opts: pulumi.ResourceOptions | None = None):
        workload = args["pool"].get("workload", "training")
        # The platform pool's bill belongs to the platform, not to training (and it is no spot candidate).
        component = "platform" if workload == "platform" else "training"
        super().__init__(
            "mlkeel:index:AwsTrainingPool", name, None, capability_options(opts, args["tags"], component)
        )
        pool = args["pool"]
        labels = {
            **{k: v for k, v in args["tags"].items()},
            "component": component,
            "mlkeel.io/pool": pool["name"],
            TRAINING_TAINT_KEY: workload,
            "mlkeel.io/capacity": "spot" if pool["spot"] else "on-demand",
        }
        taints = []
        if workload == "training":
            taints.append(
                aws.eks.NodeGroupTaintArgs(key=TRAINING_TAINT_KEY, value="training", effect="NO_SCHEDULE")
            )
        if pool["gpu"]:
            taints.append(
                aws.eks.NodeGroupTaintArgs(key=GPU_TAINT_KEY, value="present", effect="NO_SCHEDULE")
            )
        # Without a launch template, root volumes follow the account's EBS default (maybe unencrypted) and
        # pods reach the node role's credentials through IMDS. IMDSv2 with one hop keeps IMDS to the node.
        template = aws.ec2.LaunchTemplate(
            f"{name}-launch-template",
            name_prefix=aws_name("eks-nodegroup", args["prefix"], pool["name"], reserve=27) + "-",
            description=f"Training pool {pool['name']}: root volume on the stack key, IMDSv2 only, one hop",
            update_default_version=True,
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=ROOT_DEVICE,
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=pool["disk_size_gib"],
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=args["encryption_key"],
                        delete_on_termination="true",
                    ),
                )
            ],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
                instance_metadata_tags="disabled",
            ),
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=dict(args["tags"]))
                for kind in ("instance", "volume")
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        group = aws.eks.NodeGroup(
            f"{name}-nodes",
            cluster_name=args["cluster_name"],
            node_group_name=aws_name("eks-nodegroup", args["prefix"], pool["name"]),
            node_role_arn=args["node_role_arn"],
            subnet_ids=args["subnet_ids"],
            capacity_type="SPOT" if pool["spot"] else "ON_DEMAND",
            instance_types=pool["instance_types"],
            ami_type=ami_type(pool["instance_types"], pool["gpu"]),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=pool["min_nodes"], max_size=pool["max_nodes"], desired_size=pool["min_nodes"]
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            labels=labels,
            taints=taints,
            # The cluster autoscaler owns the node count between the bounds.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["scalingConfig.desiredSize"]),
        )
        self.node_group_name = group.node_group_name
        self.register_outputs(
            {"node_group_name": group.node_group_name, "instance_types": pool["instance_types"]}
        )


class AwsTrainingCluster(pulumi.ComponentResource):
    """EKS cluster (private endpoint, secrets on the stack key, all control-plane logs) and its pools."""

    cluster_name: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    node_role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AwsTrainingClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsTrainingCluster", name, None, capability_options(opts, args["tags"], "training")
        )
        child = pulumi.ResourceOptions(parent=self)
        prefix = args["prefix"]
        key = args["encryption_key"]
        # The stack boundary would deny most of what the managed policies below allow; these two service
        # roles get a boundary of their own (service_boundary_statements).
        service_boundary = aws.iam.Policy(
            f"{name}-service-boundary",
            name=aws_name("iam-policy", prefix, "service-boundary"),
            path=args["role_path"],
            description=f"Permissions boundary of the EKS cluster and node roles in {prefix}",
            policy=document(
                service_boundary_statements(
                    args["partition"], args["region"], args["account_id"], args["cluster_name"], key
                )
            ),
            opts=child,
        )
        cluster_role = aws.iam.Role(
            f"{name}-cluster-role",
            name=aws_name("iam-role", prefix, "eks-cluster"),
            path=args["role_path"],
            description="EKS control plane of the training cluster",
            assume_role_policy=service_trust(["eks.amazonaws.com"], args["account_id"]),
            permissions_boundary=service_boundary.arn,
            opts=child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-cluster-role-eks",
                role=cluster_role.name,
                policy_arn=pulumi.Output.format(
                    "arn:{0}:iam::aws:policy/AmazonEKSClusterPolicy", args["partition"]
                ),
                opts=child,
            ),
            aws.iam.RolePolicy(
                f"{name}-cluster-role-kms",
                role=cluster_role.id,
                policy=document(
                    [
                        statement(
                            "EncryptSecretsWithStackKey",
                            ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt"],
                            [key],
                        ),
                        statement(
                            "GrantsForAwsResources",
                            ["kms:CreateGrant"],
                            [key],
                            conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
                        ),
                    ]
                ),
                opts=child,
            ),
        ]
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            # EKS writes to this exact name; creating it first gives it the stack key and a retention.
            name=f"/aws/eks/{args['cluster_name']}/cluster",
            kms_key_id=key,
            retention_in_days=args["log_retention_days"],
            opts=child,
        )
        cidrs = args["control_plane_cidrs"]
        cluster = aws.eks.Cluster(
            f"{name}-cluster",
            name=args["cluster_name"],
            version=args["kubernetes_version"],
            role_arn=cluster_role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=args["subnet_ids"],
                endpoint_private_access=True,
                endpoint_public_access=bool(cidrs),
                public_access_cidrs=cidrs or None,
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key), resources=["secrets"]
            ),
            enabled_cluster_log_types=CLUSTER_LOG_TYPES,
            access_config=aws.eks.ClusterAccessConfigArgs(
                # Whoever runs `pulumi up` gets no permanent cluster-admin: access comes from the personas.
                authentication_mode="API",
                bootstrap_cluster_creator_admin_permissions=False,
            ),
            # Standard support only: extended support costs six times the control-plane price.
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, *attachments]),
        )
        groups = args.get("persona_groups", False)
        for persona, role_arn in sorted((args.get("persona_role_arns") or {}).items()):
            if persona not in PERSONA_ACCESS and not groups:
                continue
            entry = aws.eks.AccessEntry(
                f"{name}-{persona}-access",
                cluster_name=cluster.name,
                principal_arn=role_arn,
                type="STANDARD",
                # The group carries no permission by itself: only the layer's RoleBindings in the team
                # namespace name it, so data scientists and auditors get exactly their Role there.
                kubernetes_groups=[persona_group(persona)] if groups else None,
                opts=child,
            )
            if persona not in PERSONA_ACCESS:
                continue
            policy, namespaces = PERSONA_ACCESS[persona]
            aws.eks.AccessPolicyAssociation(
                f"{name}-{persona}-{policy}",
                cluster_name=cluster.name,
                principal_arn=entry.principal_arn,
                policy_arn=pulumi.Output.format(
                    "arn:{0}:eks::aws:cluster-access-policy/{1}", args["partition"], policy
                ),
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(
                    type="namespace" if namespaces else "cluster", namespaces=list(namespaces) or None
                ),
                opts=child,
            )
        node_role = aws.iam.Role(
            f"{name}-node-role",
            # No path: EKS maps node roles by ARN and paths are not supported there.
            name=aws_name("iam-role", prefix, "eks-node"),
            description="Training pool nodes: join the cluster, pull images, run the VPC CNI",
            assume_role_policy=service_trust(["ec2.amazonaws.com"], args["account_id"]),
            permissions_boundary=service_boundary.arn,
            opts=child,
        )
        node_attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-node-role-{policy}",
                role=node_role.name,
                policy_arn=pulumi.Output.format("arn:{0}:iam::aws:policy/{1}", args["partition"], policy),
                opts=child,
            )
            for policy in NODE_POLICIES
        ]
        pool_names = {}
        for pool in args["pools"]:
            created = AwsTrainingPool(
                f"{name}-{pool['name']}",
                AwsTrainingPoolArgs(
                    prefix=prefix,
                    tags=args["tags"],
                    region=args["region"],
                    cluster_name=cluster.name,
                    node_role_arn=node_role.arn,
                    subnet_ids=args["subnet_ids"],
                    encryption_key=key,
                    pool=pool,
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=node_attachments),
            )
            pool_names[pool["name"]] = created.node_group_name
        self.cluster_name = cluster.name
        self.cluster_arn = cluster.arn
        self.node_role_arn = node_role.arn
        self.register_outputs(
            {
                "cluster_name": cluster.name,
                "cluster_arn": cluster.arn,
                "cluster_endpoint": cluster.endpoint,
                "node_role_arn": node_role.arn,
                "node_groups": pool_names,
            }
        )


def resolve_pool(pool: TrainingPoolArgs, region: str) -> tuple[AwsPoolArgs, str]:
    """Final instance types of a spec pool and why: named in the spec, or chosen by the spot scheduler."""
    from runtime.pricing import load_catalog

    requirements = pool.get("requirements")
    if pool["instance_types"]:
        types = list(pool["instance_types"])
        reason = "named in the stack spec"
    elif requirements is not None:
        try:
            from runtime.scheduling import choose_pool_types
        except ImportError as exc:  # pragma: no cover - the scheduler ships with mlkeel
            raise pulumi.RunError(
                f"training pool '{pool['name']}' names requirements, "
                f"but the spot scheduler is unavailable ({exc})"
            ) from exc
        try:
            choice = choose_pool_types(
                "aws",
                region,
                dict(requirements),
                spot=pool["spot"],
                count=requirements["instance_type_count"],
            )
        except ValueError as exc:
            raise pulumi.RunError(f"training pool '{pool['name']}': {exc}") from exc
        types, reason = list(choice.instance_types), choice.reason
    else:  # pragma: no cover - the spec model refuses it
        raise pulumi.RunError(f"training pool '{pool['name']}' needs instanceTypes or requirements")
    catalog = load_catalog()
    gpu = bool(pool.get("accelerator")) or any(
        (info := catalog.instance_type("aws", region, t)) is not None and info.gpu_count > 0 for t in types
    )
    return (
        AwsPoolArgs(
            name=pool["name"],
            instance_types=types,
            gpu=gpu,
            spot=pool["spot"],
            min_nodes=pool["min_nodes"],
            max_nodes=pool["max_nodes"],
            disk_size_gib=pool["disk_size_gib"],
        ),
        reason,
    )

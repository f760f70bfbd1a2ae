"""``GcpTrainingCluster``: a private GKE cluster for training, with one ``GcpTrainingPool`` per spec pool.

The cluster has private nodes, a control plane reachable only from the stack's network and the spec's
authorized ranges, Workload Identity (no node keys for workloads), shielded nodes, Kubernetes secrets
encrypted with the stack key, Dataplane V2 (network policy enforcement), intranode visibility (same-node
pod traffic in flow logs and under firewall rules), GKE cost allocation, and no default node pool. Nodes
run as a dedicated service account with only logging/monitoring/image-pull roles.

A GKE node pool has exactly one machine type, so a spec pool listing several types (spot diversification)
becomes one node pool per type, all carrying the same ``mlkeel.io/pool`` label and taints so a training
job selects the pool, not the type. ``maxNodes`` is split across them so their sum is the spec's ceiling.
Every node pool is spot (unless the spec says otherwise), tainted for training workloads, autoscaled with
the ``ANY`` location policy (spot capacity wherever a zone has it), and boots from CMEK-encrypted disks.

The component also declares the training namespace (``mlkeel-training``) inside the cluster, through a
Kubernetes provider of its own: persona access to the Kubernetes API is granted with RBAC in that
namespace (``GcpAccess``), not with project-wide ``roles/container.developer``, which would read every
Secret of every cluster in the project. The provider authenticates with the deploying identity's OAuth
token (``getClientConfig``) against the cluster's endpoint and CA; its kubeconfig is a Pulumi secret, so
the token never lands in state in clear. The namespace denies all traffic by default (NetworkPolicies, which
Dataplane V2 enforces) and lets jobs reach DNS, each other, Google APIs over HTTPS and the metadata server.
``pulumi up`` must therefore run from a network the control plane admits (the stack subnet or the spec's
``controlPlaneCidrs``).
"""

import ipaddress
import json
from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict, cast

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as kubernetes

from components.args import TrainingPoolArgs
from components.gcp._machines import GpuArgs, machine_zones, node_accelerator
from components.gcp._naming import gcp_name
from components.gcp.args import GcpKeyedArgs
from components.tagging import capability_options

#: Taint and label keys training workloads tolerate / select.
WORKLOAD_KEY = "mlkeel.io/workload"
POOL_KEY = "mlkeel.io/pool"
SPOT_TAINT_KEY = "cloud.google.com/gke-spot"

#: Kubernetes namespace training jobs run in (the ml-engineer persona may edit it, nothing else).
TRAINING_NAMESPACE = "mlkeel-training"

#: Pod Security admission labels of the training namespace.
POD_SECURITY: dict[str, str] = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
}

#: Roles of the node service account: write logs and metrics, pull images. Nothing else.
NODE_ROLES: tuple[str, ...] = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
)


class NodePoolPlan(TypedDict):
    machine_type: str
    min_nodes: int
    max_nodes: int
    zones: list[str]
    accelerator: GpuArgs | None


class GcpTrainingPoolArgs(GcpKeyedArgs):
    cluster: pulumi.Input[str]
    """The GKE cluster id the node pools join."""
    pool_name: str
    node_pools: list[NodePoolPlan]
    spot: bool
    disk_size_gib: int
    service_account: pulumi.Input[str]
    """E-mail of the node service account."""
    workload: NotRequired[str]
    """``training`` (default): tainted so only training pods land there. ``platform``: the untainted
    on-demand pool the in-cluster layer's services (MLflow, its database) run on."""


def split_nodes(min_nodes: int, max_nodes: int, count: int) -> list[tuple[int, int]]:
    """``(min, max)`` per node pool so the maxima sum to ``max_nodes`` and the first holds ``min_nodes``.

    >>> split_nodes(1, 8, 3)
    [(1, 4), (0, 2), (0, 2)]
    """
    if count < 1 or max_nodes < 1 or max_nodes < min_nodes + count - 1:
        raise ValueError(f"cannot split {min_nodes}..{max_nodes} nodes over {count} node pools")
    share, rest = divmod(max_nodes, count)
    maxima = [share + (1 if i < rest else 0) for i in range(count)]
    if maxima[0] < min_nodes:
        others = count - 1
        left = max_nodes - min_nodes
        maxima = [min_nodes] + [left // others + (1 if i < left % others else 0) for i in range(others)]
    return [(min_nodes if i == 0 else 0, m) for i, m in enumerate(maxima)]


class GcpTrainingPool(pulumi.ComponentResource):
    """One spec pool: a spot node pool per machine type (see module docstring)."""

    def __init__(self, name: str, args: GcpTrainingPoolArgs, opts: pulumi.ResourceOptions | None = None):
        workload = args.get("workload", "training")
        # The platform pool's bill belongs to the platform, not to training (and it is no spot candidate).
        component = "platform" if workload == "platform" else "training"
        super().__init__(
            "mlkeel:index:GcpTrainingPool", name, None, capability_options(opts, args["tags"], component)
        )
        pool_name = args["pool_name"]
        taints = []
        if workload == "training":
            taints.append(
                gcp.container.NodePoolNodeConfigTaintArgs(
                    key=WORKLOAD_KEY, value="training", effect="NO_SCHEDULE"
                )
            )
        if args["spot"]:
            taints.append(
                gcp.container.NodePoolNodeConfigTaintArgs(
                    key=SPOT_TAINT_KEY, value="true", effect="NO_SCHEDULE"
                )
            )
        names = []
        for plan in args["node_pools"]:
            gpu = plan["accelerator"]
            node_pool = gcp.container.NodePool(
                f"{name}-{plan['machine_type']}",
                name=gcp_name("node_pool", pool_name, plan["machine_type"]),
                project=args["project"],
                cluster=args["cluster"],
                location=args["region"],
                node_locations=plan["zones"] or None,
                autoscaling=gcp.container.NodePoolAutoscalingArgs(
                    total_min_node_count=plan["min_nodes"],
                    total_max_node_count=plan["max_nodes"],
                    location_policy="ANY",
                ),
                management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
                node_config=gcp.container.NodePoolNodeConfigArgs(
                    machine_type=plan["machine_type"],
                    spot=args["spot"],
                    disk_size_gb=args["disk_size_gib"],
                    disk_type="pd-balanced",
                    boot_disk_kms_key=args["encryption_key"],
                    service_account=args["service_account"],
                    oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
                    shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
                        enable_secure_boot=True, enable_integrity_monitoring=True
                    ),
                    workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(
                        mode="GKE_METADATA"
                    ),
                    metadata={"disable-legacy-endpoints": "true"},
                    labels={WORKLOAD_KEY: workload, POOL_KEY: pool_name},
                    taints=taints,
                    guest_accelerators=[
                        gcp.container.NodePoolNodeConfigGuestAcceleratorArgs(
                            type=gpu["type"],
                            count=gpu["count"],
                            gpu_driver_installation_config=gcp.container.NodePoolNodeConfigGuestAcceleratorGpuDriverInstallationConfigArgs(
                                gpu_driver_version="DEFAULT"
                            ),
                        )
                    ]
                    if gpu
                    else None,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            names.append(node_pool.name)
        self.node_pool_names = names
        self.register_outputs({"node_pools": names})


class ResolvedPool(TypedDict):
    name: str
    machine_types: list[str]
    reason: str
    accelerator: GpuArgs | None
    spot: bool
    min_nodes: int
    max_nodes: int
    disk_size_gib: int
    node_pools: list[NodePoolPlan]
    workload: NotRequired[str]


#: Name of the untainted on-demand pool added when a stack runs the in-cluster Kubernetes layer.
PLATFORM_POOL = "platform"


def platform_pool(region: str, machine_type: str) -> ResolvedPool:
    """The in-cluster layer's own nodes: every training pool is tainted (and spot), so without this pool
    MLflow and its database would never be scheduled. On demand, untainted, 2..4 nodes."""
    return {
        "name": PLATFORM_POOL,
        "machine_types": [machine_type],
        "reason": "the in-cluster layer's services: kubernetes.nodeInstanceType, untainted, on demand",
        "accelerator": None,
        "spot": False,
        "min_nodes": 2,
        "max_nodes": 4,
        "disk_size_gib": 50,
        "node_pools": [
            {
                "machine_type": machine_type,
                "min_nodes": 2,
                "max_nodes": 4,
                "zones": machine_zones(region, machine_type),
                "accelerator": None,
            }
        ],
        "workload": "platform",
    }


def resolve_pool(region: str, pool: TrainingPoolArgs) -> ResolvedPool:
    """Machine types of one spec pool (named, or chosen by the spot scheduler) and its node-pool plans."""
    if pool["instance_types"]:
        types, reason = list(pool["instance_types"]), "machine types named in the spec"
    else:
        from runtime.scheduling import choose_pool_types

        requirements = pool["requirements"]
        assert requirements is not None  # the spec gives exactly one of instanceTypes and requirements
        choice = choose_pool_types(
            "gcp", region, dict(requirements), spot=pool["spot"], count=requirements["instance_type_count"]
        )
        types, reason = list(choice.instance_types), choice.reason
    room = pool["max_nodes"] - pool["min_nodes"] + 1
    if len(types) > room:
        reason += (
            f"; kept the first {room} of {len(types)} types so each gets its own node pool within "
            f"maxNodes {pool['max_nodes']}"
        )
        types = types[:room]
    plans: list[NodePoolPlan] = [
        {
            "machine_type": machine,
            "min_nodes": low,
            "max_nodes": high,
            "zones": machine_zones(region, machine),
            "accelerator": node_accelerator(region, machine, pool["accelerator"]),
        }
        for machine, (low, high) in zip(
            types, split_nodes(pool["min_nodes"], pool["max_nodes"], len(types)), strict=True
        )
    ]
    return {
        "name": pool["name"],
        "machine_types": types,
        "reason": reason,
        "accelerator": plans[0]["accelerator"],
        "spot": pool["spot"],
        "min_nodes": pool["min_nodes"],
        "max_nodes": pool["max_nodes"],
        "disk_size_gib": pool["disk_size_gib"],
        "node_pools": plans,
    }


class GcpTrainingClusterArgs(GcpKeyedArgs):
    network: pulumi.Input[str]
    """VPC id."""
    subnet: pulumi.Input[str]
    """Subnet id (with the pods and services secondary ranges)."""
    pods_range: str
    services_range: str
    node_cidr: str
    """The subnet's range: always allowed to reach the control plane."""
    kubernetes_version: str
    control_plane_cidrs: Sequence[str]
    pools: list[ResolvedPool]


RFC1918 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def kubeconfig(cluster_name: str, endpoint: str, ca_certificate: str, token: str) -> str:
    """A kubeconfig (JSON, which is YAML) for one GKE cluster, authenticating with an OAuth access token.

    A bearer token, not the ``gke-gcloud-auth-plugin`` exec plugin: the program then needs no gcloud
    install, and the token is read afresh by every ``pulumi up`` (it lives an hour). The caller wraps the
    result in a Pulumi secret.
    """
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": cluster_name,
                    "cluster": {
                        "server": f"https://{endpoint}",
                        "certificate-authority-data": ca_certificate,
                    },
                }
            ],
            "users": [{"name": cluster_name, "user": {"token": token}}],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
        },
        sort_keys=True,
    )


def private_endpoint(cidrs: Sequence[str]) -> bool:
    """Whether the control plane can be private-only: every authorized range is an RFC 1918 range
    (reached over VPN/interconnect). Otherwise the endpoint stays public but only those ranges may call it."""
    nets = [ipaddress.ip_network(c) for c in cidrs]
    return all(isinstance(n, ipaddress.IPv4Network) and any(n.subnet_of(p) for p in RFC1918) for n in nets)


#: Link-local addresses training pods may not reach over HTTPS, and the one they call over HTTP: the GKE
#: metadata server, which hands out Workload Identity tokens (Dataplane V2 serves it on 169.254.169.254:80).
METADATA_SERVER = "169.254.169.254/32"


def training_network_policies(
    name: str, namespace: kubernetes.core.v1.Namespace, opts: pulumi.ResourceOptions
) -> None:
    """Default-deny in the training namespace (Dataplane V2 enforces it), then what a training job needs:
    DNS, its own peers (distributed training), Google APIs over HTTPS and the metadata server."""
    ns = namespace.metadata.apply(lambda m: str(m.name))
    dns = {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }
    peers: list[dict[str, Any]] = [{"podSelector": {}}]
    policies = {
        "default-deny": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        "allow-jobs": {
            "podSelector": {},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": peers}],
            "egress": [
                dns,
                {"to": peers},
                {
                    "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": [METADATA_SERVER]}}],
                    "ports": [{"protocol": "TCP", "port": 443}],
                },
                {"to": [{"ipBlock": {"cidr": METADATA_SERVER}}], "ports": [{"protocol": "TCP", "port": 80}]},
            ],
        },
    }
    for policy, spec in policies.items():
        kubernetes.networking.v1.NetworkPolicy(
            f"{name}-{policy}",
            metadata=kubernetes.meta.v1.ObjectMetaArgs(name=f"mlkeel-{policy}", namespace=ns),
            spec=cast(Any, spec),
            opts=opts,
        )


class GcpTrainingCluster(pulumi.ComponentResource):
    """Private GKE cluster with spot training pools (see module docstring)."""

    cluster_name: pulumi.Output[str]

    def __init__(self, name: str, args: GcpTrainingClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpTrainingCluster", name, None, capability_options(opts, args["tags"], "training")
        )
        prefix, region, project, key = args["prefix"], args["region"], args["project"], args["encryption_key"]
        child = pulumi.ResourceOptions(parent=self)

        nodes = gcp.serviceaccount.Account(
            f"{name}-nodes",
            account_id=gcp_name("service_account", prefix, "gke-nodes"),
            display_name=f"{prefix} GKE training nodes (mlkeel)",
            project=project,
            opts=child,
        )
        node_grants = [
            gcp.projects.IAMMember(
                f"{name}-nodes-{role.removeprefix('roles/').replace('.', '-')}",
                project=project,
                role=role,
                member=nodes.member,
                opts=child,
            )
            for role in NODE_ROLES
        ]
        authorized = [args["node_cidr"], *args["control_plane_cidrs"]]
        cluster = gcp.container.Cluster(
            f"{name}-cluster",
            name=gcp_name("cluster", prefix, "training"),
            project=project,
            location=region,
            network=args["network"],
            subnetwork=args["subnet"],
            remove_default_node_pool=True,
            initial_node_count=1,
            min_master_version=args["kubernetes_version"],
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel="REGULAR"),
            deletion_protection=True,
            private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True,
                enable_private_endpoint=private_endpoint(args["control_plane_cidrs"]),
            ),
            master_authorized_networks_config=gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
                cidr_blocks=[
                    gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                        cidr_block=cidr, display_name="stack nodes" if i == 0 else f"authorized range {i}"
                    )
                    for i, cidr in enumerate(authorized)
                ],
                gcp_public_cidrs_access_enabled=False,
            ),
            ip_allocation_policy=gcp.container.ClusterIpAllocationPolicyArgs(
                cluster_secondary_range_name=args["pods_range"],
                services_secondary_range_name=args["services_range"],
            ),
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
                workload_pool=f"{project}.svc.id.goog"
            ),
            enable_shielded_nodes=True,
            enable_legacy_abac=False,
            database_encryption=gcp.container.ClusterDatabaseEncryptionArgs(state="ENCRYPTED", key_name=key),
            datapath_provider="ADVANCED_DATAPATH",
            # Pod-to-pod traffic on one node goes through the VPC too, so flow logs and firewall rules see it.
            enable_intranode_visibility=True,
            # Nodes run only images the project's Binary Authorization policy admits (the default policy
            # admits all; a security team tightens it per project without touching the stack).
            binary_authorization=gcp.container.ClusterBinaryAuthorizationArgs(
                evaluation_mode="PROJECT_SINGLETON_POLICY_ENFORCE"
            ),
            cost_management_config=gcp.container.ClusterCostManagementConfigArgs(enabled=True),
            logging_config=gcp.container.ClusterLoggingConfigArgs(
                enable_components=["SYSTEM_COMPONENTS", "APISERVER", "WORKLOADS"]
            ),
            master_auth=gcp.container.ClusterMasterAuthArgs(
                client_certificate_config=gcp.container.ClusterMasterAuthClientCertificateConfigArgs(
                    issue_client_certificate=False
                )
            ),
            # The default pool is created and removed at once; it still boots shielded from CMEK disks.
            node_config=gcp.container.ClusterNodeConfigArgs(
                service_account=nodes.email,
                boot_disk_kms_key=key,
                shielded_instance_config=gcp.container.ClusterNodeConfigShieldedInstanceConfigArgs(
                    enable_secure_boot=True, enable_integrity_monitoring=True
                ),
                workload_metadata_config=gcp.container.ClusterNodeConfigWorkloadMetadataConfigArgs(
                    mode="GKE_METADATA"
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=node_grants),
        )
        pools = {}
        for pool in args["pools"]:
            pools[pool["name"]] = GcpTrainingPool(
                f"{name}-{pool['name']}",
                {
                    "prefix": prefix,
                    "tags": args["tags"],
                    "region": region,
                    "project": project,
                    "encryption_key": key,
                    "cluster": cluster.id,
                    "pool_name": pool["name"],
                    "node_pools": pool["node_pools"],
                    "spot": pool["spot"],
                    "disk_size_gib": pool["disk_size_gib"],
                    "service_account": nodes.email,
                    "workload": pool.get("workload", "training"),
                },
                opts=child,
            )
        # The deploying identity's token, read by an invoke through the stack's GCP provider (the parent's).
        client = gcp.organizations.get_client_config_output(opts=pulumi.InvokeOptions(parent=self))
        plain: pulumi.Output[str] = pulumi.Output.all(
            cluster.name,
            cluster.endpoint,
            cluster.master_auth.cluster_ca_certificate,
            client.access_token,
        ).apply(lambda v: kubeconfig(str(v[0]), str(v[1]), str(v[2] or ""), str(v[3])))
        config: pulumi.Output[str] = pulumi.Output.secret(plain)
        provider = kubernetes.Provider(
            f"{name}-kubernetes",
            kubeconfig=config,
            opts=child,
        )
        namespace = kubernetes.core.v1.Namespace(
            f"{name}-namespace",
            # Pod Security admission: no privileged pods, host namespaces or host paths (baseline); the
            # stricter profile only warns, since common training images run as root.
            metadata=kubernetes.meta.v1.ObjectMetaArgs(name=TRAINING_NAMESPACE, labels=POD_SECURITY),
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        training_network_policies(name, namespace, pulumi.ResourceOptions(parent=self, provider=provider))
        self.cluster = cluster
        self.cluster_name = cluster.name
        self.kubernetes_provider = provider
        self.training_namespace = namespace.metadata.apply(lambda m: str(m.name))
        self.cluster_id = cluster.id
        # The pool exists once a Workload Identity cluster does: bindings to it wait for the cluster.
        self.workload_pool = cluster.id.apply(lambda _: f"{project}.svc.id.goog")
        self.node_service_account = nodes.email
        self.pools = pools
        self.register_outputs(
            {"cluster_name": cluster.name, "endpoint": cluster.endpoint, "node_service_account": nodes.email}
        )

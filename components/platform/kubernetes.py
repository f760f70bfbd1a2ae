"""Compose the in-cluster layer of one team stack: tenancy first, then one capability at a time.

Two callers. On ``cloud: kubernetes``, :func:`compose` is the stack's composer: a provider from the spec's
kubeconfig (a secret) or path and context, and no cloud resources. On AWS and GCP stacks with a
``kubernetes:`` section, the cloud composer builds the provider from its EKS/GKE cluster's outputs and calls
:func:`compose_layer` with the cloud's extras (artifact bucket, workload identity annotations, Karpenter).
Everything namespaced takes the namespace from :class:`K8sTenancy`, so the namespace and its admission
labels exist first. On AWS/GCP, serving and the feature store stay on the cloud's managed services; the
layer adds MLflow, the training pools' placement and queues, and their monitoring.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.access.kubernetes import K8sAccess, K8sAccessArgs
from components.args import KubernetesArgs, PlatformArgs
from components.feature_store.kubernetes import FEAST_PORT, K8sFeatureStore, K8sFeatureStoreArgs
from components.kubernetes import labels, make_provider, selector
from components.kubernetes.args import K8sWorkloadArgs
from components.monitoring.kubernetes import K8sMonitoring, K8sMonitoringArgs, K8sScrapeTargetArgs
from components.network.kubernetes import K8sEndpointArgs, K8sNetwork, K8sNetworkArgs
from components.registry.kubernetes import K8sModelRegistry, K8sModelRegistryArgs
from components.serving.kubernetes import SERVING_PORT, K8sServing, K8sServingArgs
from components.tenancy.kubernetes import K8sTenancy, K8sTenancyArgs
from components.training.kubernetes import K8sKarpenterArgs, K8sPoolArgs, K8sTraining, K8sTrainingArgs

Outputs = dict[str, Any]
#: The workloads that get their own service account.
WORKLOADS = ("mlflow", "mlflow-postgres", "feast", "feast-redis", "serving", "training")


@dataclass(frozen=True)
class K8sLayer:
    """What the layer hands to whoever adds objects to the namespace (the self-healing CronJob)."""

    provider: k8s.Provider
    namespace: pulumi.Output[str]
    tenancy: K8sTenancy
    tags: dict[str, str]
    service_accounts: pulumi.Output[dict[str, str]]

    def labels(self, component: str, app: str | None = None) -> dict[str, str]:
        return labels(self.tags, component, app)

    def opts(self, parent: pulumi.Resource | None = None) -> pulumi.ResourceOptions:
        """Options for a new object in the layer: the layer's provider, parented under ``parent``."""
        return pulumi.ResourceOptions(parent=parent or self.tenancy, provider=self.provider)


@dataclass(frozen=True)
class CloudExtras:
    """What an AWS/GCP stack adds: where artifacts go, identities, Karpenter, and which pools exist."""

    cloud: str
    pools: list[K8sPoolArgs]
    artifact_root: pulumi.Input[str] | None = None
    identity: Mapping[str, Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    """Workload -> service-account annotations (workload identity)."""
    identity_endpoints: list[K8sEndpointArgs] = field(default_factory=list)
    karpenter: K8sKarpenterArgs | None = None


def namespace_name(spec: PlatformArgs) -> str:
    k8s_spec = spec.get("kubernetes")
    return (k8s_spec["namespace"] if k8s_spec else None) or spec["prefix"]


def pricing(spec: PlatformArgs, extras: CloudExtras) -> dict[str, Any]:
    """What prices the namespace's requests: the node cloud and region, the general nodes, the pools."""
    k8s_spec = spec["kubernetes"]
    assert k8s_spec is not None
    return {
        "cloud": extras.cloud if extras.cloud != "kubernetes" else k8s_spec["node_cloud"],
        "region": spec["region"],
        "nodeInstanceType": k8s_spec["node_instance_type"],
        "nodeSpot": False,
        "pools": {
            p["name"]: {"instanceTypes": list(p["instance_types"]), "spot": p["spot"], "gpus": p["gpus"]}
            for p in extras.pools
        },
    }


def layer_workloads(spec: PlatformArgs, standalone: bool) -> list[str]:
    """The workloads the layer runs (each gets a service account). On AWS/GCP the feature store and serving
    stay on the cloud's managed services, so Feast and the model servers run only on ``cloud: kubernetes``."""
    k8s_spec = spec["kubernetes"]
    assert k8s_spec is not None
    registry = spec["registry"]["enabled"]
    features = standalone and spec["feature_store"]["enabled"]
    wanted = {
        "mlflow": registry,
        "mlflow-postgres": registry and k8s_spec["mlflow"]["backend"] == "postgres",
        "feast": features,
        "feast-redis": features,
        "serving": standalone and spec["serving"]["enabled"] and bool(spec["serving"]["endpoints"]),
        "training": spec["training"]["enabled"],
    }
    return [w for w in WORKLOADS if wanted[w]]


def compose_layer(
    parent: pulumi.Resource,
    name: str,
    spec: PlatformArgs,
    tags: dict[str, str],
    provider: k8s.Provider,
    extras: CloudExtras,
    out: Outputs,
) -> K8sLayer:
    """Create the layer's capabilities in dependency order; write ``out["kubernetes"]``."""
    k8s_spec: KubernetesArgs | None = spec.get("kubernetes")
    assert k8s_spec is not None
    base = f"{name}-k8s"
    opts = pulumi.ResourceOptions(parent=parent, providers={"kubernetes": provider})
    common = {"prefix": spec["prefix"], "tags": tags, "region": spec["region"]}
    standalone = extras.cloud == "kubernetes"

    tenancy = K8sTenancy(
        f"{base}-tenancy",
        K8sTenancyArgs(
            **common,  # type: ignore[typeddict-item]
            namespace=namespace_name(spec),
            quota=k8s_spec["quota"],
            limits=k8s_spec["limits"],
            pricing=pricing(spec, extras),
        ),
        opts=opts,
    )
    ns = tenancy.namespace
    scoped = {**common, "namespace": ns}
    K8sNetwork(
        f"{base}-network",
        K8sNetworkArgs(
            **scoped,  # type: ignore[typeddict-item]
            monitoring_namespace=k8s_spec["monitoring_namespace"],
            ingress_namespaces=list(k8s_spec["ingress_namespaces"]) if standalone else [],
            identity_endpoints=list(extras.identity_endpoints),
        ),
        opts=opts,
    )
    endpoints = list(spec["serving"]["endpoints"]) if spec["serving"]["enabled"] else []
    workloads = {
        w: K8sWorkloadArgs(automount_token=False, annotations=dict(extras.identity.get(w, {})))
        for w in layer_workloads(spec, standalone)
    }
    access = K8sAccess(
        f"{base}-access",
        K8sAccessArgs(
            **scoped,  # type: ignore[typeddict-item]
            personas={k: list(v) for k, v in spec["access"]["personas"].items()},
            cloud=extras.cloud,
            workloads=workloads,
        ),
        opts=opts,
    )
    accounts = access.service_accounts
    result: Outputs = {"namespace": ns, "serviceAccounts": accounts}
    targets: list[K8sScrapeTargetArgs] = []

    if spec["registry"]["enabled"]:
        mlflow = k8s_spec["mlflow"]
        bucket = mlflow["artifacts"] == "bucket" or (mlflow["artifacts"] is None and not standalone)
        registry = K8sModelRegistry(
            f"{base}-registry",
            K8sModelRegistryArgs(
                **scoped,  # type: ignore[typeddict-item]
                mlflow=mlflow,
                artifact_root=extras.artifact_root if bucket else None,
                service_account=accounts.apply(lambda a: a["mlflow"]),
                database_service_account=accounts.apply(lambda a: a.get("mlflow-postgres", "")),
            ),
            opts=opts,
        )
        result["mlflow"] = {"trackingUri": registry.tracking_uri, "backendSecret": registry.backend_secret}
        targets.append(
            K8sScrapeTargetArgs(
                app="mlflow", selector=selector("mlflow"), port="http", target_port=None, path="/metrics"
            )
        )
    if standalone and spec["feature_store"]["enabled"]:
        features = K8sFeatureStore(
            f"{base}-features",
            K8sFeatureStoreArgs(
                **scoped,  # type: ignore[typeddict-item]
                feast=k8s_spec["feast"],
                groups=list(spec["feature_store"]["groups"]),
                registry_root=None,
                service_account=accounts.apply(lambda a: a["feast"]),
                redis_service_account=accounts.apply(lambda a: a["feast-redis"]),
            ),
            opts=opts,
        )
        result["feast"] = {"featureServerUri": features.feature_server_uri, "port": FEAST_PORT}
        targets.append(
            K8sScrapeTargetArgs(
                app="feast", selector=selector("feast"), port="http", target_port=None, path="/metrics"
            )
        )
    if spec["training"]["enabled"] and extras.pools:
        training = K8sTraining(
            f"{base}-training",
            K8sTrainingArgs(
                **scoped,  # type: ignore[typeddict-item]
                cloud=extras.cloud,
                pools=list(extras.pools),
                quota=k8s_spec["quota"],
                queueing=k8s_spec["queueing"],
                karpenter=extras.karpenter if k8s_spec["karpenter"] else None,
            ),
            opts=opts,
        )
        result["training"] = {"priorityClass": training.priority_class, "localQueue": training.local_queue}
    if standalone and endpoints:
        serving = K8sServing(
            f"{base}-serving",
            K8sServingArgs(
                **scoped,  # type: ignore[typeddict-item]
                endpoints=endpoints,
                resources=k8s_spec["serving"],
                kserve=k8s_spec["kserve"],
                service_account=accounts.apply(lambda a: a["serving"]),
            ),
            opts=opts,
        )
        result["serving"] = {"endpoints": serving.endpoint_names, "kserve": k8s_spec["kserve"]}
        for endpoint in endpoints:
            app = endpoint["name"]
            targets.append(
                K8sScrapeTargetArgs(
                    app=app,
                    selector={"serving.kserve.io/inferenceservice": app}
                    if k8s_spec["kserve"]
                    else selector(app),
                    port=None if k8s_spec["kserve"] else "http",
                    target_port=SERVING_PORT if k8s_spec["kserve"] else None,
                    path="/metrics",
                )
            )
    if spec["monitoring"]["enabled"] and k8s_spec["prometheus_operator"]:
        mon = spec["monitoring"]
        monitoring = K8sMonitoring(
            f"{base}-monitoring",
            K8sMonitoringArgs(
                **scoped,  # type: ignore[typeddict-item]
                targets=targets,
                latency_p99_ms=mon["latency_p99_ms"],
                error_rate_percent=mon["error_rate_percent"],
                drift_share_threshold=mon["drift_share_threshold"],
            ),
            opts=opts,
        )
        result["monitoring"] = {"rule": monitoring.rule_name}
    out["kubernetes"] = result
    return K8sLayer(provider=provider, namespace=ns, tenancy=tenancy, tags=tags, service_accounts=accounts)


def scrapes(spec: PlatformArgs) -> bool:
    """Whether the layer has Prometheus to take the self-healing CronJob's figures (through a
    Pushgateway): monitoring on and the Prometheus Operator installed."""
    k8s_spec = spec.get("kubernetes")
    return bool(spec["monitoring"]["enabled"] and k8s_spec and k8s_spec["prometheus_operator"])


def standalone_pools(spec: PlatformArgs) -> list[K8sPoolArgs]:
    """The training pools of a ``cloud: kubernetes`` stack: existing node pools, GPUs from the catalog."""
    from runtime.pricing import load_catalog

    k8s_spec = spec["kubernetes"]
    assert k8s_spec is not None
    if not spec["training"]["enabled"]:
        return []
    catalog = load_catalog()
    pools = []
    for pool in spec["training"]["pools"]:
        gpus = pool["accelerator"]["count"] if pool["accelerator"] else 0
        for name in pool["instance_types"]:
            info = catalog.instance_type(k8s_spec["node_cloud"], spec["region"], name)
            gpus = max(gpus, info.gpu_count if info else 0)
        pools.append(
            K8sPoolArgs(
                name=pool["name"], instance_types=list(pool["instance_types"]), spot=pool["spot"], gpus=gpus
            )
        )
    return pools


def compose(
    platform: pulumi.ComponentResource, name: str, spec: PlatformArgs, tags: dict[str, str]
) -> Outputs:
    """``cloud: kubernetes``: the layer on any cluster, through the spec's kubeconfig and context."""
    k8s_spec = spec.get("kubernetes")
    if k8s_spec is None:  # pragma: no cover - the spec rules refuse it
        raise ValueError("cloud 'kubernetes' needs the 'kubernetes' section")
    kubeconfig = k8s_spec.get("kubeconfig") or k8s_spec.get("kubeconfig_path")
    provider = make_provider(platform, name, kubeconfig=kubeconfig, context=k8s_spec.get("context"))
    out: Outputs = {}
    compose_layer(
        platform,
        name,
        spec,
        tags,
        provider,
        CloudExtras(cloud="kubernetes", pools=standalone_pools(spec)),
        out,
    )
    return out


# ------------------------------------------------------------------------------------------ on EKS / GKE
#: The EKS Pod Identity agent's link-local address: pods with cloud access call it for credentials.
EKS_POD_IDENTITY_AGENT = K8sEndpointArgs(cidr="169.254.170.23/32", port=80)
#: The GKE metadata server (Workload Identity) as pods see it.
GKE_METADATA_SERVER = K8sEndpointArgs(cidr="169.254.169.254/32", port=80)


@dataclass(frozen=True)
class EksCluster:
    """What the AWS composer knows of its training cluster and stack, for the layer inside it."""

    provider: Any
    """The stack's ``aws.Provider``."""
    region: str
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    role_path: str
    cluster_name: pulumi.Output[str]
    node_role_arn: pulumi.Output[str]
    subnet_ids: pulumi.Input[list[str]]
    encryption_key: pulumi.Input[str]
    bucket_name: pulumi.Input[str] | None
    bucket_arn: pulumi.Input[str] | None
    pools: dict[str, dict[str, Any]]
    """Pool -> the AWS composer's resolution (``instanceTypes``, ``capacityType``, ``gpu``)."""


def _aws_workload_role(
    parent: pulumi.Resource,
    name: str,
    workload: str,
    spec: PlatformArgs,
    eks: EksCluster,
    prefixes: list[str],
) -> Any:
    """An IAM role for one workload's pods (EKS Pod Identity): the bucket under ``prefixes``, the key."""
    import pulumi_aws as aws

    from components.aws._iam import document, statement
    from components.aws._naming import aws_name

    assert eks.bucket_arn is not None
    trust = document(
        [
            {
                "Sid": "TrustEksPodIdentity",
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"StringEquals": {"aws:SourceAccount": eks.account_id}},
            }
        ]
    )
    opts = pulumi.ResourceOptions(parent=parent, provider=eks.provider)
    role = aws.iam.Role(
        f"{name}-k8s-{workload}-role",
        name=aws_name("iam-role", spec["prefix"], f"k8s-{workload}"),
        path=eks.role_path,
        description=f"Pods of {workload} in the {spec['prefix']} namespace (EKS Pod Identity)",
        assume_role_policy=trust,
        opts=opts,
    )
    objects = [pulumi.Output.format("{0}/{1}*", eks.bucket_arn, p) for p in prefixes]
    aws.iam.RolePolicy(
        f"{name}-k8s-{workload}-policy",
        role=role.id,
        policy=document(
            [
                statement(
                    "ReadWriteOwnPrefixes", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], objects
                ),
                statement(
                    "ListOwnPrefixes",
                    ["s3:ListBucket"],
                    [eks.bucket_arn],
                    conditions={"StringLike": {"s3:prefix": [f"{p}*" for p in prefixes]}},
                ),
                statement(
                    "UseStackKey", ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], [eks.encryption_key]
                ),
            ]
        ),
        opts=opts,
    )
    return role


def _account(accounts: dict[str, str], workload: str) -> str:
    return accounts[workload]


def on_eks(
    platform: pulumi.ComponentResource,
    name: str,
    spec: PlatformArgs,
    tags: dict[str, str],
    eks: EksCluster,
    out: Outputs,
) -> K8sLayer:
    """The layer inside the stack's EKS cluster: a provider from the cluster's outputs (``aws eks get-token``,
    no static token), MLflow artifacts in the stack bucket through EKS Pod Identity, Karpenter spot pools."""
    import pulumi_aws as aws

    from components.kubernetes import eks_kubeconfig

    k8s_spec = spec["kubernetes"]
    assert k8s_spec is not None
    cluster = aws.eks.get_cluster_output(
        name=eks.cluster_name, opts=pulumi.InvokeOutputOptions(provider=eks.provider, parent=platform)
    )
    ca = cluster.certificate_authorities.apply(lambda cas: (cas[0].data if cas else "") or "")
    endpoint = cluster.endpoint.apply(lambda e: e or "")
    provider = make_provider(
        platform, name, kubeconfig=eks_kubeconfig(eks.cluster_name, endpoint, ca, eks.region)
    )
    security_groups = cluster.vpc_config.apply(
        lambda v: [v.cluster_security_group_id] if v and v.cluster_security_group_id else []
    )
    pools = []
    for pool in spec["training"]["pools"]:
        resolved = eks.pools[pool["name"]]
        gpus = pool["accelerator"]["count"] if pool["accelerator"] else (1 if resolved["gpu"] else 0)
        pools.append(
            K8sPoolArgs(
                name=pool["name"],
                instance_types=list(resolved["instanceTypes"]),
                spot=resolved["capacityType"] == "SPOT",
                gpus=gpus,
            )
        )
    disk = max((p["disk_size_gib"] for p in spec["training"]["pools"]), default=100)
    bucket = eks.bucket_name
    extras = CloudExtras(
        cloud="aws",
        pools=pools,
        artifact_root=pulumi.Output.concat("s3://", bucket) if bucket is not None else None,
        identity_endpoints=[EKS_POD_IDENTITY_AGENT],
        karpenter=K8sKarpenterArgs(
            cluster_name=eks.cluster_name,
            node_role_name=eks.node_role_arn.apply(lambda a: a.rsplit("/", 1)[-1]),
            subnet_ids=eks.subnet_ids,
            security_group_ids=security_groups,
            encryption_key=eks.encryption_key,
            disk_size_gib=disk,
        ),
    )
    layer = compose_layer(platform, name, spec, tags, provider, extras, out)
    if eks.bucket_arn is not None:
        grants = {"mlflow": ["mlflow/"], "training": ["checkpoints/", "training-output/"]}
        for workload, prefixes in grants.items():
            if workload == "mlflow" and not spec["registry"]["enabled"]:
                continue
            role = _aws_workload_role(platform, name, workload, spec, eks, prefixes)
            aws.eks.PodIdentityAssociation(
                f"{name}-k8s-{workload}-identity",
                cluster_name=eks.cluster_name,
                namespace=layer.namespace,
                service_account=layer.service_accounts.apply(functools.partial(_account, workload=workload)),
                role_arn=role.arn,
                opts=pulumi.ResourceOptions(parent=platform, provider=eks.provider),
            )
    return layer


@dataclass(frozen=True)
class GkeCluster:
    """What the GCP composer knows of its training cluster and stack, for the layer inside it."""

    opts: pulumi.ResourceOptions
    """Options carrying the stack's ``gcp.Provider`` (for the Google service accounts and bindings)."""
    project: str
    kubernetes_provider: k8s.Provider
    """The cluster's own provider (``GcpTrainingCluster.kubernetes_provider``), built from its outputs."""
    workload_pool: pulumi.Input[str]
    """``<project>.svc.id.goog``, known once the cluster exists."""
    bucket_name: pulumi.Input[str] | None
    pools: dict[str, dict[str, Any]]
    """Pool -> the GCP composer's resolution (``machineTypes``, ``spot``, ``nodePools``)."""


#: Workload -> the prefixes of the stack bucket its Google service account may use (the same split as the
#: EKS roles). Feast runs in the layer only on ``cloud: kubernetes``; the entry is there for when it does.
GKE_BUCKET_PREFIXES: dict[str, tuple[str, ...]] = {
    "mlflow": ("mlflow/",),
    "training": ("checkpoints/", "training-output/"),
    "feast": ("feast/",),
}
#: The one role a workload holds, on the bucket only and under an IAM condition on its prefixes: read,
#: write, list and delete objects; no bucket settings, no IAM.
GKE_BUCKET_ROLE = "roles/storage.objectUser"
GKE_ANNOTATION = "iam.gke.io/gcp-service-account"


def prefix_condition(bucket: str, prefixes: tuple[str, ...]) -> str:
    """A CEL condition: objects under ``prefixes`` only, and listings only of those prefixes (the list call
    is checked on the bucket, so it is admitted by the ``objectListPrefix`` the caller asks for)."""
    objects = " || ".join(
        f'resource.name.startsWith("projects/_/buckets/{bucket}/objects/{p}")' for p in prefixes
    )
    listing = " || ".join(
        f'api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("{p}")' for p in prefixes
    )
    return f'{objects} || (resource.type == "storage.googleapis.com/Bucket" && ({listing}))'


def workload_identity_member(pool: str, namespace: str, account: str) -> str:
    """The Workload Identity principal of exactly one Kubernetes service account."""
    return f"serviceAccount:{pool}[{namespace}/{account}]"


def on_gke(
    platform: pulumi.ComponentResource,
    name: str,
    spec: PlatformArgs,
    tags: dict[str, str],
    gke: GkeCluster,
    out: Outputs,
) -> K8sLayer:
    """The layer inside the stack's GKE cluster, through the cluster's own provider; MLflow artifacts and
    training checkpoints in the stack bucket through GKE Workload Identity; training on the spot node pools.

    Each workload with cloud access gets a Google service account before the layer exists, so its Kubernetes
    service account is created with the ``iam.gke.io/gcp-service-account`` annotation; the
    ``roles/iam.workloadIdentityUser`` binding then names exactly ``<pool>[<namespace>/<ksa>]``.
    """
    import pulumi_gcp as gcp

    from components.gcp._naming import gcp_name

    pools = []
    for pool in spec["training"]["pools"]:
        resolved = gke.pools[pool["name"]]
        accelerators = [n["accelerator"] for n in resolved["nodePools"] if n["accelerator"]]
        gpus = max((a["count"] for a in accelerators), default=0)
        pools.append(
            K8sPoolArgs(
                name=pool["name"],
                instance_types=list(resolved["machineTypes"]),
                spot=resolved["spot"],
                gpus=gpus,
            )
        )
    child = pulumi.ResourceOptions.merge(gke.opts, pulumi.ResourceOptions(parent=platform))
    accounts: dict[str, gcp.serviceaccount.Account] = {}
    if gke.bucket_name is not None:
        for workload in layer_workloads(spec, standalone=False):
            if workload not in GKE_BUCKET_PREFIXES:
                continue
            accounts[workload] = gcp.serviceaccount.Account(
                f"{name}-k8s-{workload}",
                account_id=gcp_name("service_account", spec["prefix"], f"k8s-{workload}"),
                display_name=f"{spec['prefix']} {workload} pods in the cluster (mlkeel)",
                description=f"Workload Identity of the {workload} pods in namespace {namespace_name(spec)}",
                project=gke.project,
                opts=child,
            )
    bucket = gke.bucket_name
    extras = CloudExtras(
        cloud="gcp",
        pools=pools,
        artifact_root=pulumi.Output.concat("gs://", bucket) if bucket is not None else None,
        identity={w: {GKE_ANNOTATION: a.email} for w, a in accounts.items()},
        identity_endpoints=[GKE_METADATA_SERVER],
    )
    layer = compose_layer(platform, name, spec, tags, gke.kubernetes_provider, extras, out)
    for workload, account in accounts.items():
        assert bucket is not None
        prefixes = GKE_BUCKET_PREFIXES[workload]
        gcp.storage.BucketIAMMember(
            f"{name}-k8s-{workload}-bucket",
            bucket=bucket,
            role=GKE_BUCKET_ROLE,
            member=account.member,
            condition=gcp.storage.BucketIAMMemberConditionArgs(
                title=f"{workload} prefixes",
                description=f"Only objects under {', '.join(prefixes)}",
                expression=pulumi.Output.from_input(bucket).apply(
                    functools.partial(prefix_condition, prefixes=prefixes)
                ),
            ),
            opts=child,
        )
        gcp.serviceaccount.IAMMember(
            f"{name}-k8s-{workload}-workload-identity",
            service_account_id=account.name,
            role="roles/iam.workloadIdentityUser",
            member=pulumi.Output.all(
                gke.workload_pool,
                layer.namespace,
                layer.service_accounts.apply(functools.partial(_account, workload=workload)),
            ).apply(lambda v: workload_identity_member(str(v[0]), str(v[1]), str(v[2]))),
            opts=child,
        )
    identities = out["kubernetes"].setdefault("workloadIdentities", {})
    identities.update({w: a.email for w, a in accounts.items()})
    return layer

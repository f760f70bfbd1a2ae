"""Compose the GCP platform of one team stack: the provider, then one wiring function per capability.

Each wiring function reads its part of the spec, takes the components it depends on, creates its
capability (or nothing, when the spec switches it off) and writes its section of the stack outputs. The
shared inputs come from one :class:`GcpContext`, so no capability restates prefix, tags, region, project
or key. The order follows the dependencies: network, encryption (the key and its service-agent grants),
registry, feature store, training (cluster and node identity), access (persona and workload identities,
bound to the cluster's Workload Identity pool), serving, monitoring (needs endpoint ids), audit, budget
(needs the monitoring channels). Every CMEK consumer depends on the encryption component, so nothing is
created before its service agent may use the key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_gcp as gcp

from components.access.gcp import GcpAccess, GcpAccessArgs
from components.args import PlatformArgs
from components.audit.gcp import GcpAudit, GcpAuditArgs
from components.budget.gcp import GcpBudget, GcpBudgetArgs
from components.encryption.gcp import GcpEncryption, GcpEncryptionArgs
from components.feature_store.gcp import GcpFeatureStore, GcpFeatureStoreArgs
from components.gcp.args import GcpCapabilityArgs, GcpKeyedArgs
from components.monitoring.gcp import GcpMonitoring, GcpMonitoringArgs
from components.network.gcp import GcpNetwork, GcpNetworkArgs
from components.registry.gcp import GcpModelRegistry, GcpModelRegistryArgs
from components.self_healing.aws import IMAGE_TAG
from components.self_healing.gcp import IMAGE_NAME, GcpSelfHealing, GcpSelfHealingArgs
from components.serving.gcp import GcpServing, GcpServingArgs, model_deployer, resolve_endpoints
from components.training.gcp import GcpTrainingCluster, GcpTrainingClusterArgs, platform_pool, resolve_pool

if TYPE_CHECKING:
    from components.platform.kubernetes import K8sLayer

#: The monitoring policies whose open incidents roll a self-healing canary back.
ROLLBACK_POLICIES = ("latency", "errors")
#: How often online feature views refresh from BigQuery (UTC cron).
FEATURE_SYNC_CRON = "0 * * * *"

Outputs = dict[str, Any]


@dataclass(frozen=True)
class GcpContext:
    """What every GCP capability of one stack shares: names, labels, project, region, key, options."""

    name: str
    """The platform's logical name; capability ``x`` is ``<name>-x``."""
    prefix: str
    tags: dict[str, str]
    region: str
    project: str
    opts: pulumi.ResourceOptions
    key: pulumi.Output[str] | None = None
    """The stack key's id, once the encryption capability has made it."""

    def base(self) -> GcpCapabilityArgs:
        return GcpCapabilityArgs(prefix=self.prefix, tags=self.tags, region=self.region, project=self.project)

    def keyed(self) -> GcpKeyedArgs:
        if self.key is None:  # pragma: no cover - compose makes the key before its consumers
            raise RuntimeError("the stack key is made before any capability that uses it")
        return GcpKeyedArgs(**self.base(), encryption_key=self.key)


def key_services(spec: PlatformArgs) -> list[str]:
    """Service agents that need the stack key, from the capabilities switched on."""
    services: list[str] = []

    def need(*names: str) -> None:
        services.extend(n for n in names if n not in services)

    if spec["registry"]["enabled"]:
        need("storage", "artifactregistry", "aiplatform")
    if spec["feature_store"]["enabled"]:
        need("bigquery", "aiplatform")
    if spec["training"]["enabled"]:
        need("container", "compute")
    if spec["serving"]["enabled"] and spec["serving"]["endpoints"]:
        need("aiplatform", "bigquery")
    if spec["audit"]["enabled"]:
        need("logging")
    return services


# ------------------------------------------------------------------------------------------ wiring
def network(ctx: GcpContext, spec: PlatformArgs, out: Outputs) -> GcpNetwork | None:
    if not spec["network"]["enabled"]:
        return None
    component = GcpNetwork(
        f"{ctx.name}-network", GcpNetworkArgs(**ctx.base(), cidr=spec["network"]["cidr"]), opts=ctx.opts
    )
    out["network"] = {
        "networkId": component.network_id,
        "subnetId": component.subnet_id,
        "ranges": component.ranges,
        "flowLogs": (
            "subnet flow logs on (5 s aggregation, 50% sampling); retention is the _Default log bucket's"
        ),
    }
    return component


def encryption(ctx: GcpContext, spec: PlatformArgs, out: Outputs) -> GcpEncryption:
    rotation = spec["encryption"]["rotation_days"]
    component = GcpEncryption(
        f"{ctx.name}-encryption",
        GcpEncryptionArgs(**ctx.base(), rotation_days=rotation, services=key_services(spec)),
        opts=ctx.opts,
    )
    out["encryption"] = {
        "keyId": component.key_id,
        "rotationDays": rotation,
        "serviceAgents": sorted(component.agent_members),
    }
    return component


def registry(ctx: GcpContext, spec: PlatformArgs, out: Outputs) -> GcpModelRegistry | None:
    reg = spec["registry"]
    if not reg["enabled"]:
        return None
    component = GcpModelRegistry(
        f"{ctx.name}-registry",
        GcpModelRegistryArgs(
            **ctx.keyed(),
            artifact_retention_days=reg["artifact_retention_days"],
            noncurrent_version_days=reg["noncurrent_version_days"],
            images_to_keep=reg["images_to_keep"],
        ),
        opts=ctx.opts,
    )
    out["registry"] = {
        "bucket": component.bucket_name,
        "metadataStore": component.metadata_store_id,
        "imageRepository": component.repository_url,
        "models": "Vertex AI models are uploaded by pipelines (no pulumi-gcp Model resource); "
        "no model is named by the stack",
    }
    return component


def feature_store(ctx: GcpContext, spec: PlatformArgs, out: Outputs) -> GcpFeatureStore | None:
    if not spec["feature_store"]["enabled"]:
        return None
    component = GcpFeatureStore(
        f"{ctx.name}-features",
        GcpFeatureStoreArgs(
            **ctx.keyed(), groups=spec["feature_store"]["groups"], sync_cron=FEATURE_SYNC_CRON
        ),
        opts=ctx.opts,
    )
    out["featureStore"] = {
        "offlineDataset": component.dataset_id,
        "featureGroups": component.group_names,
        "onlineStore": component.online_store_name,
        "featureViews": component.view_names,
    }
    return component


def training(
    ctx: GcpContext, spec: PlatformArgs, out: Outputs, network: GcpNetwork | None
) -> GcpTrainingCluster | None:
    if not spec["training"]["enabled"]:
        return None
    assert network is not None  # the spec refuses training without the network
    train = spec["training"]
    pools = [resolve_pool(ctx.region, pool) for pool in train["pools"]]
    k8s = spec.get("kubernetes")
    if k8s is not None:
        # Every training pool is tainted for training (and spot): the in-cluster layer's services need
        # an untainted on-demand pool to run on.
        pools.append(platform_pool(ctx.region, k8s["node_instance_type"]))
    component = GcpTrainingCluster(
        f"{ctx.name}-training",
        GcpTrainingClusterArgs(
            **ctx.keyed(),
            network=network.network_id,
            subnet=network.subnet_id,
            pods_range=network.pods_range_name,
            services_range=network.services_range_name,
            node_cidr=network.ranges["nodes"],
            kubernetes_version=train["kubernetes_version"],
            control_plane_cidrs=train["control_plane_cidrs"],
            pools=pools,
        ),
        opts=ctx.opts,
    )
    out["training"] = {
        "clusterName": component.cluster_name,
        "nodeServiceAccount": component.node_service_account,
        "pools": {
            p["name"]: {
                "machineTypes": p["machine_types"],
                "reason": p["reason"],
                "spot": p["spot"],
                "nodePools": [
                    {
                        "machineType": n["machine_type"],
                        "minNodes": n["min_nodes"],
                        "maxNodes": n["max_nodes"],
                        "accelerator": n["accelerator"],
                    }
                    for n in p["node_pools"]
                ],
            }
            for p in pools
        },
        "spotJobs": "Vertex AI custom jobs choose Spot per job (scheduling.strategy=SPOT); the stack's "
        "spotJobs budgets apply to jobs submitted by pipelines, not to a declared resource",
    }
    return component


def access(
    ctx: GcpContext,
    spec: PlatformArgs,
    out: Outputs,
    registry: GcpModelRegistry | None,
    training: GcpTrainingCluster | None,
) -> GcpAccess:
    component = GcpAccess(
        f"{ctx.name}-access",
        GcpAccessArgs(
            **ctx.base(),
            personas=spec["access"]["personas"],
            artifact_bucket=registry.bucket_name if registry else None,
            workload_pool=training.workload_pool if training else None,
            training_namespace=training.training_namespace if training else None,
        ),
        opts=(
            pulumi.ResourceOptions.merge(
                ctx.opts, pulumi.ResourceOptions(providers=[training.kubernetes_provider])
            )
            if training
            else ctx.opts
        ),
    )
    out["access"] = {
        "personaServiceAccounts": component.persona_accounts,
        "workloadServiceAccounts": component.workload_accounts,
        "kubernetesServiceAccounts": component.kubernetes_service_accounts,
    }
    return component


def serving(
    ctx: GcpContext,
    spec: PlatformArgs,
    out: Outputs,
    network: GcpNetwork | None,
    encryption: GcpEncryption,
    access: GcpAccess,
) -> GcpServing | None:
    if not (spec["serving"]["enabled"] and spec["serving"]["endpoints"]):
        return None
    assert network is not None  # the spec refuses serving without the network
    # The endpoint peers through private services access: its network value waits for the connection.
    vpc_path = pulumi.Output.all(
        pulumi.Output.concat(
            "projects/", encryption.project_number, "/global/networks/", network.network_name
        ),
        network.private_service_access.id,
    ).apply(lambda values: str(values[0]))
    component = GcpServing(
        f"{ctx.name}-serving",
        GcpServingArgs(
            **ctx.keyed(),
            network=vpc_path,
            endpoints=resolve_endpoints(ctx.region, spec["serving"]["endpoints"]),
            service_account=access.workload_accounts["serving"],
            deployer=model_deployer(),
        ),
        opts=ctx.opts,
    )
    out["serving"] = {
        "predictionLogDataset": component.logging_dataset,
        "endpoints": {
            k: {
                "endpointId": e.endpoint_id,
                "resourcePool": e.pool_id,
                "autoscaling": e.autoscaling,
                "modelDeployment": e.deployment,
            }
            for k, e in component.endpoints.items()
        },
    }
    return component


def monitoring(
    ctx: GcpContext, spec: PlatformArgs, out: Outputs, serving: GcpServing | None
) -> GcpMonitoring | None:
    mon = spec["monitoring"]
    if not mon["enabled"]:
        return None
    endpoints: dict[str, pulumi.Input[str]] = (
        {k: e.endpoint_name for k, e in serving.endpoints.items()} if serving else {}
    )
    component = GcpMonitoring(
        f"{ctx.name}-monitoring",
        GcpMonitoringArgs(
            **ctx.base(),
            alert_emails=mon["alert_emails"],
            latency_p99_ms=mon["latency_p99_ms"],
            error_rate_percent=mon["error_rate_percent"],
            drift_share_threshold=mon["drift_share_threshold"],
            drift_schedule=mon["drift_schedule"],
            endpoints=endpoints,
        ),
        opts=ctx.opts,
    )
    out["monitoring"] = {
        "notificationChannels": component.channel_ids,
        "alertPolicies": component.policy_ids,
        "driftMetric": component.drift_metric,
        "dashboard": component.dashboard_id,
    }
    return component


def audit(ctx: GcpContext, spec: PlatformArgs, out: Outputs) -> GcpAudit | None:
    if not spec["audit"]["enabled"]:
        return None
    component = GcpAudit(
        f"{ctx.name}-audit",
        GcpAuditArgs(**ctx.keyed(), retention_days=spec["audit"]["retention_days"]),
        opts=ctx.opts,
    )
    out["audit"] = {"services": component.services, "logBucket": component.log_bucket}
    return component


def budget(
    ctx: GcpContext,
    spec: PlatformArgs,
    out: Outputs,
    encryption: GcpEncryption,
    monitoring: GcpMonitoring | None,
) -> GcpBudget | None:
    bud = spec["budget"]
    if not bud["enabled"]:
        return None
    billing_account = spec.get("billing_account")
    if not billing_account:
        raise ValueError("a GCP budget needs 'billingAccount'")
    component = GcpBudget(
        f"{ctx.name}-budget",
        GcpBudgetArgs(
            **ctx.base(),
            project_number=encryption.project_number,
            billing_account=billing_account,
            monthly_limit_usd=bud["monthly_limit_usd"],
            alert_thresholds=bud["alert_thresholds"],
            notification_channels=list(monitoring.channel_ids) if monitoring else [],
        ),
        opts=ctx.opts,
    )
    out["budget"] = {"budgetId": component.budget_id, "monthlyLimitUsd": bud["monthly_limit_usd"]}
    return component


def self_healing(
    ctx: GcpContext,
    spec: PlatformArgs,
    out: Outputs,
    parts: _HealingParts,
) -> GcpSelfHealing | None:
    """The controller on a schedule (Cloud Scheduler → a Cloud Run job from the stack's image, or with
    ``runner: kubernetes`` a CronJob in the stack's GKE cluster), when the spec switches it on and there is
    a registry to retrain into and endpoints to heal."""
    from components.platform.kubernetes import scrapes

    healing: Any = dict(spec).get("self_healing")
    registry, serving, network = parts.registry, parts.serving, parts.network
    if not (healing and healing.get("enabled")) or registry is None or serving is None or network is None:
        return None
    runner = str(healing.get("runner") or "cloud-run")  # the spec admits cloud-run|kubernetes on GCP
    layer = parts.layer
    if runner == "kubernetes" and (layer is None or parts.cluster is None):  # pragma: no cover - spec rules
        raise ValueError("selfHealing.runner 'kubernetes' needs the stack's GKE cluster and its layer")
    endpoints = {e["name"]: e for e in spec["serving"]["endpoints"]}
    opts = ctx.opts
    if runner == "kubernetes" and layer is not None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(providers=[layer.provider]))
    args = GcpSelfHealingArgs(
        **ctx.keyed(),
        stack=ctx.prefix,
        residency_zone=spec["residency_zone"],
        schedule=healing["schedule"],
        policy={**healing, "runner": runner},
        project_number=parts.encryption.project_number,
        repository_url=registry.repository_url,
        bucket_name=registry.bucket_name,
        endpoints={k: e.endpoint_name for k, e in serving.endpoints.items()},
        prediction_log_dataset=serving.logging_dataset,
        training_service_account=parts.access.workload_accounts["training"],
        rollout={
            key: {
                "strategy": e["rollout"]["strategy"],
                "canary_percent": e["rollout"]["canary_percent"],
                "wait_minutes": e["rollout"]["wait_minutes"],
            }
            for key, e in endpoints.items()
        },
        network=network.network_id,
        subnet=network.subnet_id,
        alerts_topic=None,
        # The canary rolls back on the stack's latency and error policies (the drift one asks for a
        # retrain instead), as AWS endpoints roll back on their latency and error alarms.
        alert_policies={
            key: [
                parts.monitoring.policy_ids[p] for p in ROLLBACK_POLICIES if p in parts.monitoring.policy_ids
            ]
            for key in endpoints
        }
        if parts.monitoring is not None
        else {},
        serving={
            key: {
                "machine_type": e["instance_type"],
                "min_replicas": e["min_replicas"],
                "max_replicas": e["max_replicas"],
            }
            for key, e in endpoints.items()
        },
        monthly_budget_usd=spec["budget"]["monthly_limit_usd"] if spec["budget"]["enabled"] else None,
        billing_export_table=spec["budget"].get("billing_export_table"),
        runner=runner,
        namespace=layer.namespace if layer is not None else None,
        workload_pool=parts.cluster.workload_pool if parts.cluster is not None else None,
        pushgateway=scrapes(spec),
    )
    if parts.monitoring is not None:
        # The same thresholds as the latency and error policies, judged on the candidate's own metrics.
        args["latency_p99_ms"] = spec["monitoring"]["latency_p99_ms"]
        args["error_rate_percent"] = spec["monitoring"]["error_rate_percent"]
    component = GcpSelfHealing(f"{ctx.name}-self-healing", args, opts=opts)
    section: dict[str, Any] = {
        "runner": runner,
        "serviceAccount": component.service_account,
        "customRole": component.custom_role,
        "image": pulumi.Output.format("{0}/{1}:{2}", registry.repository_url, IMAGE_NAME, IMAGE_TAG),
    }
    if runner == "kubernetes":
        section.update(cronJob=component.cron_job_name, lease=component.lease_name)
    else:
        section.update(
            job=component.job_name,
            schedule=component.scheduler_job,
            invokerServiceAccount=component.invoker_service_account,
        )
    out["selfHealing"] = section
    return component


@dataclass(frozen=True)
class _HealingParts:
    """The capabilities the self-healing controller acts on or runs in."""

    network: GcpNetwork | None
    encryption: GcpEncryption
    registry: GcpModelRegistry | None
    access: GcpAccess
    serving: GcpServing | None
    cluster: GcpTrainingCluster | None
    layer: K8sLayer | None
    monitoring: GcpMonitoring | None = None


def kubernetes_layer(
    platform: pulumi.ComponentResource,
    ctx: GcpContext,
    spec: PlatformArgs,
    out: Outputs,
    cluster: GcpTrainingCluster,
    registry: GcpModelRegistry | None,
) -> K8sLayer:
    """The spec's ``kubernetes:`` layer inside the training cluster (components/platform/kubernetes.py)."""
    from components.platform.kubernetes import GkeCluster, on_gke

    return on_gke(
        platform,
        ctx.name,
        spec,
        ctx.tags,
        GkeCluster(
            opts=ctx.opts,
            project=ctx.project,
            kubernetes_provider=cluster.kubernetes_provider,
            workload_pool=cluster.workload_pool,
            bucket_name=registry.bucket_name if registry else None,
            pools=out["training"]["pools"],
        ),
        out,
    )


# ------------------------------------------------------------------------------------------ compose
def compose(
    platform: pulumi.ComponentResource, name: str, spec: PlatformArgs, tags: dict[str, str]
) -> Outputs:
    """Create the GCP provider and every capability the spec switches on; return the stack outputs."""
    project = spec.get("project")
    if not project:
        raise ValueError("a GCP stack needs 'project' (the GCP project id)")
    region = spec["region"]
    provider = gcp.Provider(
        f"{name}-gcp",
        project=project,
        region=region,
        default_labels=tags,
        opts=pulumi.ResourceOptions(parent=platform),
    )
    ctx = GcpContext(
        name=name,
        prefix=spec["prefix"],
        tags=tags,
        region=region,
        project=project,
        opts=pulumi.ResourceOptions(parent=platform, providers=[provider]),
    )
    out: Outputs = {"cloud": "gcp", "project": project, "region": region}

    net = network(ctx, spec, out)
    key = encryption(ctx, spec, out)
    ctx = replace(ctx, key=key.key_id)
    reg = registry(ctx, spec, out)
    feature_store(ctx, spec, out)
    cluster = training(ctx, spec, out, net)
    identities = access(ctx, spec, out, reg, cluster)
    layer = None
    if cluster is not None and spec.get("kubernetes") is not None:
        layer = kubernetes_layer(platform, ctx, spec, out, cluster, reg)
    endpoints = serving(ctx, spec, out, net, key, identities)
    alerts = monitoring(ctx, spec, out, endpoints)
    self_healing(ctx, spec, out, _HealingParts(net, key, reg, identities, endpoints, cluster, layer, alerts))
    audit(ctx, spec, out)
    budget(ctx, spec, out, key, alerts)
    return out

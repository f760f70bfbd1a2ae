"""Compose the GCP platform: provider, then each capability the spec switches on, wired by Outputs.

Order follows the dependencies: network, encryption (the key and its service-agent grants), registry,
feature store, training (cluster and node identity), access (persona and workload identities, bound to
the cluster's Workload Identity pool), serving, monitoring (needs endpoint ids), audit, budget (needs the
monitoring channels). Every CMEK consumer depends on the encryption component, so nothing is created
before its service agent may use the key.
"""

from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.access.gcp import GcpAccess
from components.args import AcceleratorArgs, PlatformArgs, TrainingPoolArgs
from components.audit.gcp import GcpAudit
from components.budget.gcp import GcpBudget
from components.encryption.gcp import GcpEncryption
from components.feature_store.gcp import GcpFeatureStore
from components.monitoring.gcp import GcpMonitoring
from components.network.gcp import GcpNetwork
from components.registry.gcp import GcpModelRegistry
from components.serving.gcp import GcpServing, ModelDeployer
from components.training.gcp import GcpTrainingCluster, GpuArgs, NodePoolPlan, ResolvedPool, split_nodes

from ._accelerators import BUNDLED_FAMILIES, machine_family

_DEPLOYER: ModelDeployer | None = None

#: How often online feature views refresh from BigQuery (UTC cron).
FEATURE_SYNC_CRON = "0 * * * *"


def use_model_deployer(deployer: ModelDeployer | None) -> None:
    """Plug in what deploys models to Vertex AI endpoints (see ``components.serving.gcp.ModelDeployer``).

    pulumi-gcp cannot deploy a model or split traffic; a program that has a deployer (a dynamic provider
    over ``google-cloud-aiplatform``) registers it here before the platform is declared.
    """
    global _DEPLOYER
    _DEPLOYER = deployer


def node_accelerator(region: str, machine: str, accelerator: AcceleratorArgs | None) -> GpuArgs | None:
    """The GPUs a node of ``machine`` carries: the machine's own (G2/A2/A3) or the spec's attached ones (N1)."""
    if machine_family(machine) in BUNDLED_FAMILIES:
        from runtime.pricing import load_catalog

        it = load_catalog().instance_type("gcp", region, machine)
        if it is None or not it.gpu_type:
            raise ValueError(f"machine type '{machine}' has no GPU facts for {region} in the pricing catalog")
        return {"type": it.gpu_type, "count": it.gpu_count}
    if accelerator:
        return {"type": accelerator["type"], "count": accelerator["count"]}
    return None


def machine_zones(region: str, machine: str) -> list[str]:
    """Zones of ``region`` offering ``machine`` (from the catalog); empty means every zone of the region."""
    from runtime.pricing import load_catalog

    it = load_catalog().instance_type("gcp", region, machine)
    return list(it.zones) if it else []


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
        reason += (f"; kept the first {room} of {len(types)} types so each gets its own node pool within "
                   f"maxNodes {pool['max_nodes']}")
        types = types[:room]
    plans: list[NodePoolPlan] = [
        {
            "machine_type": machine,
            "min_nodes": low,
            "max_nodes": high,
            "zones": machine_zones(region, machine),
            "accelerator": node_accelerator(region, machine, pool["accelerator"]),
        }
        for machine, (low, high) in zip(types, split_nodes(pool["min_nodes"], pool["max_nodes"], len(types)), strict=True)
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


def key_services(args: PlatformArgs) -> list[str]:
    """Service agents that need the stack key, from the capabilities switched on."""
    services: list[str] = []

    def need(*names: str) -> None:
        services.extend(n for n in names if n not in services)

    if args["registry"]["enabled"]:
        need("storage", "artifactregistry", "aiplatform")
    if args["feature_store"]["enabled"]:
        need("bigquery", "aiplatform")
    if args["training"]["enabled"]:
        need("container", "compute")
    if args["serving"]["enabled"] and args["serving"]["endpoints"]:
        need("aiplatform", "bigquery")
    if args["audit"]["enabled"]:
        need("logging")
    return services


def compose(platform: pulumi.ComponentResource, name: str, args: PlatformArgs, tags: dict[str, str]) -> dict[str, Any]:
    """Create the GCP provider and every capability the spec switches on; return the stack outputs."""
    project = args.get("project")
    if not project:
        raise ValueError("a GCP stack needs 'project' (the GCP project id)")
    region = args["region"]
    prefix = f"{args['team']}-{args['environment']}"
    provider = gcp.Provider(
        f"{name}-gcp",
        project=project,
        region=region,
        default_labels=tags,
        opts=pulumi.ResourceOptions(parent=platform),
    )
    base = pulumi.ResourceOptions(parent=platform, providers=[provider])
    common = {"prefix": prefix, "tags": tags, "region": region, "project": project}
    outputs: dict[str, Any] = {"cloud": "gcp", "project": project, "region": region}

    network = None
    if args["network"]["enabled"]:
        network = GcpNetwork(f"{name}-network", {**common, "cidr": args["network"]["cidr"]}, opts=base)  # type: ignore[typeddict-item]
        outputs["network"] = {
            "networkId": network.network_id,
            "subnetId": network.subnet_id,
            "ranges": network.ranges,
            "flowLogs": "subnet flow logs on (5 s aggregation, 50% sampling); retention is the _Default log bucket's",
        }

    encryption = GcpEncryption(
        f"{name}-encryption",
        {**common, "rotation_days": args["encryption"]["rotation_days"], "services": key_services(args)},  # type: ignore[typeddict-item]
        opts=base,
    )
    key = encryption.key_id
    outputs["encryption"] = {
        "keyId": key,
        "rotationDays": args["encryption"]["rotation_days"],
        "serviceAgents": sorted(encryption.agent_members),
    }

    registry = None
    if args["registry"]["enabled"]:
        reg = args["registry"]
        registry = GcpModelRegistry(
            f"{name}-registry",
            {**common, "encryption_key": key, "artifact_retention_days": reg["artifact_retention_days"],  # type: ignore[typeddict-item]
             "noncurrent_version_days": reg["noncurrent_version_days"], "images_to_keep": reg["images_to_keep"]},
            opts=base,
        )
        outputs["registry"] = {
            "bucket": registry.bucket_name,
            "metadataStore": registry.metadata_store_id,
            "imageRepository": registry.repository_url,
            "models": "Vertex AI models are uploaded by pipelines (no pulumi-gcp Model resource); "
            "no model is named by the stack",
        }

    if args["feature_store"]["enabled"]:
        store = GcpFeatureStore(
            f"{name}-features",
            {**common, "encryption_key": key, "groups": args["feature_store"]["groups"], "sync_cron": FEATURE_SYNC_CRON},  # type: ignore[typeddict-item]
            opts=base,
        )
        outputs["featureStore"] = {
            "offlineDataset": store.dataset_id,
            "featureGroups": store.group_names,
            "onlineStore": store.online_store_name,
            "featureViews": store.view_names,
        }

    training = None
    if args["training"]["enabled"]:
        assert network is not None  # the spec refuses training without the network
        spec = args["training"]
        pools = [resolve_pool(region, pool) for pool in spec["pools"]]
        training = GcpTrainingCluster(
            f"{name}-training",
            {
                **common,  # type: ignore[typeddict-item]
                "encryption_key": key,
                "network": network.network_id,
                "subnet": network.subnet_id,
                "pods_range": network.pods_range_name,
                "services_range": network.services_range_name,
                "node_cidr": network.ranges["nodes"],
                "kubernetes_version": spec["kubernetes_version"],
                "control_plane_cidrs": spec["control_plane_cidrs"],
                "pools": pools,
            },
            opts=base,
        )
        outputs["training"] = {
            "clusterName": training.cluster_name,
            "nodeServiceAccount": training.node_service_account,
            "pools": {
                p["name"]: {
                    "machineTypes": p["machine_types"],
                    "reason": p["reason"],
                    "spot": p["spot"],
                    "nodePools": [
                        {"machineType": n["machine_type"], "minNodes": n["min_nodes"], "maxNodes": n["max_nodes"],
                         "accelerator": n["accelerator"]}
                        for n in p["node_pools"]
                    ],
                }
                for p in pools
            },
            "spotJobs": "Vertex AI custom jobs choose Spot per job (scheduling.strategy=SPOT); the stack's "
            "spotJobs budgets apply to jobs submitted by pipelines, not to a declared resource",
        }

    access = GcpAccess(
        f"{name}-access",
        {
            "prefix": prefix,
            "tags": tags,
            "project": project,
            "personas": args["access"]["personas"],
            "artifact_bucket": registry.bucket_name if registry else None,
            "workload_pool": training.workload_pool if training else None,
        },
        opts=base,
    )
    outputs["access"] = {
        "personaServiceAccounts": access.persona_accounts,
        "workloadServiceAccounts": access.workload_accounts,
        "kubernetesServiceAccounts": access.kubernetes_service_accounts,
    }

    endpoint_ids: dict[str, pulumi.Input[str]] = {}
    if args["serving"]["enabled"] and args["serving"]["endpoints"]:
        assert network is not None
        endpoints = []
        for endpoint in args["serving"]["endpoints"]:
            gpu = node_accelerator(region, endpoint["instance_type"], endpoint["accelerator"])
            endpoints.append({**endpoint, "accelerator": gpu})
        # The endpoint peers through private services access: its network value waits for the connection.
        vpc_path = pulumi.Output.all(
            pulumi.Output.concat("projects/", encryption.project_number, "/global/networks/", network.network_name),
            network.private_service_access.id,
        ).apply(lambda values: str(values[0]))
        serving = GcpServing(
            f"{name}-serving",
            {
                **common,  # type: ignore[typeddict-item]
                "encryption_key": key,
                "network": vpc_path,
                "endpoints": endpoints,
                "service_account": access.workload_accounts["serving"],
                "deployer": _DEPLOYER,
            },
            opts=base,
        )
        endpoint_ids = {k: e.endpoint_name for k, e in serving.endpoints.items()}
        outputs["serving"] = {
            "predictionLogDataset": serving.logging_dataset,
            "endpoints": {
                k: {"endpointId": e.endpoint_id, "resourcePool": e.pool_id, "autoscaling": e.autoscaling,
                    "modelDeployment": e.deployment}
                for k, e in serving.endpoints.items()
            },
        }

    channels: list[pulumi.Input[str]] = []
    if args["monitoring"]["enabled"]:
        mon = args["monitoring"]
        monitoring = GcpMonitoring(
            f"{name}-monitoring",
            {
                "prefix": prefix,
                "tags": tags,
                "project": project,
                "alert_emails": mon["alert_emails"],
                "latency_p99_ms": mon["latency_p99_ms"],
                "error_rate_percent": mon["error_rate_percent"],
                "drift_share_threshold": mon["drift_share_threshold"],
                "drift_schedule": mon["drift_schedule"],
                "endpoints": endpoint_ids,
            },
            opts=base,
        )
        channels = list(monitoring.channel_ids)
        outputs["monitoring"] = {
            "notificationChannels": monitoring.channel_ids,
            "alertPolicies": monitoring.policy_ids,
            "driftMetric": monitoring.drift_metric,
            "dashboard": monitoring.dashboard_id,
        }

    if args["audit"]["enabled"]:
        audit = GcpAudit(
            f"{name}-audit",
            {**common, "encryption_key": key, "retention_days": args["audit"]["retention_days"]},  # type: ignore[typeddict-item]
            opts=base,
        )
        outputs["audit"] = {"services": audit.services, "logBucket": audit.log_bucket}

    if args["budget"]["enabled"]:
        billing_account = args.get("billing_account")
        if not billing_account:
            raise ValueError("a GCP budget needs 'billingAccount'")
        budget = GcpBudget(
            f"{name}-budget",
            {
                "prefix": prefix,
                "tags": tags,
                "project_number": encryption.project_number,
                "billing_account": billing_account,
                "monthly_limit_usd": args["budget"]["monthly_limit_usd"],
                "alert_thresholds": args["budget"]["alert_thresholds"],
                "notification_channels": channels,
            },
            opts=base,
        )
        outputs["budget"] = {"budgetId": budget.budget_id, "monthlyLimitUsd": args["budget"]["monthly_limit_usd"]}
    return outputs

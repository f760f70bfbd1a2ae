"""GCP pricers: how each priced Google Cloud type's properties become cost lines, and the free GCP types.

Machine prices are the catalog's per-region machine types; attachable GPUs are priced per GPU-hour unless
the machine family bundles them (g2, a2, a3). Multi-region locations (``EU``, ``US``) are priced in the
provider's region, which is what the regional SKUs of those services are listed against.
"""

from __future__ import annotations

from collections.abc import Mapping

from runtime.cost._model import CostLine
from runtime.cost._state import StateResource
from runtime.cost.pricers._base import (
    CONFIGURATION,
    DEFINITION_ONLY,
    GOVERNANCE_IS_FREE,
    IAM_IS_FREE,
    NETWORK_IS_FREE,
    Context,
    PriceMissing,
    PricerTable,
    block,
    bounds,
    fixed,
    hourly,
    instance_type,
    node_hourly,
    number,
    per_node_storage,
    readable,
    region,
    sku_usd,
    usage_line,
)


def _accelerator_name(raw: str) -> str:
    """Vertex enum ``NVIDIA_TESLA_T4`` and Compute names ``nvidia-tesla-t4`` to the catalog's names."""
    return raw.strip().lower().replace("_", "-")


def _gcp_region(res: StateResource, ctx: Context) -> str:
    """Region to price in; multi-region locations (``EU``, ``US``) fall back to the provider's region."""
    if res.region and ctx.catalog.has_region("gcp", res.region):
        return res.region
    if res.region and "-" in res.region:  # a real region the catalog lacks: say so
        ctx.catalog.require_region("gcp", res.region)
    if res.provider_region:
        ctx.catalog.require_region("gcp", res.provider_region)
        return res.provider_region
    raise PriceMissing(f"location '{res.region}' is a multi-region and the provider sets no region")


def price_gke_cluster(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    return [
        hourly(
            "Cluster management",
            sku_usd(ctx, res, where, "gke.cluster"),
            1,
            1,
            1,
            "always on, 730 h; the billing account's one free zonal/Autopilot cluster credit not applied",
        )
    ]


def _node_counts(res: StateResource, ctx: Context) -> tuple[float, float, float, str]:
    """Point estimate, low and high node counts of a pool and how they were read (per zone or in total)."""
    props = res.props
    auto = block(props, "autoscaling")
    locations = props.get("nodeLocations") or []
    location = str(props.get("location") or "")
    zones = (
        len(locations)
        if isinstance(locations, list) and locations
        else (1 if location.count("-") == 2 else 3)
    )
    if auto and ("totalMinNodeCount" in auto or "totalMaxNodeCount" in auto):
        lo, hi = bounds(auto, "totalMinNodeCount", "totalMaxNodeCount", 0)
        basis = f"total {lo:g}..{hi:g} nodes"
    elif auto:
        lo = number(auto.get("minNodeCount"), 0) * zones
        hi = max(number(auto.get("maxNodeCount"), 0) * zones, lo)
        basis = f"{lo / zones:g}..{hi / zones:g} per zone x {zones} zones"
    else:
        lo = hi = number(props.get("nodeCount"), number(props.get("initialNodeCount"), 1)) * zones
        basis = f"fixed {lo:g} nodes"
    nodes, source = ctx.usage_value(res, "nodes")
    if nodes < 0:
        nodes, source = lo, "minimum"
    return nodes, lo, hi, f"{nodes:g} nodes ({source}), range {basis}"


def price_gke_node_pool(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    cfg = block(res.props, "nodeConfig")
    machine = str(cfg.get("machineType") or "e2-medium")
    it = instance_type(ctx, "gcp", where, machine, "machine type")
    spot = bool(cfg.get("spot") or cfg.get("preemptible"))
    node_price = node_hourly(it, spot)
    nodes, lo, hi, basis = _node_counts(res, ctx)
    category = "Dynamic" if spot else "Standard"
    lines = [
        hourly(
            f"Nodes ({'spot' if spot else 'on-demand'} {machine})",
            node_price,
            nodes,
            lo,
            hi,
            f"{basis} x 730 h at ${node_price:.4f}/h"
            + ("" if cfg.get("machineType") else " (no machineType: GKE default e2-medium)"),
            category,
        )
    ]
    for acc in cfg.get("guestAccelerators") or []:
        if not isinstance(acc, Mapping):
            continue
        name = _accelerator_name(str(acc.get("type") or ""))
        count = number(acc.get("count"), 1)
        record = ctx.catalog.accelerator("gcp", where, name)
        if record is None:
            raise PriceMissing(f"accelerator '{name}' is not priced in gcp {where}")
        if record.bundled:
            continue  # g2/a2/a3 machine prices already include their GPUs
        if record.attaches_to != it.family:
            raise PriceMissing(
                f"accelerator '{name}' attaches to {record.attaches_to} machines, not {it.family}"
            )
        gpu_price = record.spot_hourly if spot and record.spot_hourly else record.on_demand_hourly
        lines.append(
            hourly(
                f"GPUs ({count:g} x {name} per node)",
                gpu_price * count,
                nodes,
                lo,
                hi,
                f"{count:g} per node, ${gpu_price:.4f}/GPU-h",
                category,
            )
        )
    disk = number(cfg.get("diskSizeGb"), 100)
    lines.append(
        per_node_storage(
            "Boot disks (pd-balanced)",
            disk,
            nodes,
            lo,
            hi,
            sku_usd(ctx, res, where, "pd.balanced.storage"),
            f"{disk:g} GB per node" + ("" if "diskSizeGb" in cfg else " (GKE default)"),
        )
    )
    return lines


def price_vertex_pool(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    dedicated = block(res.props, "dedicatedResources")
    spec = block(dedicated, "machineSpec")
    machine = str(spec.get("machineType") or "n1-standard-2")
    node_price = sku_usd(ctx, res, where, f"vertex.prediction.{machine}")
    lo, hi = bounds(dedicated, "minReplicaCount", "maxReplicaCount", 1)
    replicas, source = ctx.usage_value(res, "replicas")
    if replicas < 0:
        replicas, source = lo, "minimum"
    lines = [
        hourly(
            f"Prediction nodes ({machine})",
            node_price,
            replicas,
            lo,
            hi,
            f"{replicas:g} replicas ({source}), autoscaling {lo:g}..{hi:g} x 730 h",
        )
    ]
    acc_type = spec.get("acceleratorType")
    if acc_type and acc_type != "ACCELERATOR_TYPE_UNSPECIFIED":
        name = _accelerator_name(str(acc_type))
        record = ctx.catalog.accelerator("gcp", where, name)
        count = number(spec.get("acceleratorCount"), 1)
        if record is None or not record.bundled:
            gpu = sku_usd(ctx, res, where, f"vertex.prediction.gpu.{name}")
            lines.append(
                hourly(
                    f"Prediction GPUs ({count:g} x {name})",
                    gpu * count,
                    replicas,
                    lo,
                    hi,
                    f"{count:g} per replica",
                )
            )
    return lines


def price_feature_online_store(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    bigtable = block(res.props, "bigtable")
    lines: list[CostLine] = []
    if bigtable:
        lo, hi = bounds(block(bigtable, "autoScaling"), "minNodeCount", "maxNodeCount", 1)
        lines.append(
            hourly(
                "Bigtable serving nodes",
                sku_usd(ctx, res, where, "vertex.featureonlinestore.bigtable-node"),
                lo,
                lo,
                hi,
                f"{lo:g} nodes (minimum), autoscaling {lo:g}..{hi:g}",
            )
        )
    else:
        nodes, source = ctx.usage_value(res, "optimized_nodes")
        price = sku_usd(ctx, res, where, "vertex.featureonlinestore.optimized-node")
        lines.append(
            hourly("Optimized serving nodes", price, nodes, nodes, nodes, f"{nodes:g} nodes ({source})")
        )
    lines.append(
        usage_line(
            ctx, res, where, "online_storage_gb", "vertex.featureonlinestore.storage", "Online storage"
        )
    )
    return lines


def price_gcs_bucket(res: StateResource, ctx: Context) -> list[CostLine]:
    location = str(res.props.get("location") or res.region or "")
    multi = location.upper() in {"EU", "US", "ASIA"} or location.lower() in {"eur4", "nam4", "asia1"}
    where = _gcp_region(res, ctx)
    sku = "gcs.standard.storage.multi-region" if multi else "gcs.standard.storage"
    return [
        usage_line(
            ctx, res, where, "storage_gb", sku, "Standard storage" + (f" ({location})" if multi else "")
        ),
        usage_line(
            ctx, res, where, "monthly_class_a_operations", "gcs.class-a", "Class A operations", per=10_000
        ),
        usage_line(
            ctx, res, where, "monthly_class_b_operations", "gcs.class-b", "Class B operations", per=10_000
        ),
    ]


def price_gcp_kms_key(res: StateResource, ctx: Context) -> list[CostLine]:
    where = _gcp_region(res, ctx)
    versions, source = ctx.usage_value(res, "key_versions")
    rotation = res.props.get("rotationPeriod")
    return [
        fixed(
            "Key versions",
            "key-version-month",
            versions,
            sku_usd(ctx, res, where, "kms.key-version"),
            f"{versions:g} active versions ({source})"
            + (f"; rotationPeriod {rotation} adds versions" if rotation else ""),
            usage_based=True,
        ),
        usage_line(ctx, res, where, "monthly_operations", "kms.operations", "Operations", per=10_000),
    ]


def price_bigquery_dataset(res: StateResource, ctx: Context) -> list[CostLine]:
    where = _gcp_region(res, ctx)
    return [
        usage_line(ctx, res, where, "storage_gb", "bigquery.storage.active", "Active storage"),
        usage_line(ctx, res, where, "monthly_query_tib", "bigquery.query", "On-demand queries"),
    ]


def price_artifact_registry(res: StateResource, ctx: Context) -> list[CostLine]:
    where = _gcp_region(res, ctx)
    return [usage_line(ctx, res, where, "storage_gb", "artifactregistry.storage", "Storage")]


def price_metadata_store(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    return [usage_line(ctx, res, where, "storage_gib", "vertex.metadata.storage", "Metadata storage")]


def price_cloud_nat(res: StateResource, ctx: Context) -> list[CostLine]:
    where = _gcp_region(res, ctx)
    vms, source = ctx.usage_value(res, "vms")
    billed = min(vms, 32.0)  # the per-VM charge is capped at 32 VMs
    return [
        hourly(
            f"NAT gateway ({readable(billed)} VMs)",
            sku_usd(ctx, res, where, "cloudnat.vm") * billed,
            1,
            1,
            1,
            f"vms={readable(vms)} ({source}), billed up to 32 VMs",
        ),
        usage_line(ctx, res, where, "monthly_data_gb", "cloudnat.data", "NAT data processing"),
    ]


def price_alert_policy(res: StateResource, ctx: Context) -> list[CostLine]:
    where = _gcp_region(res, ctx)
    conditions = res.props.get("conditions") or [{}]
    n = len(conditions) if isinstance(conditions, list) else 1
    return [
        fixed(
            "Alert conditions",
            "condition-month",
            n,
            sku_usd(ctx, res, where, "monitoring.alert-condition"),
            f"{n} conditions",
        )
    ]


_AI_ML = "AI and Machine Learning"

PRICERS: PricerTable = {
    "gcp:container/cluster:Cluster": (price_gke_cluster, "Kubernetes Engine", "Compute"),
    "gcp:container/nodePool:NodePool": (price_gke_node_pool, "Compute Engine", "Compute"),
    "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool": (price_vertex_pool, "Vertex AI", _AI_ML),
    "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore": (price_feature_online_store, "Vertex AI", _AI_ML),
    "gcp:vertex/aiMetadataStore:AiMetadataStore": (price_metadata_store, "Vertex AI", _AI_ML),
    "gcp:storage/bucket:Bucket": (price_gcs_bucket, "Cloud Storage", "Storage"),
    "gcp:kms/cryptoKey:CryptoKey": (price_gcp_kms_key, "Cloud Key Management Service (KMS)", "Security"),
    "gcp:bigquery/dataset:Dataset": (price_bigquery_dataset, "BigQuery", "Analytics"),
    "gcp:artifactregistry/repository:Repository": (price_artifact_registry, "Artifact Registry", "Storage"),
    "gcp:compute/routerNat:RouterNat": (price_cloud_nat, "Cloud NAT", "Networking"),
    "gcp:monitoring/alertPolicy:AlertPolicy": (
        price_alert_policy,
        "Cloud Monitoring",
        "Management and Governance",
    ),
}

FREE_TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "gcp:serviceaccount/account:Account",
            "gcp:serviceaccount/iAMMember:IAMMember",
            "gcp:serviceaccount/iAMBinding:IAMBinding",
            "gcp:projects/iAMMember:IAMMember",
            "gcp:projects/iAMBinding:IAMBinding",
            "gcp:projects/iAMCustomRole:IAMCustomRole",
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
            "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding",
            "gcp:storage/bucketIAMMember:BucketIAMMember",
            "gcp:storage/bucketIAMBinding:BucketIAMBinding",
            "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
            "gcp:cloudrunv2/jobIamMember:JobIamMember",
            "gcp:vertex/aiEndpointIamMember:AiEndpointIamMember",
            "gcp:bigquery/datasetIamMember:DatasetIamMember",
            "gcp:vertex/aiFeatureOnlineStoreIamMember:AiFeatureOnlineStoreIamMember",
            "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
            "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
        ),
        IAM_IS_FREE,
    ),
    **dict.fromkeys(
        (
            "gcp:vertex/aiEndpoint:AiEndpoint",
            "gcp:vertex/aiFeatureGroup:AiFeatureGroup",
            "gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature",
            "gcp:vertex/aiFeatureOnlineStoreFeatureview:AiFeatureOnlineStoreFeatureview",
            "gcp:bigquery/table:Table",
            "gcp:kms/keyRing:KeyRing",
        ),
        CONFIGURATION,
    ),
    **dict.fromkeys(
        (
            "gcp:compute/network:Network",
            "gcp:compute/subnetwork:Subnetwork",
            "gcp:compute/firewall:Firewall",
            "gcp:compute/router:Router",
            "gcp:compute/globalAddress:GlobalAddress",
            "gcp:servicenetworking/connection:Connection",
        ),
        NETWORK_IS_FREE,
    ),
    **dict.fromkeys(
        (
            "gcp:billing/budget:Budget",
            "gcp:monitoring/notificationChannel:NotificationChannel",
            "gcp:logging/projectSink:ProjectSink",
            "gcp:projects/iAMAuditConfig:IAMAuditConfig",
            "gcp:projects/service:Service",
            "gcp:projects/serviceIdentity:ServiceIdentity",
            "gcp:orgpolicy/policy:Policy",
        ),
        GOVERNANCE_IS_FREE,
    ),
    # The self-healing runner: each run is billed per vCPU- and GiB-second while it runs (minutes an hour at
    # most), and Cloud Scheduler's first three jobs per billing account are free, then $0.10 a job a month.
    "gcp:cloudrunv2/job:Job": DEFINITION_ONLY,
    "gcp:cloudscheduler/job:Job": DEFINITION_ONLY,
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": (
        "log bucket settings; retention beyond 30 days is billed per GiB-month (not estimated)"
    ),
    "gcp:monitoring/dashboard:Dashboard": "Cloud Monitoring dashboards have no charge",
    "gcp:monitoring/metricDescriptor:MetricDescriptor": (
        "a metric definition; custom metric samples are billed by volume (not estimated)"
    ),
}

"""Per resource type: how a resource's properties become cost lines.

One small function per priced type. Each reads the provider-schema (camelCase) properties the state
holds, looks prices up in the catalog and writes an assumption on every line. A price the catalog lacks
raises :class:`PriceMissing` so the resource is listed as "price missing", never priced at zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlkeel.taggable import takes_no_tags
from runtime.cost._model import HOURS_PER_MONTH, CostLine
from runtime.cost._state import StateResource
from runtime.cost._usage import Usage
from runtime.pricing import Catalog, InstanceType


class PriceMissing(LookupError):
    """The catalog has no price for something this resource needs."""


@dataclass
class Context:
    """What a pricer may look at besides its resource: prices, usage, and the other resources."""

    catalog: Catalog
    usage: Usage
    resources: Sequence[StateResource]
    by_urn: dict[str, StateResource] = field(default_factory=dict)
    by_type: dict[str, list[StateResource]] = field(default_factory=dict)
    _targets: dict[str, list[tuple[str, StateResource]]] | None = None
    _names: dict[str, dict[str, StateResource]] = field(default_factory=dict)

    def named(self, type_token: str, name: object) -> StateResource | None:
        """The resource of ``type_token`` whose name, id or ``name`` property is ``name`` (indexed once per type)."""
        index = self._names.get(type_token)
        if index is None:
            index = {}
            for res in self.by_type.get(type_token, []):
                for key in (res.name, res.id, res.props.get("name")):
                    if isinstance(key, str) and key:
                        index.setdefault(key, res)
            self._names[type_token] = index
        return index.get(name) if isinstance(name, str) else None

    def dependency_of_type(self, res: StateResource, type_token: str) -> StateResource | None:
        """The first resource ``res`` depends on that has ``type_token``."""
        for dep in res.dependencies:
            found = self.by_urn.get(dep)
            if found is not None and found.type == type_token:
                return found
        return None

    def __post_init__(self) -> None:
        for r in self.resources:
            self.by_urn[r.urn] = r
            self.by_type.setdefault(r.type, []).append(r)

    def scaling_targets(
        self, endpoint_name: str | None, endpoint_urn: str
    ) -> list[tuple[str, StateResource]]:
        """SageMaker autoscaling targets of an endpoint (by name in ``resourceId`` or by dependency), indexed once."""
        if self._targets is None:
            index: dict[str, list[tuple[str, StateResource]]] = {}
            for target in self.by_type.get("aws:appautoscaling/target:Target", []):
                if target.props.get("serviceNamespace") != "sagemaker":
                    continue
                rid = str(target.props.get("resourceId") or "")
                m = re.match(r"^endpoint/([^/]+)/variant/([^/]+)$", rid)
                variant = m.group(2) if m else str(target.props.get("variantName") or "*")
                if m:
                    index.setdefault(f"name:{m.group(1)}", []).append((variant, target))
                for dep in target.dependencies:
                    index.setdefault(f"urn:{dep}", []).append((variant, target))
            self._targets = index
        found = self._targets.get(f"name:{endpoint_name}", []) + self._targets.get(f"urn:{endpoint_urn}", [])
        return list({id(t): (v, t) for v, t in found}.values())

    def usage_value(self, res: StateResource, key: str) -> tuple[float, str]:
        return self.usage.value(res.type, key, res.name, res.urn)


Pricer = Callable[[StateResource, Context], list[CostLine]]


def _num(value: object, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return default
        return default
    return float(value)


def _get(props: Mapping[str, Any], *path: str) -> Any:
    cur: Any = props
    for key in path:
        if isinstance(cur, list):
            cur = cur[0] if cur else None
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    if (
        isinstance(cur, list)
        and len(path)
        and path[-1] in {"scalingConfig", "autoscaling", "dedicatedResources"}
    ):
        cur = cur[0] if cur else None
    return cur


def _n(value: float) -> str:
    """1000000 -> '1,000,000'; 0.01 -> '0.01' (never exponent notation in assumptions)."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.4g}"


def _region(res: StateResource, ctx: Context) -> str:
    if not res.region:
        raise PriceMissing(f"no region on the resource or its provider for {res.type}")
    ctx.catalog.require_region(res.cloud or "", res.region)
    return res.region


def _sku(ctx: Context, res: StateResource, region: str, sku: str) -> float:
    price = ctx.catalog.price(res.cloud or "", region, sku)
    if price is None:
        raise PriceMissing(f"no price for '{sku}' in {res.cloud} {region}")
    return price.usd


def _hourly(
    name: str,
    unit_price: float,
    count: float,
    low: float,
    high: float,
    assumption: str,
    category: str = "Standard",
) -> CostLine:
    hours = HOURS_PER_MONTH
    return CostLine(
        name=name,
        unit="hour",
        quantity=count * hours,
        unit_price=unit_price,
        monthly=count * hours * unit_price,
        low=low * hours * unit_price,
        high=high * hours * unit_price,
        pricing_category=category,
        assumption=assumption,
    )


def _fixed(
    name: str, unit: str, quantity: float, unit_price: float, assumption: str, usage_based: bool = False
) -> CostLine:
    cost = quantity * unit_price
    return CostLine(
        name=name,
        unit=unit,
        quantity=quantity,
        unit_price=unit_price,
        monthly=cost,
        low=cost,
        high=cost,
        usage_based=usage_based,
        assumption=assumption,
    )


def _usage_line(
    ctx: Context, res: StateResource, region: str, key: str, sku: str, label: str, per: float = 1.0
) -> CostLine:
    value, source = ctx.usage_value(res, key)
    price = ctx.catalog.price(res.cloud or "", region, sku)
    if price is None:
        raise PriceMissing(f"no price for '{sku}' in {res.cloud} {region}")
    return _fixed(
        label, price.unit, value / per, price.usd, f"{key}={_n(value)} ({source})", usage_based=True
    )


# ------------------------------------------------------------------------------------------------ AWS
def _aws_instance(ctx: Context, region: str, name: str) -> InstanceType:
    it = ctx.catalog.instance_type("aws", region, name)
    if it is None:
        raise PriceMissing(f"instance type '{name}' is not priced in aws {region}")
    return it


def price_eks_cluster(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    return [_hourly("Cluster", _sku(ctx, res, region, "eks.cluster"), 1, 1, 1, "always on, 730 h/month")]


def price_eks_node_group(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    props = res.props
    types = [t for t in (props.get("instanceTypes") or []) if isinstance(t, str)]
    type_note = ""
    if not types:
        types, type_note = ["t3.medium"], "no instanceTypes: EKS default t3.medium; "
    spot = str(props.get("capacityType", "ON_DEMAND")).upper() == "SPOT"
    prices = []
    for name in types:
        it = _aws_instance(ctx, region, name)
        hourly = it.hourly(spot)
        if hourly is None:
            raise PriceMissing(f"no spot price for '{name}' in aws {region}")
        prices.append(hourly)
    node_price = sum(prices) / len(prices)
    scaling = _get(props, "scalingConfig") or {}
    lo = _num(scaling.get("minSize"), 1)
    hi = max(_num(scaling.get("maxSize"), lo), lo)
    desired = _num(scaling.get("desiredSize"), lo)
    nodes, source = ctx.usage_value(res, "nodes")
    if nodes < 0:
        nodes, source = min(max(desired, lo), hi), "desired size" if "desiredSize" in scaling else "minimum"
    mix = "mean of " + ", ".join(types) if len(types) > 1 else types[0]
    label = f"Nodes ({'spot' if spot else 'on-demand'} {', '.join(types)})"
    assumption = (
        f"{type_note}{nodes:g} nodes ({source}), range {lo:g}..{hi:g} nodes x 730 h; "
        f"{'spot' if spot else 'on-demand'} ${node_price:.4f}/h ({mix})"
    )
    lines = [_hourly(label, node_price, nodes, lo, hi, assumption, "Dynamic" if spot else "Standard")]
    disk = _num(props.get("diskSize"), 20)
    gp3 = _sku(ctx, res, region, "ebs.gp3.storage")
    lines.append(
        CostLine(
            name="Node disks (gp3)",
            unit="GB-month",
            quantity=disk * nodes,
            unit_price=gp3,
            monthly=disk * nodes * gp3,
            low=disk * lo * gp3,
            high=disk * hi * gp3,
            assumption=f"{disk:g} GiB per node" + ("" if "diskSize" in props else " (EKS default)"),
        )
    )
    return lines


def _endpoint_config_for(res: StateResource, ctx: Context) -> StateResource | None:
    token = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
    return ctx.named(token, res.props.get("endpointConfigName")) or ctx.dependency_of_type(res, token)


def _scaling_targets(endpoint: StateResource, ctx: Context) -> dict[str, tuple[float, float]]:
    """Variant name -> (min, max) from Application Auto Scaling targets on this endpoint."""
    out: dict[str, tuple[float, float]] = {}
    name = endpoint.props.get("name")
    for variant, target in ctx.scaling_targets(name if isinstance(name, str) else None, endpoint.urn):
        lo = _num(target.props.get("minCapacity"), 1)
        out[variant] = (lo, max(_num(target.props.get("maxCapacity"), lo), lo))
    return out


def price_sagemaker_endpoint(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    cfg = _endpoint_config_for(res, ctx)
    if cfg is None:
        raise PriceMissing(
            "its endpoint configuration is not in the state (needed for instance types and counts)"
        )
    targets = _scaling_targets(res, ctx)
    lines: list[CostLine] = []
    variants = [(v, "") for v in cfg.props.get("productionVariants") or []]
    variants += [(v, "shadow ") for v in cfg.props.get("shadowProductionVariants") or []]
    for variant, kind in variants:
        if not isinstance(variant, Mapping):
            continue
        vname = str(variant.get("variantName") or "AllTraffic")
        if variant.get("serverlessConfig"):
            raise PriceMissing(
                f"variant '{vname}' is serverless (priced per request and GB-second, not in catalog)"
            )
        itype = str(variant.get("instanceType") or "")
        it = ctx.catalog.instance_type("aws", region, itype)
        if it is None:
            raise PriceMissing(f"SageMaker hosting type '{itype}' is not priced in aws {region}")
        count = _num(variant.get("initialInstanceCount"), 1)
        managed = variant.get("managedInstanceScaling") or {}
        if isinstance(managed, list):
            managed = managed[0] if managed else {}
        if vname in targets or "*" in targets:
            lo, hi = targets.get(vname) or targets["*"]
            scale_note = f"autoscaling target {lo:g}..{hi:g}"
        elif managed and managed.get("status", "ENABLED") == "ENABLED" and "maxInstanceCount" in managed:
            lo = _num(managed.get("minInstanceCount"), 1)
            hi = max(_num(managed.get("maxInstanceCount"), lo), lo)
            scale_note = f"managed instance scaling {lo:g}..{hi:g}"
        else:
            lo = hi = count
            scale_note = "no autoscaling"
        point = min(max(count, lo), hi)
        lines.append(
            _hourly(
                f"{kind.capitalize() or ''}Variant {vname} ({itype})".strip(),
                it.on_demand_hourly,
                point,
                lo,
                hi,
                f"{point:g} instances (initial count), {scale_note}, x 730 h at ${it.on_demand_hourly:.4f}/h",
            )
        )
    capture = cfg.props.get("dataCaptureConfig")
    if capture and (not isinstance(capture, Mapping) or capture.get("enableCapture", True)):
        lines.append(
            _usage_line(
                ctx, res, region, "data_capture_gb", "sagemaker.data-capture.storage", "Data capture storage"
            )
        )
    return lines


def _runs_per_month(expression: str) -> tuple[float, str]:
    """Runs a month of a SageMaker schedule ``cron(min hour dom month dow year)``; hourly when unparsable."""
    m = re.match(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$", expression.strip())
    if not m:
        return HOURS_PER_MONTH, f"schedule {expression!r} not understood: assumed hourly"
    hour = m.group(2)
    days = 30.42
    if hour == "*":
        return HOURS_PER_MONTH, "hourly"
    step = re.match(r"^(?:\*|\d+)/(\d+)$", hour)
    if step:
        per_day = 24 / int(step.group(1))
        return per_day * days, f"every {step.group(1)} h"
    per_day = len(hour.split(","))
    return per_day * days, f"{per_day} a day"


def price_monitoring_schedule(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    config = _get(res.props, "monitoringScheduleConfig") or {}
    wanted = config.get("monitoringJobDefinitionName")
    token = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
    definition = ctx.named(token, wanted) or ctx.dependency_of_type(res, token)
    if definition is None:
        raise PriceMissing("its monitoring job definition is not in the state (needed for the instance type)")
    cluster = _get(definition.props, "jobResources", "clusterConfig") or {}
    itype = str(cluster.get("instanceType") or "ml.m5.xlarge")
    count = _num(cluster.get("instanceCount"), 1)
    it = ctx.catalog.instance_type("aws", region, itype)
    if it is None:
        raise PriceMissing(f"SageMaker type '{itype}' is not priced in aws {region}")
    expression = str(_get(config, "scheduleConfig", "scheduleExpression") or "")
    runs, cadence = _runs_per_month(expression)
    minutes, source = ctx.usage_value(res, "run_minutes")
    hours = runs * count * minutes / 60
    line = _fixed(
        f"Monitoring jobs ({count:g} x {itype})",
        "instance-hour",
        hours,
        it.on_demand_hourly,
        f"{runs:,.0f} runs/month ({cadence}) x {_n(minutes)} min ({source}); priced at the {itype} "
        "hosting rate (processing is billed at a similar per-second rate)",
        usage_based=True,
    )
    return [line]


def price_feature_group(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    lines: list[CostLine] = []
    online = res.props.get("onlineStoreConfig")
    if online and (not isinstance(online, Mapping) or online.get("enableOnlineStore", True)):
        lines.append(
            _usage_line(
                ctx,
                res,
                region,
                "monthly_write_units_millions",
                "sagemaker.featurestore.write",
                "Online writes",
            )
        )
        lines.append(
            _usage_line(
                ctx, res, region, "monthly_read_units_millions", "sagemaker.featurestore.read", "Online reads"
            )
        )
        lines.append(
            _usage_line(
                ctx, res, region, "online_storage_gb", "sagemaker.featurestore.storage", "Online storage"
            )
        )
    if res.props.get("offlineStoreConfig"):
        lines.append(
            _usage_line(ctx, res, region, "offline_storage_gb", "s3.standard.storage", "Offline store (S3)")
        )
    return lines


def price_s3_bucket(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    return [
        _usage_line(ctx, res, region, "storage_gb", "s3.standard.storage", "Standard storage"),
        _usage_line(
            ctx, res, region, "monthly_tier1_requests", "s3.requests.tier1", "PUT/LIST requests", per=1000
        ),
        _usage_line(
            ctx, res, region, "monthly_tier2_requests", "s3.requests.tier2", "GET requests", per=1000
        ),
    ]


def price_kms_key(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    return [
        _fixed(
            "Customer managed key",
            "key-month",
            1,
            _sku(ctx, res, region, "kms.key"),
            "1 key; rotated key material is included",
        ),
        _usage_line(ctx, res, region, "monthly_requests", "kms.requests", "API requests", per=10_000),
    ]


def price_log_group(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    ingest, source = ctx.usage_value(res, "monthly_ingest_gb")
    retention = _num(res.props.get("retentionInDays"), 0)
    months = min(retention / 30.0, 12.0) if retention else 12.0
    storage_price = _sku(ctx, res, region, "cloudwatch.logs.storage")
    return [
        _usage_line(ctx, res, region, "monthly_ingest_gb", "cloudwatch.logs.ingest", "Log ingestion"),
        _fixed(
            "Log storage",
            "GB-month",
            ingest * months,
            storage_price,
            f"steady state {ingest:g} GB/month ({source}) x {months:g} months kept"
            + (f" (retentionInDays={retention:g})" if retention else " (never expires: capped at 12 months)"),
            usage_based=True,
        ),
    ]


def price_vpc_endpoint(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    kind = str(res.props.get("vpcEndpointType") or "Gateway")
    if kind != "Interface":
        return [
            _fixed("Gateway endpoint", "endpoint", 1, 0.0, f"{kind} endpoints have no hourly or data charge")
        ]
    subnets = res.props.get("subnetIds") or []
    azs = len(subnets) if isinstance(subnets, list) and subnets else 2
    price = _sku(ctx, res, region, "vpc.interface-endpoint")
    return [
        _hourly(
            f"Interface endpoint ({azs} AZs)",
            price,
            azs,
            azs,
            azs,
            f"{azs} AZ attachments" + ("" if subnets else " (no subnetIds: assumed 2)") + " x 730 h",
        ),
        _usage_line(ctx, res, region, "monthly_data_gb", "vpc.interface-endpoint.data", "Data processed"),
    ]


def price_nat_gateway(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    return [
        _hourly(
            "NAT gateway",
            _sku(ctx, res, region, "vpc.nat-gateway"),
            1,
            1,
            1,
            "always on, 730 h; data processing not included",
        )
    ]


def price_cloudtrail(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    lines = [_fixed("Management events", "100k events", 0, 0.0, "first copy of management events is free")]
    selectors = res.props.get("advancedEventSelectors") or res.props.get("eventSelectors") or []
    has_data = any("data" in str(s).lower() or "dataResources" in str(s) for s in selectors)
    if has_data:
        lines.append(
            _usage_line(
                ctx, res, region, "monthly_data_events", "cloudtrail.data-events", "Data events", per=100_000
            )
        )
    return lines


def price_ecr(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    return [_usage_line(ctx, res, region, "storage_gb", "ecr.storage", "Image storage")]


def price_metric_alarm(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    return [
        _fixed("Alarm", "alarm-month", 1, _sku(ctx, res, region, "cloudwatch.alarm"), "standard resolution")
    ]


def price_dashboard(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    return [
        _fixed(
            "Dashboard",
            "dashboard-month",
            1,
            _sku(ctx, res, region, "cloudwatch.dashboard"),
            "assumes the account's 3 free dashboards are used elsewhere",
        )
    ]


def price_sns_topic(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    return [_usage_line(ctx, res, region, "monthly_requests_millions", "sns.requests", "Publishes")]


# ------------------------------------------------------------------------------------------------ GCP
def _gcp_machine(ctx: Context, region: str, name: str) -> InstanceType:
    it = ctx.catalog.instance_type("gcp", region, name)
    if it is None:
        raise PriceMissing(f"machine type '{name}' is not priced in gcp {region}")
    return it


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
    region = _region(res, ctx)
    return [
        _hourly(
            "Cluster management",
            _sku(ctx, res, region, "gke.cluster"),
            1,
            1,
            1,
            "always on, 730 h; the billing account's one free zonal/Autopilot cluster credit not applied",
        )
    ]


def _node_counts(res: StateResource, ctx: Context) -> tuple[float, float, float, str]:
    props = res.props
    auto = _get(props, "autoscaling") or {}
    locations = props.get("nodeLocations") or []
    location = str(props.get("location") or "")
    zones = (
        len(locations)
        if isinstance(locations, list) and locations
        else (1 if location.count("-") == 2 else 3)
    )
    if auto and ("totalMinNodeCount" in auto or "totalMaxNodeCount" in auto):
        lo = _num(auto.get("totalMinNodeCount"), 0)
        hi = max(_num(auto.get("totalMaxNodeCount"), lo), lo)
        basis = f"total {lo:g}..{hi:g} nodes"
    elif auto:
        lo = _num(auto.get("minNodeCount"), 0) * zones
        hi = max(_num(auto.get("maxNodeCount"), 0) * zones, lo)
        basis = f"{lo / zones:g}..{hi / zones:g} per zone x {zones} zones"
    else:
        fixed = _num(props.get("nodeCount"), _num(props.get("initialNodeCount"), 1)) * zones
        lo = hi = fixed
        basis = f"fixed {fixed:g} nodes"
    nodes, source = ctx.usage_value(res, "nodes")
    if nodes < 0:
        nodes, source = lo, "minimum"
    return nodes, lo, hi, f"{nodes:g} nodes ({source}), range {basis}"


def price_gke_node_pool(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    cfg = _get(res.props, "nodeConfig") or {}
    if isinstance(cfg, list):
        cfg = cfg[0] if cfg else {}
    machine = str(cfg.get("machineType") or "e2-medium")
    it = _gcp_machine(ctx, region, machine)
    spot = bool(cfg.get("spot") or cfg.get("preemptible"))
    hourly = it.hourly(spot)
    if hourly is None:
        raise PriceMissing(f"no spot price for '{machine}' in gcp {region}")
    nodes, lo, hi, basis = _node_counts(res, ctx)
    category = "Dynamic" if spot else "Standard"
    lines = [
        _hourly(
            f"Nodes ({'spot' if spot else 'on-demand'} {machine})",
            hourly,
            nodes,
            lo,
            hi,
            f"{basis} x 730 h at ${hourly:.4f}/h"
            + ("" if cfg.get("machineType") else " (no machineType: GKE default e2-medium)"),
            category,
        )
    ]
    for acc in cfg.get("guestAccelerators") or []:
        if not isinstance(acc, Mapping):
            continue
        name = _accelerator_name(str(acc.get("type") or ""))
        count = _num(acc.get("count"), 1)
        record = ctx.catalog.accelerator("gcp", region, name)
        if record is None:
            raise PriceMissing(f"accelerator '{name}' is not priced in gcp {region}")
        if record.bundled:
            continue  # g2/a2/a3 machine prices already include their GPUs
        if record.attaches_to != it.family:
            raise PriceMissing(
                f"accelerator '{name}' attaches to {record.attaches_to} machines, not {it.family}"
            )
        gpu_price = record.spot_hourly if spot and record.spot_hourly else record.on_demand_hourly
        lines.append(
            _hourly(
                f"GPUs ({count:g} x {name} per node)",
                gpu_price * count,
                nodes,
                lo,
                hi,
                f"{count:g} per node, ${gpu_price:.4f}/GPU-h",
                category,
            )
        )
    disk = _num(cfg.get("diskSizeGb"), 100)
    pd = _sku(ctx, res, region, "pd.balanced.storage")
    lines.append(
        CostLine(
            name="Boot disks (pd-balanced)",
            unit="GB-month",
            quantity=disk * nodes,
            unit_price=pd,
            monthly=disk * nodes * pd,
            low=disk * lo * pd,
            high=disk * hi * pd,
            assumption=f"{disk:g} GB per node" + ("" if "diskSizeGb" in cfg else " (GKE default)"),
        )
    )
    return lines


def price_vertex_pool(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    dedicated = _get(res.props, "dedicatedResources") or {}
    spec = dedicated.get("machineSpec") or {}
    if isinstance(spec, list):
        spec = spec[0] if spec else {}
    machine = str(spec.get("machineType") or "n1-standard-2")
    node_price = _sku(ctx, res, region, f"vertex.prediction.{machine}")
    lo = _num(dedicated.get("minReplicaCount"), 1)
    hi = max(_num(dedicated.get("maxReplicaCount"), lo), lo)
    replicas, source = ctx.usage_value(res, "replicas")
    if replicas < 0:
        replicas, source = lo, "minimum"
    lines = [
        _hourly(
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
        record = ctx.catalog.accelerator("gcp", region, name)
        count = _num(spec.get("acceleratorCount"), 1)
        if record is None or not record.bundled:
            gpu = _sku(ctx, res, region, f"vertex.prediction.gpu.{name}")
            lines.append(
                _hourly(
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
    region = _region(res, ctx)
    bigtable = _get(res.props, "bigtable")
    lines: list[CostLine] = []
    if bigtable:
        auto = bigtable.get("autoScaling") or {}
        if isinstance(auto, list):
            auto = auto[0] if auto else {}
        lo = _num(auto.get("minNodeCount"), 1)
        hi = max(_num(auto.get("maxNodeCount"), lo), lo)
        price = _sku(ctx, res, region, "vertex.featureonlinestore.bigtable-node")
        lines.append(
            _hourly(
                "Bigtable serving nodes",
                price,
                lo,
                lo,
                hi,
                f"{lo:g} nodes (minimum), autoscaling {lo:g}..{hi:g}",
            )
        )
    else:
        nodes, source = ctx.usage_value(res, "optimized_nodes")
        price = _sku(ctx, res, region, "vertex.featureonlinestore.optimized-node")
        lines.append(
            _hourly("Optimized serving nodes", price, nodes, nodes, nodes, f"{nodes:g} nodes ({source})")
        )
    lines.append(
        _usage_line(
            ctx, res, region, "online_storage_gb", "vertex.featureonlinestore.storage", "Online storage"
        )
    )
    return lines


def price_gcs_bucket(res: StateResource, ctx: Context) -> list[CostLine]:
    location = str(res.props.get("location") or res.region or "")
    multi = location.upper() in {"EU", "US", "ASIA"} or location.lower() in {"eur4", "nam4", "asia1"}
    region = _gcp_region(res, ctx)
    sku = "gcs.standard.storage.multi-region" if multi else "gcs.standard.storage"
    storage = _usage_line(
        ctx, res, region, "storage_gb", sku, "Standard storage" + (f" ({location})" if multi else "")
    )
    return [
        storage,
        _usage_line(
            ctx, res, region, "monthly_class_a_operations", "gcs.class-a", "Class A operations", per=10_000
        ),
        _usage_line(
            ctx, res, region, "monthly_class_b_operations", "gcs.class-b", "Class B operations", per=10_000
        ),
    ]


def price_gcp_kms_key(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _gcp_region(res, ctx)
    versions, source = ctx.usage_value(res, "key_versions")
    rotation = res.props.get("rotationPeriod")
    return [
        _fixed(
            "Key versions",
            "key-version-month",
            versions,
            _sku(ctx, res, region, "kms.key-version"),
            f"{versions:g} active versions ({source})"
            + (f"; rotationPeriod {rotation} adds versions" if rotation else ""),
            usage_based=True,
        ),
        _usage_line(ctx, res, region, "monthly_operations", "kms.operations", "Operations", per=10_000),
    ]


def price_bigquery_dataset(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _gcp_region(res, ctx)
    return [
        _usage_line(ctx, res, region, "storage_gb", "bigquery.storage.active", "Active storage"),
        _usage_line(ctx, res, region, "monthly_query_tib", "bigquery.query", "On-demand queries"),
    ]


def price_artifact_registry(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _gcp_region(res, ctx)
    return [_usage_line(ctx, res, region, "storage_gb", "artifactregistry.storage", "Storage")]


def price_metadata_store(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _region(res, ctx)
    return [_usage_line(ctx, res, region, "storage_gib", "vertex.metadata.storage", "Metadata storage")]


def price_cloud_nat(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _gcp_region(res, ctx)
    vms, source = ctx.usage_value(res, "vms")
    price = _sku(ctx, res, region, "cloudnat.vm")
    billed = min(vms, 32.0)  # the per-VM charge is capped at 32 VMs
    return [
        _hourly(
            f"NAT gateway ({_n(billed)} VMs)",
            price * billed,
            1,
            1,
            1,
            f"vms={_n(vms)} ({source}), billed up to 32 VMs",
        ),
        _usage_line(ctx, res, region, "monthly_data_gb", "cloudnat.data", "NAT data processing"),
    ]


def price_alert_policy(res: StateResource, ctx: Context) -> list[CostLine]:
    region = _gcp_region(res, ctx)
    conditions = res.props.get("conditions") or [{}]
    n = len(conditions) if isinstance(conditions, list) else 1
    return [
        _fixed(
            "Alert conditions",
            "condition-month",
            n,
            _sku(ctx, res, region, "monitoring.alert-condition"),
            f"{n} conditions",
        )
    ]


#: type token -> (pricer, FOCUS ServiceName, FOCUS ServiceCategory)
PRICERS: dict[str, tuple[Pricer, str, str]] = {
    "aws:eks/cluster:Cluster": (price_eks_cluster, "Amazon Elastic Kubernetes Service", "Compute"),
    "aws:eks/nodeGroup:NodeGroup": (price_eks_node_group, "Amazon Elastic Compute Cloud", "Compute"),
    "aws:sagemaker/endpoint:Endpoint": (
        price_sagemaker_endpoint,
        "Amazon SageMaker",
        "AI and Machine Learning",
    ),
    "aws:sagemaker/featureGroup:FeatureGroup": (
        price_feature_group,
        "Amazon SageMaker",
        "AI and Machine Learning",
    ),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": (
        price_monitoring_schedule,
        "Amazon SageMaker",
        "AI and Machine Learning",
    ),
    "aws:s3/bucket:Bucket": (price_s3_bucket, "Amazon Simple Storage Service", "Storage"),
    "aws:s3/bucketV2:BucketV2": (price_s3_bucket, "Amazon Simple Storage Service", "Storage"),
    "aws:kms/key:Key": (price_kms_key, "AWS Key Management Service", "Security"),
    "aws:cloudwatch/logGroup:LogGroup": (price_log_group, "AmazonCloudWatch", "Management and Governance"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        price_metric_alarm,
        "AmazonCloudWatch",
        "Management and Governance",
    ),
    "aws:cloudwatch/dashboard:Dashboard": (price_dashboard, "AmazonCloudWatch", "Management and Governance"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (price_vpc_endpoint, "Amazon Virtual Private Cloud", "Networking"),
    "aws:ec2/natGateway:NatGateway": (price_nat_gateway, "Amazon Virtual Private Cloud", "Networking"),
    "aws:cloudtrail/trail:Trail": (price_cloudtrail, "AWS CloudTrail", "Management and Governance"),
    "aws:ecr/repository:Repository": (price_ecr, "Amazon Elastic Container Registry", "Storage"),
    "aws:sns/topic:Topic": (price_sns_topic, "Amazon Simple Notification Service", "Integration"),
    "gcp:container/cluster:Cluster": (price_gke_cluster, "Kubernetes Engine", "Compute"),
    "gcp:container/nodePool:NodePool": (price_gke_node_pool, "Compute Engine", "Compute"),
    "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool": (
        price_vertex_pool,
        "Vertex AI",
        "AI and Machine Learning",
    ),
    "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore": (
        price_feature_online_store,
        "Vertex AI",
        "AI and Machine Learning",
    ),
    "gcp:vertex/aiMetadataStore:AiMetadataStore": (
        price_metadata_store,
        "Vertex AI",
        "AI and Machine Learning",
    ),
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

#: Priced types that take no tags or labels: billing shows their cost untagged whatever the provider's
#: default tags say. Decided by the registry every package shares (``mlkeel.taggable``, read from the
#: provider SDKs' signatures without importing them), not by a hand list that goes stale.
UNTAGGABLE: frozenset[str] = frozenset(token for token in PRICERS if takes_no_tags(token))

#: Types with no charge of their own, and why (listed as "free", not as "not priced").
FREE_TYPES: dict[str, str] = {
    **{
        t: "IAM has no charge"
        for t in (
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/policy:Policy",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "aws:iam/instanceProfile:InstanceProfile",
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
            "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "aws:eks/accessEntry:AccessEntry",
            "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
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
            "gcp:vertex/aiEndpointIamMember:AiEndpointIamMember",
            "gcp:bigquery/datasetIamMember:DatasetIamMember",
            "gcp:vertex/aiFeatureOnlineStoreIamMember:AiFeatureOnlineStoreIamMember",
            "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
            "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
        )
    },
    **{
        t: "configuration of a priced resource (its cost is on that resource)"
        for t in (
            "aws:kms/alias:Alias",
            "aws:kms/keyPolicy:KeyPolicy",
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketVersioningV2:BucketVersioningV2",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
            "aws:s3/bucketLogging:BucketLogging",
            "aws:s3/bucketLoggingV2:BucketLoggingV2",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketNotification:BucketNotification",
            "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            "aws:ecr/repositoryPolicy:RepositoryPolicy",
            "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "aws:appautoscaling/target:Target",
            "aws:appautoscaling/policy:Policy",
            "aws:sns/topicPolicy:TopicPolicy",
            "aws:sns/topicSubscription:TopicSubscription",
            "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
            "aws:ec2/launchTemplate:LaunchTemplate",
            "aws:eks/addon:Addon",
            "gcp:vertex/aiEndpoint:AiEndpoint",
            "gcp:vertex/aiFeatureGroup:AiFeatureGroup",
            "gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature",
            "gcp:vertex/aiFeatureOnlineStoreFeatureview:AiFeatureOnlineStoreFeatureview",
            "gcp:bigquery/table:Table",
            "gcp:kms/keyRing:KeyRing",
        )
    },
    **{
        t: "networking object with no charge"
        for t in (
            "aws:ec2/vpc:Vpc",
            "aws:ec2/subnet:Subnet",
            "aws:ec2/routeTable:RouteTable",
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "aws:ec2/route:Route",
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            "aws:ec2/internetGateway:InternetGateway",
            "aws:ec2/flowLog:FlowLog",
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
            "gcp:compute/network:Network",
            "gcp:compute/subnetwork:Subnetwork",
            "gcp:compute/firewall:Firewall",
            "gcp:compute/router:Router",
            "gcp:compute/globalAddress:GlobalAddress",
            "gcp:servicenetworking/connection:Connection",
        )
    },
    **{
        t: "definition only; the jobs or events it triggers are billed when they run"
        for t in (
            "aws:sagemaker/model:Model",
            "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
            "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy",
            "aws:sagemaker/pipeline:Pipeline",
            "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
            "aws:sagemaker/userProfile:UserProfile",
            "aws:cloudwatch/eventRule:EventRule",
            "aws:cloudwatch/eventTarget:EventTarget",
        )
    },
    **{
        t: "billing and governance objects have no charge"
        for t in (
            "aws:budgets/budget:Budget",
            "aws:costexplorer/costAllocationTag:CostAllocationTag",
            "gcp:billing/budget:Budget",
            "gcp:monitoring/notificationChannel:NotificationChannel",
            "gcp:logging/projectSink:ProjectSink",
            "gcp:projects/iAMAuditConfig:IAMAuditConfig",
            "gcp:projects/service:Service",
            "gcp:projects/serviceIdentity:ServiceIdentity",
            "gcp:orgpolicy/policy:Policy",
        )
    },
}

FREE_TYPES.update(
    {
        "aws:glue/catalogDatabase:CatalogDatabase": "Glue Data Catalog: the first million objects a month are free",
        "gcp:logging/projectBucketConfig:ProjectBucketConfig": (
            "log bucket settings; retention beyond 30 days is billed per GiB-month (not estimated)"
        ),
        "gcp:monitoring/dashboard:Dashboard": "Cloud Monitoring dashboards have no charge",
        "gcp:monitoring/metricDescriptor:MetricDescriptor": (
            "a metric definition; custom metric samples are billed by volume (not estimated)"
        ),
    }
)

#: Type prefixes whose cost is carried elsewhere.
FREE_PREFIXES: dict[str, str] = {
    "kubernetes:": "runs on cluster nodes, which are priced on their node group / node pool",
    "random:": "local value, no cloud charge",
    "tls:": "local value, no cloud charge",
}

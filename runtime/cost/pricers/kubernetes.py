"""Kubernetes workloads: pods priced from their requests at the cluster's node prices, as OpenCost allocates.

A pod costs what its requests take of the node it lands on. The node's catalog price (on-demand, or spot
where the pool is spot) is split into a vCPU-hour, a GiB-hour and a GPU-hour price with OpenCost's default
relative prices (``OPENCOST_WEIGHTS``), so a pod asking for a quarter of a node's CPU pays for a quarter of
the CPU part of the node. Requests times replicas give the estimate: a Deployment or StatefulSet its
HorizontalPodAutoscaler's minimum (else ``spec.replicas``), an InferenceService each component's
``minReplicas``, both with their maximum as the high end of the range; Jobs and CronJobs are priced for the
hours they run (usage file). Labels are the cost tags, so the rollups group pods as OpenCost does.

Where the nodes are: the team Namespace's ``mlkeel.io/pricing`` annotation (JSON: ``cloud``, ``region``,
``nodeInstanceType``, ``nodeSpot`` and ``pools`` of ``{instanceTypes, spot, gpus, accelerator}``) names the
catalog cloud, region and node types; a pod selecting a pool (``nodeSelector`` ``mlkeel.io/pool``, or GKE's
``cloud.google.com/gke-nodepool``) lands on that pool's cheapest fitting type (as Karpenter picks), any other
on the general node type.

No double counting: in a stack that prices its own nodes (EKS node groups, GKE node pools), pods on those
nodes are already paid for there, and the workload is listed as free saying so; only pods on Karpenter
pools, whose nodes no state holds, are priced from their requests. Other Kubernetes objects have no charge
of their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from runtime.cost._model import CostLine
from runtime.cost._state import StateResource
from runtime.cost.pricers._base import (
    Context,
    PricedElsewhere,
    PriceMissing,
    PricerTable,
    fixed,
    hourly,
    instance_type,
    node_hourly,
    readable,
)
from runtime.cost.pricers.aws import runs_per_month
from runtime.pricing import InstanceType

ON_STACK_NODES = "its pods run on the stack's EKS node groups / GKE node pools, whose nodes are priced there"

#: The annotation of a team Namespace that says where its nodes are priced.
PRICING_ANNOTATION = "mlkeel.io/pricing"
#: Node selector keys that put a pod on a named pool: mlkeel's own label, and GKE's node pool label.
POOL_LABELS = ("mlkeel.io/pool", "cloud.google.com/gke-nodepool")
GPU = "nvidia.com/gpu"

#: OpenCost's default prices (USD per vCPU-hour, GiB-hour, GPU-hour), used only as relative weights to split
#: a node's catalog price between its CPU, memory and GPUs (opencost ``configs/default.json``).
OPENCOST_WEIGHTS = {"cpu": 0.031611, "memory": 0.004237, "gpu": 0.95}

#: Node selector (or required node affinity) values that put a pod on spot capacity.
SPOT_SELECTORS: dict[str, tuple[str, ...]] = {
    "karpenter.sh/capacity-type": ("spot",),
    "eks.amazonaws.com/capacityType": ("SPOT",),
    "cloud.google.com/gke-spot": ("true",),
    "cloud.google.com/gke-provisioning": ("spot",),
}

NAMESPACE = "kubernetes:core/v1:Namespace"
HPA_TYPES = (
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
)
KARPENTER_NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
INFERENCE_SERVICE = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
PRICED_NODES = ("aws:eks/nodeGroup:NodeGroup", "gcp:container/nodePool:NodePool")
KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")
KSERVE_MODEL_KEYS = (
    "model", "sklearn", "xgboost", "lightgbm", "tensorflow", "pytorch", "triton", "onnx", "pmml", "paddle",
    "huggingface",
)  # fmt: skip


# ------------------------------------------------------------------------------------------- quantities
_SUFFIXES: dict[str, Decimal] = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    **{s: Decimal(10) ** (3 * (i + 1)) for i, s in enumerate(("k", "M", "G", "T", "P", "E"))},
    **{s: Decimal(2) ** (10 * (i + 1)) for i, s in enumerate(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))},
}
_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")


def quantity(value: object) -> float:
    """A Kubernetes resource quantity (``500m``, ``2``, ``1.5Gi``, ``1e3``) as a plain number."""
    if isinstance(value, bool):
        raise PriceMissing(f"resource quantity {value!r} is not a Kubernetes quantity")
    if isinstance(value, (int, float)):
        return float(value)
    match = _QUANTITY.match(str(value).strip())
    if not match:
        raise PriceMissing(f"resource quantity {value!r} is not a Kubernetes quantity")
    try:
        return float(Decimal(match.group(1)) * _SUFFIXES[match.group(2) or ""])
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise PriceMissing(f"resource quantity {value!r} is not a Kubernetes quantity") from None


@dataclass
class Requests:
    """What one pod asks for: vCPUs, GiB of memory, GPUs."""

    cpu: float = 0.0
    memory_gib: float = 0.0
    gpus: float = 0.0

    def add(self, other: Requests) -> None:
        self.cpu += other.cpu
        self.memory_gib += other.memory_gib
        self.gpus += other.gpus

    def at_least(self, other: Requests) -> None:
        self.cpu = max(self.cpu, other.cpu)
        self.memory_gib = max(self.memory_gib, other.memory_gib)
        self.gpus = max(self.gpus, other.gpus)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _container_requests(container: Mapping[str, Any], where: str) -> Requests:
    """A container's requests; where one is missing its limit stands in (Kubernetes copies it)."""
    resources = _mapping(container.get("resources"))
    requests, limits = _mapping(resources.get("requests")), _mapping(resources.get("limits"))
    found = Requests()
    for key in ("cpu", "memory"):
        raw = requests.get(key, limits.get(key))
        if raw is None:
            raise PriceMissing(f"{where} has no {key} request or limit, so its share of a node is unknown")
        amount = quantity(raw)
        if key == "cpu":
            found.cpu = amount
        else:
            found.memory_gib = amount / 2**30
    gpu = requests.get(GPU, limits.get(GPU))
    found.gpus = quantity(gpu) if gpu is not None else 0.0
    return found


def pod_requests(spec: Mapping[str, Any], extra: Sequence[tuple[str, Mapping[str, Any]]] = ()) -> Requests:
    """A pod's effective requests, as the scheduler counts them: the sum of its containers, or its largest
    init container where that is more."""
    total = Requests()
    containers = [
        (f"container {c.get('name', i)}", _mapping(c)) for i, c in enumerate(spec.get("containers") or [])
    ]
    for where, container in [*containers, *extra]:
        total.add(_container_requests(container, where))
    for i, c in enumerate(spec.get("initContainers") or []):
        total.at_least(_container_requests(_mapping(c), f"init container {_mapping(c).get('name', i)}"))
    return total


# --------------------------------------------------------------------------------------------- the nodes
@dataclass
class ClusterPricing:
    """Where a namespace's nodes are priced (from its ``mlkeel.io/pricing`` annotation)."""

    cloud: str
    region: str
    node_type: str
    node_spot: bool = False
    pools: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    source: str = ""


def _pricing_of(namespace: StateResource) -> ClusterPricing | None:
    annotations = _mapping(_mapping(namespace.props.get("metadata")).get("annotations"))
    raw = annotations.get(PRICING_ANNOTATION)
    if raw is None:
        return None
    try:
        doc = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise PriceMissing(f"namespace annotation {PRICING_ANNOTATION} is not JSON ({raw!r})") from None
    if not isinstance(doc, Mapping) or not all(doc.get(k) for k in ("cloud", "region", "nodeInstanceType")):
        raise PriceMissing(
            f"namespace annotation {PRICING_ANNOTATION} must name cloud, region and nodeInstanceType "
            f"(found {raw!r})"
        )
    pools = {str(k): _mapping(v) for k, v in _mapping(doc.get("pools")).items()}
    return ClusterPricing(
        cloud=str(doc["cloud"]),
        region=str(doc["region"]),
        node_type=str(doc["nodeInstanceType"]),
        node_spot=bool(doc.get("nodeSpot", False)),
        pools=pools,
        source=f"namespace {_mapping(namespace.props.get('metadata')).get('name')} {PRICING_ANNOTATION}",
    )


@dataclass
class _Cluster:
    pricing: dict[str, ClusterPricing | PriceMissing]
    hpas: dict[tuple[str, str, str], tuple[float, float]]
    nodes_priced: bool
    karpenter_pools: set[str]


def _cluster_index(ctx: Context) -> _Cluster:
    pricing: dict[str, ClusterPricing | PriceMissing] = {}
    for ns in ctx.by_type.get(NAMESPACE, []):
        name = str(_mapping(ns.props.get("metadata")).get("name") or ns.name)
        try:
            found = _pricing_of(ns)
        except PriceMissing as exc:
            pricing[name] = exc
            continue
        if found is not None:
            pricing[name] = found
    hpas: dict[tuple[str, str, str], tuple[float, float]] = {}
    for token in HPA_TYPES:
        for hpa in ctx.by_type.get(token, []):
            spec = _mapping(hpa.props.get("spec"))
            target = _mapping(spec.get("scaleTargetRef"))
            namespace = str(_mapping(hpa.props.get("metadata")).get("namespace") or "default")
            low = float(spec.get("minReplicas") or 1)
            high = max(float(spec.get("maxReplicas") or low), low)
            hpas[(namespace, str(target.get("kind")), str(target.get("name")))] = (low, high)
    karpenter = {
        str(_mapping(p.props.get("metadata")).get("name") or p.name)
        for p in ctx.by_type.get(KARPENTER_NODE_POOL, [])
    }
    return _Cluster(
        pricing=pricing,
        hpas=hpas,
        nodes_priced=any(ctx.by_type.get(t) for t in PRICED_NODES),
        karpenter_pools=karpenter,
    )


def pool_of(spec: Mapping[str, Any]) -> str | None:
    """The pool a pod spec selects by name, if any."""
    selectors = _mapping(spec.get("nodeSelector"))
    return next((str(selectors[key]) for key in POOL_LABELS if selectors.get(key)), None)


def _selects_spot(spec: Mapping[str, Any]) -> bool:
    selectors = dict(_mapping(spec.get("nodeSelector")))
    affinity = _mapping(_mapping(_mapping(spec.get("affinity")).get("nodeAffinity")))
    required = _mapping(affinity.get("requiredDuringSchedulingIgnoredDuringExecution"))
    for term in required.get("nodeSelectorTerms") or []:
        for expr in _mapping(term).get("matchExpressions") or []:
            expr = _mapping(expr)
            values = list(expr.get("values") or [])
            if expr.get("operator") == "In" and len(values) == 1:
                selectors.setdefault(str(expr.get("key")), values[0])
    return any(str(selectors.get(key)) in values for key, values in SPOT_SELECTORS.items())


@dataclass
class _Node:
    it: InstanceType
    spot: bool
    hourly: float
    gpus: float
    what: str


def _fits(it: InstanceType, pod: Requests, gpus: float) -> bool:
    return gpus >= pod.gpus and it.vcpu >= pod.cpu and it.memory_gib >= pod.memory_gib


def _node_for(ctx: Context, pricing: ClusterPricing, spec: Mapping[str, Any], pod: Requests) -> _Node:
    pool_name = pool_of(spec)
    spot = _selects_spot(spec)
    pool: Mapping[str, Any] = {}
    if pool_name is None:
        types, what = [pricing.node_type], "general nodes"
        spot = spot or pricing.node_spot
    else:
        found = pricing.pools.get(pool_name)
        if found is None:
            raise PriceMissing(
                f"pool {pool_name!r} is not in {pricing.source} (pools: {', '.join(pricing.pools) or 'none'})"
            )
        pool = found
        types = [str(t) for t in pool.get("instanceTypes") or []] or [pricing.node_type]
        spot = spot or bool(pool.get("spot", False))
        what = f"pool {pool_name}"
    candidates: list[_Node] = []
    for name in types:
        it = instance_type(ctx, pricing.cloud, pricing.region, name, "node type")
        price = node_hourly(it, spot)
        gpus = float(it.gpu_count)
        accelerator = pool.get("accelerator")
        if accelerator and not it.gpu_count:  # GCP: GPUs attached to an N1 or similar machine
            attached = ctx.catalog.accelerator_price(pricing.cloud, pricing.region, str(accelerator))
            if attached is None or (spot and attached.spot_hourly is None):
                raise PriceMissing(
                    f"accelerator {accelerator!r} is not priced in {pricing.cloud} {pricing.region}"
                )
            gpus = float(pool.get("gpus") or 1)
            price += gpus * float(attached.spot_hourly if spot else attached.on_demand_hourly)  # type: ignore[arg-type]
        candidates.append(_Node(it, spot, price, gpus, what))
    fitting = [n for n in candidates if _fits(n.it, pod, n.gpus)]
    if not fitting:
        raise PriceMissing(
            f"no node type of {what} ({', '.join(types)}) fits a pod requesting {pod.cpu:g} vCPU, "
            f"{pod.memory_gib:g} GiB and {pod.gpus:g} GPUs"
        )
    return min(fitting, key=lambda n: n.hourly)


def unit_prices(node: _Node) -> dict[str, float]:
    """The node's hourly price split into per vCPU, per GiB and per GPU prices (OpenCost's weights)."""
    weights = {
        "cpu": node.it.vcpu * OPENCOST_WEIGHTS["cpu"],
        "memory": node.it.memory_gib * OPENCOST_WEIGHTS["memory"],
        "gpu": node.gpus * OPENCOST_WEIGHTS["gpu"],
    }
    total = sum(weights.values())
    amounts = {"cpu": node.it.vcpu, "memory": node.it.memory_gib, "gpu": node.gpus}
    return {k: (node.hourly * weights[k] / total / amounts[k]) if amounts[k] else 0.0 for k in weights}


# --------------------------------------------------------------------------------------------- the pods
@dataclass
class _PodShape:
    where: str
    spec: Mapping[str, Any]
    requests: Requests
    low: float
    count: float
    high: float
    replicas_note: str


def _namespace(res: StateResource) -> str:
    return str(_mapping(res.props.get("metadata")).get("namespace") or "default")


def _replicas(res: StateResource, ctx: Context, cluster: _Cluster) -> tuple[float, float, float, str]:
    kind = res.type.rsplit(":", 1)[-1]
    name = str(_mapping(res.props.get("metadata")).get("name") or res.name)
    hpa = cluster.hpas.get((_namespace(res), kind, name))
    spec = _mapping(res.props.get("spec"))
    if kind == "DaemonSet":
        nodes, source = ctx.usage_value(res, "nodes")
        return nodes, nodes, nodes, f"{nodes:g} pods, one per node ({source})"
    if kind in ("Pod", "Job", "CronJob"):
        return 1, 1, 1, "1 pod"
    if hpa is not None:
        low, high = hpa
        note = f"HPA min {low:g}..max {high:g} replicas (the estimate takes the minimum)"
    else:
        low = high = float(spec.get("replicas", 1) or 0)
        note = f"{low:g} replicas (spec.replicas)"
    wanted, source = ctx.usage_value(res, "replicas")
    if wanted >= 0:
        return low, wanted, max(high, wanted), f"{wanted:g} replicas ({source}); {note}"
    return low, low, high, note


def _workload_pods(res: StateResource, ctx: Context, cluster: _Cluster) -> list[_PodShape]:
    props = res.props
    if res.type == INFERENCE_SERVICE:
        shapes = []
        for component in KSERVE_COMPONENTS:
            spec = _mapping(_mapping(props.get("spec")).get(component))
            if not spec:
                continue
            extra = [
                (f"{component}.{k}", _mapping(spec[k]))
                for k in KSERVE_MODEL_KEYS
                if isinstance(spec.get(k), Mapping)
            ]
            low = float(spec.get("minReplicas", 1) or 0)
            high = max(float(spec.get("maxReplicas") or low), low)
            count, source = ctx.usage_value(res, "replicas")
            canary = spec.get("canaryTrafficPercent")
            during = (
                f"; during a {canary}% canary rollout the new revision's pods run beside these, not counted"
                if canary is not None
                else ""
            )
            note = f"{component} minReplicas {low:g}..maxReplicas {high:g} (the estimate takes the minimum"
            note += f"{during})"
            if count < 0:
                count = low
            else:
                note = f"{count:g} replicas ({source}); {note}"
                high = max(high, count)
            shapes.append(
                _PodShape(f"spec.{component}", spec, pod_requests(spec, extra), low, count, high, note)
            )
        return shapes
    spec = _mapping(props.get("spec"))
    if res.type.endswith(":Pod"):
        pod_spec = spec
    elif res.type.endswith(":CronJob"):
        pod_spec = _mapping(
            _mapping(_mapping(_mapping(spec.get("jobTemplate")).get("spec")).get("template")).get("spec")
        )
    else:
        pod_spec = _mapping(_mapping(spec.get("template")).get("spec"))
    low, count, high, note = _replicas(res, ctx, cluster)
    return [_PodShape("pod", pod_spec, pod_requests(pod_spec), low, count, high, note)]


def _hours(res: StateResource, ctx: Context) -> tuple[float, str] | None:
    """Hours a month a run-to-completion workload's pods run; None for always-on ones."""
    if res.type.endswith(":Job"):
        hours, source = ctx.usage_value(res, "run_hours")
        parallelism = float(_mapping(res.props.get("spec")).get("parallelism") or 1)
        return hours * parallelism, f"{readable(hours)} h a month ({source}) x parallelism {parallelism:g}"
    if res.type.endswith(":CronJob"):
        schedule = str(_mapping(res.props.get("spec")).get("schedule") or "")
        runs, cadence = runs_per_month(f"cron({schedule})")
        minutes, source = ctx.usage_value(res, "run_minutes")
        return runs * minutes / 60, f"{runs:,.0f} runs/month ({cadence}) x {readable(minutes)} min ({source})"
    return None


def price_workload(res: StateResource, ctx: Context) -> list[CostLine]:
    """CPU, memory and GPU lines of a workload's pods at its nodes' prices (see the module docs)."""
    cluster = ctx.index("kubernetes-cluster", _cluster_index)
    shapes = _workload_pods(res, ctx, cluster)
    lines: list[CostLine] = []
    on_stack_nodes = 0
    for shape in shapes:
        pool = pool_of(shape.spec)
        on_karpenter = pool is not None and str(pool) in cluster.karpenter_pools
        if cluster.nodes_priced and not on_karpenter:
            on_stack_nodes += 1
            continue
        pricing = _pricing_for(res, cluster)
        node = _node_for(ctx, pricing, shape.spec, shape.requests)
        prices = unit_prices(node)
        hours = _hours(res, ctx)
        purchase = "spot" if node.spot else "on-demand"
        basis = (
            f"{node.what}: {node.it.name} {purchase} ${node.hourly:.4f}/h ({pricing.cloud} {pricing.region}) "
            "split by OpenCost's default CPU/RAM/GPU weights"
        )
        category = "Dynamic" if node.spot else "Standard"
        for key, label, amount in (
            ("cpu", "vCPU", shape.requests.cpu),
            ("memory", "GiB memory", shape.requests.memory_gib),
            ("gpu", "GPU", shape.requests.gpus),
        ):
            if not amount:
                continue
            name = f"{label} requests ({shape.where}, {purchase})"
            each = f"{amount:g} {label} per pod"
            if hours is None:
                line = hourly(
                    name,
                    prices[key],
                    amount * shape.count,
                    amount * shape.low,
                    amount * shape.high,
                    f"{each} x {shape.replicas_note} x 730 h; {basis}",
                    category,
                )
                line.unit = f"{label}-hour"
            else:
                run_hours, run_note = hours
                line = fixed(
                    name,
                    f"{label}-hour",
                    amount * run_hours,
                    prices[key],
                    f"{each} x {run_note}; {basis}",
                    True,
                )
                line.pricing_category = category
            lines.append(line)
    if res.type.endswith(":StatefulSet"):
        lines.extend(_claim_templates(res, ctx, cluster, shapes[0]))
    if on_stack_nodes and not lines:
        raise PricedElsewhere(ON_STACK_NODES)
    return lines


#: Block storage a PersistentVolumeClaim gets from the cluster's default StorageClass, per cloud.
VOLUME_SKUS = {
    "aws": ("ebs.gp3.storage", "EBS gp3"),
    "gcp": ("pd.balanced.storage", "balanced persistent disk"),
}


def _pricing_for(res: StateResource, cluster: _Cluster) -> ClusterPricing:
    pricing = cluster.pricing.get(_namespace(res))
    if isinstance(pricing, PriceMissing):
        raise pricing
    if pricing is None:
        raise PriceMissing(
            f"namespace {_namespace(res)!r} has no {PRICING_ANNOTATION} annotation naming its node prices "
            "(set kubernetes.nodeCloud and nodeInstanceType in the stack spec)"
        )
    return pricing


def _volume_line(ctx: Context, pricing: ClusterPricing, name: str, gib: float, low: float, count: float,
                 high: float, note: str) -> CostLine:  # fmt: skip
    sku, what = VOLUME_SKUS.get(pricing.cloud, ("", ""))
    found = ctx.catalog.price(pricing.cloud, pricing.region, sku) if sku else None
    if found is None:
        raise PriceMissing(f"no block storage price for {pricing.cloud} {pricing.region}")
    return CostLine(
        name=name,
        unit="GB-month",
        quantity=gib * count,
        unit_price=found.usd,
        monthly=gib * count * found.usd,
        low=gib * low * found.usd,
        high=gib * high * found.usd,
        assumption=f"{gib:g} GiB {note} on {what} (the default StorageClass assumed)",
    )


def _claim_templates(res: StateResource, ctx: Context, cluster: _Cluster, shape: _PodShape) -> list[CostLine]:
    templates = _mapping(res.props.get("spec")).get("volumeClaimTemplates") or []
    if not templates:
        return []
    pricing = _pricing_for(res, cluster)
    lines = []
    for template in templates:
        template = _mapping(template)
        claim = str(_mapping(template.get("metadata")).get("name") or "data")
        size = _mapping(_mapping(_mapping(template.get("spec")).get("resources")).get("requests")).get(
            "storage"
        )
        if size is None:
            raise PriceMissing(f"volume claim template {claim!r} requests no storage")
        gib = quantity(size) / 2**30
        lines.append(
            _volume_line(
                ctx,
                pricing,
                f"Volume {claim} (one per replica)",
                gib,
                shape.low,
                shape.count,
                shape.high,
                f"per replica x {shape.replicas_note}",
            )
        )
    return lines


def price_volume_claim(res: StateResource, ctx: Context) -> list[CostLine]:
    """A PersistentVolumeClaim: the disk the cluster's default StorageClass provisions for it."""
    cluster = ctx.index("kubernetes-cluster", _cluster_index)
    pricing = _pricing_for(res, cluster)
    size = _mapping(_mapping(_mapping(res.props.get("spec")).get("resources")).get("requests")).get("storage")
    if size is None:
        raise PriceMissing("the claim requests no storage")
    gib = quantity(size) / 2**30
    return [_volume_line(ctx, pricing, "Volume", gib, 1, 1, 1, "requested")]


_SERVICE = "Kubernetes"
PRICERS: PricerTable = {
    token: (price_workload, _SERVICE, "Compute")
    for token in (
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:apps/v1:DaemonSet",
        "kubernetes:apps/v1:ReplicaSet",
        "kubernetes:batch/v1:Job",
        "kubernetes:batch/v1:CronJob",
        "kubernetes:core/v1:Pod",
        INFERENCE_SERVICE,
    )
}
PRICERS["kubernetes:core/v1:PersistentVolumeClaim"] = (price_volume_claim, _SERVICE, "Storage")

#: Type prefixes whose cost is carried by other resources.
FREE_PREFIXES: dict[str, str] = {
    "kubernetes:": "no charge of its own: the pods it configures or serves are priced on their workloads",
}

__all__ = ["FREE_PREFIXES", "OPENCOST_WEIGHTS", "PRICERS", "pod_requests", "quantity", "unit_prices"]

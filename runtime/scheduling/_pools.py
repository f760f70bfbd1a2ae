"""Pool-type choice: turn a training pool's requirements into concrete instance or machine types.

The components call :func:`choose_pool_types` at plan time when a pool spec names requirements ("GPUs
with at least 24 GiB, 8 vCPU") instead of instance types. A spot pool gets several types, cheapest
first: Karpenter and EC2 Fleet's price-capacity-optimized strategy need that diversity to find capacity,
and one type is one interruption domain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from runtime.scheduling._offers import NODE_SERVICES

if TYPE_CHECKING:
    from runtime.pricing import Catalog, InstanceType

#: Requirement keys and their defaults (the defaults of ``stacks.stackspec.PoolRequirements``).
REQUIREMENT_DEFAULTS: dict[str, Any] = {
    "min_gpu_memory_gib": 0.0,
    "gpus": 0,
    "min_vcpu": 2,
    "min_memory_gib": 4.0,
    "max_hourly_price": None,
    "instance_type_count": 4,
}
_CAMEL = {
    "minGpuMemoryGib": "min_gpu_memory_gib",
    "minVcpu": "min_vcpu",
    "minMemoryGib": "min_memory_gib",
    "maxHourlyPrice": "max_hourly_price",
    "instanceTypeCount": "instance_type_count",
}
_SERVICE_NAME = {"aws": "EC2 instance type", "gcp": "Compute Engine machine type"}


@dataclass(frozen=True)
class PoolChoice:
    """The types chosen for one pool, cheapest first, and a sentence saying why (for stack outputs).

    ``hourly_prices`` are the per-node prices of ``instance_types`` in the same order (spot prices for a
    spot pool), so a stack output or a cost report can show what the choice costs.
    """

    instance_types: list[str]
    reason: str
    hourly_prices: tuple[float, ...] = ()


def _normalise(requirements: Mapping[str, Any]) -> dict[str, Any]:
    req = dict(REQUIREMENT_DEFAULTS)
    for key, value in requirements.items():
        name = _CAMEL.get(key, key)
        if name not in REQUIREMENT_DEFAULTS:
            raise ValueError(
                f"requirements key {key!r} is unknown; allowed: {', '.join(REQUIREMENT_DEFAULTS)}"
            )
        req[name] = value
    for name in ("min_gpu_memory_gib", "min_memory_gib"):
        if req[name] is None or float(req[name]) < 0:
            raise ValueError(f"requirements.{name} = {req[name]!r}: must be a number ≥ 0")
    for name in ("gpus", "min_vcpu"):
        if req[name] is None or int(req[name]) < 0:
            raise ValueError(f"requirements.{name} = {req[name]!r}: must be an integer ≥ 0")
    if req["max_hourly_price"] is not None and float(req["max_hourly_price"]) <= 0:
        raise ValueError(f"requirements.max_hourly_price = {req['max_hourly_price']!r}: must be > 0 or None")
    return req


def _fmt_gib(value: float) -> str:
    return f"{value:g} GiB"


def choose_pool_types(
    cloud: str,
    region: str,
    requirements: Mapping[str, Any],
    *,
    spot: bool,
    count: int,
    catalog: Catalog | None = None,
) -> PoolChoice:
    """The ``count`` cheapest node types of ``region`` meeting ``requirements``, cheapest first.

    Only node types are considered: EC2 instance types on AWS (never SageMaker ``ml.*``), Compute Engine
    machine types with built-in GPUs on GCP (an N1 machine with guest GPUs needs the pool's
    ``accelerator`` field, so name such a pool's types explicitly). ``requirements`` has the keys of
    ``stacks.stackspec.PoolRequirements`` (snake_case or camelCase): ``gpus`` is the least GPUs per node,
    ``min_gpu_memory_gib`` the least memory per GPU (and implies at least one GPU), ``max_hourly_price``
    caps the per-node price of the purchase option (spot price when ``spot``). Types are ranked by that
    price, then by lower interruption bucket, then by name, so the answer is deterministic.

    Fewer than ``count`` types are returned when fewer fit; the reason says so. Raises ``ValueError``
    naming the unmet constraint (and the best value the region offers) when nothing fits, and when
    ``region`` is not in the pricing catalog.

    See Also
    --------
    offers_from_catalog : the offers the job scheduler places jobs on.
    """
    from runtime.pricing import RegionNotInCatalog, load_catalog

    if cloud not in NODE_SERVICES:
        raise ValueError(f"cloud {cloud!r} is unknown; allowed: {', '.join(NODE_SERVICES)}")
    if count < 1:
        raise ValueError(f"count = {count!r}: must be ≥ 1")
    req = _normalise(requirements)
    cat = catalog if catalog is not None else load_catalog()
    try:
        cat.require_region(cloud, region)
    except RegionNotInCatalog as exc:
        raise ValueError(str(exc)) from None

    kind = _SERVICE_NAME[cloud]
    purchase = "spot" if spot else "on-demand"
    gpus = int(req["gpus"])
    min_gpu_mem = float(req["min_gpu_memory_gib"])
    need_gpus = max(gpus, 1 if min_gpu_mem > 0 else 0)
    min_vcpu = int(req["min_vcpu"])
    min_mem = float(req["min_memory_gib"])
    cap = req["max_hourly_price"]

    def price(it: InstanceType) -> float:
        value = it.spot_hourly if spot else it.on_demand_hourly
        return float("inf") if value is None else float(value)

    candidates = [it for it in cat.instance_types(cloud, region) if it.service == NODE_SERVICES[cloud]]
    if not candidates:
        raise ValueError(f"no {kind} is priced in {cloud} region {region} (catalog as of {cat.as_of})")

    # Each filter names its constraint and, when it empties the list, the best value still on offer.
    filters: list[tuple[str, Callable[[InstanceType], bool], Callable[[list[InstanceType]], str]]] = [
        (
            f"gpus ≥ {need_gpus}",
            lambda it: it.gpu_count >= need_gpus,
            lambda left: _best(left, lambda it: it.gpu_count, "GPUs per node", str),
        ),
        (
            f"min_gpu_memory_gib ≥ {min_gpu_mem:g}",
            lambda it: min_gpu_mem <= 0 or (it.gpu_memory_gib or 0) >= min_gpu_mem,
            lambda left: _best(left, lambda it: it.gpu_memory_gib or 0, "GPU memory", _fmt_gib),
        ),
        (
            f"min_vcpu ≥ {min_vcpu}",
            lambda it: it.vcpu >= min_vcpu,
            lambda left: _best(left, lambda it: it.vcpu, "vCPU", str),
        ),
        (
            f"min_memory_gib ≥ {min_mem:g}",
            lambda it: it.memory_gib >= min_mem,
            lambda left: _best(left, lambda it: it.memory_gib, "memory", _fmt_gib),
        ),
        (
            "a spot price (spot pool)",
            lambda it: not spot or it.spot_hourly is not None,
            lambda left: f"none of the {len(left)} types that fit so far has a spot price",
        ),
        (
            f"max_hourly_price ≤ ${cap}" if cap is not None else "max_hourly_price",
            lambda it: cap is None or price(it) <= float(cap),
            lambda left: (
                f"the cheapest {purchase} type that fits so far costs "
                f"${min(price(it) for it in left):.4f}/h ({min(left, key=price).name})"
            ),
        ),
    ]
    fitting = candidates
    for label, keep, explain in filters:
        kept = [it for it in fitting if keep(it)]
        if not kept:
            raise ValueError(
                f"no {kind} in {cloud} region {region} meets {label} for a {purchase} pool: "
                f"{explain(fitting)} (catalog as of {cat.as_of})"
            )
        fitting = kept

    ranked = sorted(
        fitting,
        key=lambda it: (
            price(it),
            it.interruption_bucket if it.interruption_bucket is not None else 9,
            it.name,
        ),
    )
    chosen = ranked[:count]
    return PoolChoice(
        instance_types=[it.name for it in chosen],
        reason=_reason(cloud, region, req, need_gpus, spot, count, chosen, len(fitting), cat.as_of),
        hourly_prices=tuple(round(price(it), 6) for it in chosen),
    )


def _best(
    items: list[InstanceType], value: Callable[[InstanceType], float], what: str, fmt: Callable[[Any], str]
) -> str:
    top = max(items, key=value)
    return f"the most {what} offered there is {fmt(value(top))} ({top.name})"


def _reason(
    cloud: str,
    region: str,
    req: Mapping[str, Any],
    need_gpus: int,
    spot: bool,
    count: int,
    chosen: list[InstanceType],
    fitting: int,
    as_of: str,
) -> str:
    parts = []
    if need_gpus:
        gpu = f"≥{need_gpus} GPU"
        if float(req["min_gpu_memory_gib"]) > 0:
            gpu += f" with ≥{float(req['min_gpu_memory_gib']):g} GiB each"
        parts.append(gpu)
    parts.append(f"≥{int(req['min_vcpu'])} vCPU")
    parts.append(f"≥{float(req['min_memory_gib']):g} GiB memory")
    if req["max_hourly_price"] is not None:
        parts.append(f"≤${float(req['max_hourly_price']):g}/h")
    purchase = "spot" if spot else "on-demand"
    listed = ", ".join(
        f"{it.name} ${(it.spot_hourly if spot else it.on_demand_hourly):.4f}/h"
        + (f" (interruption {it.interruption_range})" if spot and it.interruption_bucket is not None else "")
        for it in chosen
    )
    short = f"; only {fitting} fit" if fitting < count else f" of {fitting} that fit"
    return (
        f"cheapest {len(chosen)} {purchase} {_SERVICE_NAME[cloud]}s in {region} with {', '.join(parts)}"
        f"{short} (prices as of {as_of}): {listed}"
    )

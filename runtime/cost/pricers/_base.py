"""What every cloud's pricers share: the lookup context, the catalog look-ups and the line builders.

A pricer never prices what it cannot find: each look-up here raises :class:`PriceMissing` with the reason,
so the resource is listed as "price missing" instead of costing zero. The line builders are the only place
a monthly figure is computed from a price, so point, low and high always use the same hours and units.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from runtime.cost._model import HOURS_PER_MONTH, CostLine
from runtime.cost._state import StateResource
from runtime.cost._usage import Usage
from runtime.pricing import Catalog, InstanceType, Price

T = TypeVar("T")


class PriceMissing(LookupError):
    """The catalog has no price for something this resource needs."""


class PricedElsewhere(Exception):
    """This resource of a priced type costs nothing of its own here: another resource of the state carries
    its cost (a pod on a node group the stack prices). The estimate lists it as free, with the reason."""


@dataclass
class Context:
    """What a pricer may look at besides its resource: prices, usage, and the other resources."""

    catalog: Catalog
    usage: Usage
    resources: Sequence[StateResource]
    by_urn: dict[str, StateResource] = field(default_factory=dict)
    by_type: dict[str, list[StateResource]] = field(default_factory=dict)
    _names: dict[str, dict[str, StateResource]] = field(default_factory=dict)
    _indexes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for r in self.resources:
            self.by_urn[r.urn] = r
            self.by_type.setdefault(r.type, []).append(r)

    def named(self, type_token: str, name: object) -> StateResource | None:
        """The resource of ``type_token`` whose name, id or ``name`` property is ``name``
        (indexed once per type)."""
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

    def index(self, key: str, build: Callable[[Context], T]) -> T:
        """``build(self)``, computed once per state: a pricer's lookup table over the other resources.

        Without it a state with many endpoints would rescan every autoscaling target once per endpoint.
        """
        if key not in self._indexes:
            self._indexes[key] = build(self)
        return self._indexes[key]  # type: ignore[no-any-return]

    def usage_value(self, res: StateResource, key: str) -> tuple[float, str]:
        return self.usage.value(res.type, key, res.name, res.urn)


Pricer = Callable[[StateResource, Context], list[CostLine]]

#: type token -> (pricer, FOCUS ServiceName, FOCUS ServiceCategory)
PricerTable = dict[str, tuple[Pricer, str, str]]

# Why a type has no charge of its own; shared so both clouds say it in the same words.
IAM_IS_FREE = "IAM has no charge"
CONFIGURATION = "configuration of a priced resource (its cost is on that resource)"
NETWORK_IS_FREE = "networking object with no charge"
DEFINITION_ONLY = "definition only; the jobs or events it triggers are billed when they run"
GOVERNANCE_IS_FREE = "billing and governance objects have no charge"


# ------------------------------------------------------------------------------------------- properties
def number(value: object, default: float) -> float:
    """A numeric property, also when the state holds it as a string;
    ``default`` when absent or not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return default
        return default
    return float(value)


def block(props: Mapping[str, Any], *path: str) -> Mapping[str, Any]:
    """The nested object at ``path``; {} when absent or not an object.

    Pulumi writes a schema's one-item blocks (``scalingConfig``, ``nodeConfig``...) as an object or as a
    list of one object depending on the provider version, so a list is read as its first item.
    """
    cur: Any = props
    for key in path:
        cur = _first(cur)
        if not isinstance(cur, Mapping):
            return {}
        cur = cur.get(key)
    cur = _first(cur)
    return cur if isinstance(cur, Mapping) else {}


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def bounds(obj: Mapping[str, Any], low_key: str, high_key: str, default_low: float) -> tuple[float, float]:
    """``(low, high)`` of a scaling range; a maximum below the minimum is read as the minimum."""
    low = number(obj.get(low_key), default_low)
    return low, max(number(obj.get(high_key), low), low)


def readable(value: float) -> str:
    """1000000 -> '1,000,000'; 0.01 -> '0.01' (never exponent notation in assumptions)."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.4g}"


# ---------------------------------------------------------------------------------------------- catalog
def region(res: StateResource, ctx: Context) -> str:
    """The resource's region, which the catalog must know (``RegionNotInCatalog`` says how to add it)."""
    if not res.region:
        raise PriceMissing(f"no region on the resource or its provider for {res.type}")
    ctx.catalog.require_region(res.cloud or "", res.region)
    return res.region


def price(ctx: Context, res: StateResource, where: str, sku: str) -> Price:
    """The catalog row of ``sku`` in the resource's cloud and region ``where``."""
    found = ctx.catalog.price(res.cloud or "", where, sku)
    if found is None:
        raise PriceMissing(f"no price for '{sku}' in {res.cloud} {where}")
    return found


def sku_usd(ctx: Context, res: StateResource, where: str, sku: str) -> float:
    """The unit price in USD of ``sku`` (see :func:`price`)."""
    return price(ctx, res, where, sku).usd


def instance_type(
    ctx: Context, cloud: str, where: str, name: str, what: str = "instance type"
) -> InstanceType:
    """A machine or hosting type of the catalog; ``what`` names the kind in the reason when it is missing."""
    found = ctx.catalog.instance_type(cloud, where, name)
    if found is None:
        raise PriceMissing(f"{what} '{name}' is not priced in {cloud} {where}")
    return found


def node_hourly(it: InstanceType, spot: bool) -> float:
    """On-demand or spot hourly price of a node; a spot pool on a type without a spot price is missing."""
    hourly = it.hourly(spot)
    if hourly is None:
        raise PriceMissing(f"no spot price for '{it.name}' in {it.cloud} {it.region}")
    return hourly


# ------------------------------------------------------------------------------------------------ lines
def hourly(
    name: str,
    unit_price: float,
    count: float,
    low: float,
    high: float,
    assumption: str,
    category: str = "Standard",
) -> CostLine:
    """``count`` (range ``low..high``) units running every hour of the month."""
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


def fixed(
    name: str, unit: str, quantity: float, unit_price: float, assumption: str, usage_based: bool = False
) -> CostLine:
    """A monthly quantity with no range (one key, one dashboard, a usage figure)."""
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


def per_node_storage(
    name: str, size_gb: float, nodes: float, low: float, high: float, unit_price: float, assumption: str
) -> CostLine:
    """Disks of ``size_gb`` on each node of a pool: they scale with the pool's node range."""
    return CostLine(
        name=name,
        unit="GB-month",
        quantity=size_gb * nodes,
        unit_price=unit_price,
        monthly=size_gb * nodes * unit_price,
        low=size_gb * low * unit_price,
        high=size_gb * high * unit_price,
        assumption=assumption,
    )


def usage_line(
    ctx: Context, res: StateResource, where: str, key: str, sku: str, label: str, per: float = 1.0
) -> CostLine:
    """A usage-based line: the usage file's ``key`` (or its documented default) times the ``sku`` price."""
    value, source = ctx.usage_value(res, key)
    row = price(ctx, res, where, sku)
    return fixed(
        label, row.unit, value / per, row.usd, f"{key}={readable(value)} ({source})", usage_based=True
    )

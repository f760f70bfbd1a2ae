"""What an estimate is made of: cost lines per resource, resources per stack.

Every line carries its own assumption text and a low..high range so a reader sees what was assumed
(hours per month, node counts, usage defaults) next to the number; a resource that cannot be priced says
why instead of counting as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: Hours in a month, as Infracost and the cloud price pages count them.
HOURS_PER_MONTH = 730.0

Status = Literal["priced", "free", "not_priced", "price_missing"]


@dataclass(slots=True)
class CostLine:
    """One priced component of a resource (instance hours, GB-month of storage, requests...)."""

    name: str
    unit: str
    quantity: float
    unit_price: float
    monthly: float
    low: float
    high: float
    pricing_category: str = "Standard"  # FOCUS PricingCategory: Standard, or Dynamic for spot
    usage_based: bool = False
    assumption: str = ""


@dataclass(slots=True)
class ResourceCost:
    """The estimated monthly cost of one resource, or why it has none."""

    urn: str
    name: str
    type: str
    cloud: str
    region: str
    tags: Mapping[str, str]
    service_name: str
    service_category: str
    status: Status
    lines: list[CostLine] = field(default_factory=list)
    note: str = ""
    resource_id: str = ""
    #: The resource's properties as the state holds them, so a diff can say which one changed its cost.
    props: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def monthly(self) -> float:
        """Point estimate in USD per month."""
        return sum(line.monthly for line in self.lines)

    @property
    def low(self) -> float:
        """Lower end of the range (minimum nodes/replicas)."""
        return sum(line.low for line in self.lines)

    @property
    def high(self) -> float:
        """Upper end of the range (maximum nodes/replicas)."""
        return sum(line.high for line in self.lines)

    @property
    def is_spot(self) -> bool:
        """Whether any of the resource's cost is at spot (dynamic) prices."""
        return any(line.pricing_category == "Dynamic" for line in self.lines)

    @property
    def assumptions(self) -> str:
        """All lines' assumptions joined, plus the resource note."""
        parts = [f"{line.name}: {line.assumption}" for line in self.lines if line.assumption]
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


@dataclass
class Estimate:
    """The monthly estimate of one or more stack states."""

    stacks: list[str]
    resources: list[ResourceCost]
    catalog_source: str
    catalog_as_of: str
    usage_path: str = ""
    kind: Literal["estimate", "actual"] = "estimate"
    period_start: str = ""
    period_end: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(r.monthly for r in self.resources)

    @property
    def total_low(self) -> float:
        return sum(r.low for r in self.resources)

    @property
    def total_high(self) -> float:
        return sum(r.high for r in self.resources)

    @property
    def not_priced(self) -> list[ResourceCost]:
        """Resources without a price: unknown types and known types whose price is missing."""
        return [r for r in self.resources if r.status in ("not_priced", "price_missing")]

    @property
    def not_priced_share(self) -> float:
        """Share of resources (by count) that could not be priced."""
        return len(self.not_priced) / len(self.resources) if self.resources else 0.0

    def not_priced_counts(self) -> dict[str, int]:
        """Resource type -> how many resources of it are not priced."""
        counts: dict[str, int] = {}
        for r in self.not_priced:
            counts[r.type] = counts.get(r.type, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

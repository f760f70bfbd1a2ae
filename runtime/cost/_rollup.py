"""Rollups by tag, with tag coverage measured by cost and not only by count.

A finance reader asks "what does cost-center 4411 spend?" and "how much spend can nobody be charged
for?". ``rollup_by_tag`` answers the first with one line per tag value plus an ``(untagged)`` line;
``tag_coverage`` answers the second: the share of cost on resources carrying all required cost tags,
some of them, or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from mlkeel.contracts import COST_TAG_KEYS
from runtime.cost._model import Estimate, ResourceCost

UNTAGGED = "(untagged)"

#: Tag keys rolled up by default in reports.
DEFAULT_ROLLUP_KEYS: tuple[str, ...] = ("team", "cost-center", "environment", "component")


@dataclass(slots=True)
class RollupLine:
    """Cost of the resources carrying one value of a tag key."""

    value: str
    monthly: float = 0.0
    low: float = 0.0
    high: float = 0.0
    spot_monthly: float = 0.0
    resources: int = 0


@dataclass
class Rollup:
    """Cost per value of one tag key, most expensive first, ``(untagged)`` last."""

    key: str
    lines: list[RollupLine]

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines)

    @property
    def untagged(self) -> RollupLine | None:
        return next((line for line in self.lines if line.value == UNTAGGED), None)

    @property
    def untagged_share(self) -> float:
        """Share of cost on resources without this tag."""
        u = self.untagged
        return (u.monthly / self.total) if u and self.total else 0.0

    def as_dict(self) -> dict[str, float]:
        return {line.value: line.monthly for line in self.lines}


def _resources(source: Estimate | Sequence[ResourceCost]) -> Sequence[ResourceCost]:
    return source.resources if isinstance(source, Estimate) else source


def rollup_by_tag(
    source: Estimate | Sequence[ResourceCost], key: str, *, include_free: bool = False
) -> Rollup:
    """Sum cost by the value of tag ``key``; resources without it go to the ``(untagged)`` line.

    Only priced resources count (free and not-priced resources have no cost to allocate) unless
    ``include_free`` is set, which adds their counts.
    """
    lines: dict[str, RollupLine] = {}
    for res in _resources(source):
        if res.status != "priced" and not include_free:
            continue
        value = res.tags.get(key) or UNTAGGED
        line = lines.get(value)
        if line is None:
            line = lines[value] = RollupLine(value)
        line.monthly += res.monthly
        line.low += res.low
        line.high += res.high
        line.resources += 1
        if res.is_spot:
            line.spot_monthly += sum(x.monthly for x in res.lines if x.pricing_category == "Dynamic")
    ordered = sorted((v for k, v in lines.items() if k != UNTAGGED), key=lambda x: (-x.monthly, x.value))
    if UNTAGGED in lines:
        ordered.append(lines[UNTAGGED])
    return Rollup(key=key, lines=ordered)


@dataclass
class TagCoverage:
    """How much cost carries the required cost tags: all of them, some, or none."""

    required: tuple[str, ...]
    full_cost: float = 0.0
    partial_cost: float = 0.0
    none_cost: float = 0.0
    full_count: int = 0
    partial_count: int = 0
    none_count: int = 0
    missing_by_key: dict[str, float] = field(default_factory=dict)

    @property
    def total_cost(self) -> float:
        return self.full_cost + self.partial_cost + self.none_cost

    @property
    def total_count(self) -> int:
        return self.full_count + self.partial_count + self.none_count

    def share(self, which: str) -> float:
        """Cost share of ``full``, ``partial`` or ``none``."""
        value = {"full": self.full_cost, "partial": self.partial_cost, "none": self.none_cost}[which]
        return value / self.total_cost if self.total_cost else 0.0

    def count_share(self, which: str) -> float:
        value = {"full": self.full_count, "partial": self.partial_count, "none": self.none_count}[which]
        return value / self.total_count if self.total_count else 0.0


def tag_coverage(
    source: Estimate | Sequence[ResourceCost], required: Sequence[str] = COST_TAG_KEYS
) -> TagCoverage:
    """Cost and count of priced resources carrying all, some or none of ``required`` tag keys.

    ``missing_by_key`` gives, per key, the cost of resources lacking it: the first thing to fix.
    """
    cov = TagCoverage(required=tuple(required))
    for res in _resources(source):
        if res.status != "priced":
            continue
        missing = [k for k in required if not res.tags.get(k)]
        cost = res.monthly
        if not missing:
            cov.full_cost += cost
            cov.full_count += 1
        elif len(missing) == len(required):
            cov.none_cost += cost
            cov.none_count += 1
        else:
            cov.partial_cost += cost
            cov.partial_count += 1
        for key in missing:
            cov.missing_by_key[key] = cov.missing_by_key.get(key, 0.0) + cost
    return cov

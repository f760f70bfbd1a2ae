"""Cost difference between a base and a head state, per resource and per tag value (for pull requests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from runtime.cost._model import Estimate, ResourceCost
from runtime.cost._rollup import UNTAGGED

Change = Literal["added", "removed", "changed", "unchanged"]


@dataclass(slots=True)
class ResourceDelta:
    """One resource's monthly cost before and after."""

    urn: str
    name: str
    type: str
    change: Change
    base: float
    head: float
    base_status: str
    head_status: str
    tags: dict[str, str]
    summary: str = ""

    @property
    def delta(self) -> float:
        return self.head - self.base


@dataclass(slots=True)
class TagDelta:
    """Monthly cost of one tag value before and after."""

    value: str
    base: float
    head: float

    @property
    def delta(self) -> float:
        return self.head - self.base


@dataclass
class CostDiff:
    """Base and head estimates and the per-resource deltas between them."""

    base: Estimate
    head: Estimate
    resources: list[ResourceDelta]

    @property
    def total_delta(self) -> float:
        return self.head.total - self.base.total

    @property
    def changed(self) -> list[ResourceDelta]:
        """Resources whose cost or pricing status changed, largest absolute delta first."""
        return sorted(
            (r for r in self.resources if r.change != "unchanged"), key=lambda r: (-abs(r.delta), r.name)
        )

    def by_tag(self, key: str) -> list[TagDelta]:
        """Delta per value of tag ``key``, largest absolute change first (``(untagged)`` included)."""
        sums: dict[str, TagDelta] = {}
        for r in self.resources:
            value = r.tags.get(key) or UNTAGGED
            entry = sums.setdefault(value, TagDelta(value, 0.0, 0.0))
            entry.base += r.base
            entry.head += r.head
        return sorted(sums.values(), key=lambda t: (-abs(t.delta), t.value))


def _summary(base: ResourceCost | None, head: ResourceCost | None) -> str:
    if base is None and head is not None:
        return "added" + (f" ({head.note})" if head.status != "priced" and head.note else "")
    if head is None and base is not None:
        return "removed"
    assert base is not None and head is not None
    if base.status != head.status:
        return f"{base.status} -> {head.status}"
    before = {line.name for line in base.lines}
    after = {line.name for line in head.lines}
    parts = [f"+{n}" for n in sorted(after - before)] + [f"-{n}" for n in sorted(before - after)]
    return ", ".join(parts) or "price or quantity changed"


def diff_estimates(base: Estimate, head: Estimate, *, tolerance: float = 0.005) -> CostDiff:
    """Match resources by URN and compute monthly deltas; ``tolerance`` USD counts as unchanged."""
    base_by = {r.urn: r for r in base.resources}
    head_by = {r.urn: r for r in head.resources}
    out: list[ResourceDelta] = []
    for urn in list(base_by) + [u for u in head_by if u not in base_by]:
        b, h = base_by.get(urn), head_by.get(urn)
        ref = h or b
        assert ref is not None
        b_cost = b.monthly if b else 0.0
        h_cost = h.monthly if h else 0.0
        if b is None:
            change: Change = "added"
        elif h is None:
            change = "removed"
        elif abs(h_cost - b_cost) > tolerance or b.status != h.status:
            change = "changed"
        else:
            change = "unchanged"
        out.append(
            ResourceDelta(
                urn=urn,
                name=ref.name,
                type=ref.type,
                change=change,
                base=b_cost,
                head=h_cost,
                base_status=b.status if b else "",
                head_status=h.status if h else "",
                tags=dict(ref.tags),
                summary=_summary(b, h) if change != "unchanged" else "",
            )
        )
    return CostDiff(base=base, head=head, resources=out)

"""Cost difference between a base and a head state, per resource and per tag value (for pull requests).

A resource counts as changed when its monthly cost, its low..high range (minimum or maximum scale) or its
pricing status changed; its ``summary`` says why in words a reviewer can check against the pull request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from runtime.cost._model import CostLine, Estimate, ResourceCost
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
        """Resources whose cost, cost range or pricing status changed, largest absolute delta first."""
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


#: Changed properties named in a reason before the rest are counted ("and 3 more properties").
MAX_PROPERTIES_SHOWN = 5
_SECRET_SIG = "4dabf18193072939515e22adb298388d"
_ABSENT = object()


def _money(value: float) -> str:
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def _shown(value: object, limit: int = 40) -> str:
    if value is _ABSENT:
        return "(not set)"
    if isinstance(value, dict) and _SECRET_SIG in value:
        return "[secret]"
    try:
        text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    except ValueError:  # a circular structure cannot come from a state; show it rather than fail a report
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _leaves(value: object, prefix: str = "") -> dict[str, object]:
    """Property paths (``scalingConfig.minSize``, ``instanceTypes[0]``) to their leaf values."""
    out: dict[str, object] = {}
    stack: list[tuple[str, object]] = [(prefix, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, Mapping) and _SECRET_SIG not in item and item:
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in item.items())
        elif isinstance(item, list) and item:
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(item))
        else:
            out[path] = item
    return out


def _property_changes(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[str]:
    """``path: old → new`` for every property whose value differs, sorted by path."""
    before, after = _leaves(base), _leaves(head)
    changes = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path, _ABSENT), after.get(path, _ABSENT)
        if old != new or type(old) is not type(new):
            changes.append(f"{path}: {_shown(old)} → {_shown(new)}")
    if len(changes) > MAX_PROPERTIES_SHOWN:
        rest = len(changes) - MAX_PROPERTIES_SHOWN
        changes = [*changes[:MAX_PROPERTIES_SHOWN], f"and {rest} more propert{'y' if rest == 1 else 'ies'}"]
    return changes


def _keyed(lines: list[CostLine]) -> dict[str, CostLine]:
    """Lines by name; a name repeated within a resource (two variants alike) gets ``#2``, ``#3``..."""
    out: dict[str, CostLine] = {}
    for line in lines:
        key, n = line.name, 1
        while key in out:
            n += 1
            key = f"{line.name} #{n}"
        out[key] = line
    return out


def _line_change(name: str, b: CostLine, h: CostLine, tolerance: float) -> str:
    """What differs between two versions of one cost line, or "" when nothing a reader would see does."""
    details = []
    if abs(b.quantity - h.quantity) > 1e-9 * max(1.0, abs(b.quantity)):
        details.append(f"quantity {b.quantity:,.6g} → {h.quantity:,.6g} {h.unit}")
    if b.unit != h.unit:
        details.append(f"unit {b.unit} → {h.unit}")
    if abs(b.unit_price - h.unit_price) > 1e-12:
        details.append(f"unit price ${b.unit_price:,.6g} → ${h.unit_price:,.6g} per {h.unit}")
    if b.pricing_category != h.pricing_category:
        details.append(f"pricing {b.pricing_category} → {h.pricing_category}")
    if abs(b.low - h.low) > tolerance or abs(b.high - h.high) > tolerance:
        details.append(f"range {_money(b.low)}..{_money(b.high)} → {_money(h.low)}..{_money(h.high)}")
    cost_moved = abs(b.monthly - h.monthly) > tolerance
    if not details and not cost_moved:
        return ""
    money = f"{_money(b.monthly)} → {_money(h.monthly)}" if cost_moved else f"{_money(h.monthly)} unchanged"
    return f"{name}: {money}" + (f" ({', '.join(details)})" if details else "")


def _summary(base: ResourceCost | None, head: ResourceCost | None, tolerance: float = 0.005) -> str:
    """Why a resource's cost changed: the properties that changed (old → new), then each cost line that did.

    A reviewer of a pull request needs the cause ("autoscaling.minNodeCount: 0 → 2") next to its effect
    ("nodes: $0.00 → $1,204.50"), not a generic "price or quantity changed".
    """
    if base is None and head is not None:
        what = (
            f"added at {_money(head.monthly)}/month"
            if head.status in ("priced", "free")
            else f"added, {head.status}"
        )
        return what + (f" ({head.note})" if head.status != "priced" and head.note else "")
    if head is None and base is not None:
        return (
            f"removed (was {_money(base.monthly)}/month)" if base.status in ("priced", "free") else "removed"
        )
    assert base is not None and head is not None
    parts = _property_changes(base.props, head.props)
    if base.status != head.status:
        parts.append(f"status {base.status} → {head.status}" + (f" ({head.note})" if head.note else ""))
    before, after = _keyed(base.lines), _keyed(head.lines)
    for name, line in after.items():
        if name not in before:
            parts.append(f"+{name} {_money(line.monthly)}")
    for name, line in before.items():
        if name not in after:
            parts.append(f"-{name} {_money(line.monthly)}")
    for name in (n for n in before if n in after):
        change = _line_change(name, before[name], after[name], tolerance)
        if change:
            parts.append(change)
    if not parts:  # the cost moved with no visible cause in this resource (e.g. a dependency's price)
        parts.append(
            f"monthly {_money(base.monthly)} → {_money(head.monthly)}, "
            f"range {_money(base.low)}..{_money(base.high)} → {_money(head.low)}..{_money(head.high)}"
        )
    return "; ".join(parts)


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
        elif (
            abs(h_cost - b_cost) > tolerance
            or abs(h.low - b.low) > tolerance
            or abs(h.high - b.high) > tolerance
            or b.status != h.status
        ):
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
                summary=_summary(b, h, tolerance) if change != "unchanged" else "",
            )
        )
    return CostDiff(base=base, head=head, resources=out)

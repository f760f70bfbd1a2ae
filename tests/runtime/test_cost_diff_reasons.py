"""A cost diff says what changed: the property (old → new) and each cost line that moved,
for every kind of change."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.cost import (
    CostLine,
    Estimate,
    ResourceCost,
    diff_estimates,
    estimate_cost,
    load_state,
    parse_state,
)

FIXTURES = Path(__file__).parent / "fixtures" / "cost"


def _line(name: str, quantity: float, unit_price: float, low_q: float, high_q: float) -> CostLine:
    return CostLine(
        name, "hour", quantity, unit_price, quantity * unit_price, low_q * unit_price, high_q * unit_price
    )


def _resource(lines: list[CostLine], props: dict[str, Any], status: str = "priced") -> ResourceCost:
    return ResourceCost(
        "urn:x::pool",
        "pool",
        "aws:eks/nodeGroup:NodeGroup",
        "AWS",
        "eu-west-1",
        {},
        "",
        "",
        status,  # type: ignore[arg-type]
        lines,
        props=props,
    )


def _only_change(base: ResourceCost, head: ResourceCost) -> tuple[str, str]:
    diff = diff_estimates(Estimate(["s"], [base], "src", "d"), Estimate(["s"], [head], "src", "d"))
    (delta,) = diff.resources
    return delta.change, delta.summary


def test_node_minimum_0_to_2_names_the_property_and_the_lines() -> None:
    base = estimate_cost(load_state(FIXTURES / "gcp_recs_prod.json"))
    head = estimate_cost(load_state(FIXTURES / "gcp_recs_prod_min2.json"))
    (pool,) = diff_estimates(base, head).changed
    assert pool.name == "recs-prod-training-t4-spot"
    assert pool.summary.startswith(
        "autoscaling.totalMinNodeCount: 0 → 2; Nodes (spot n1-standard-8): $0.00 → $183.08 ("
    )
    assert "GPUs (1 x nvidia-tesla-t4 per node): $0.00 → $224.84" in pool.summary
    assert "price or quantity changed" not in pool.summary


def test_a_change_only_in_the_maximum_counts_and_says_so() -> None:
    doc = json.loads((FIXTURES / "aws_fraud_dev.json").read_text())
    head_doc = copy.deepcopy(doc)
    for res in head_doc["deployment"]["resources"]:
        if res["urn"].endswith("::fraud-dev-training-gpu-spot"):
            for side in ("inputs", "outputs"):  # a deployed state holds both; outputs win
                res[side]["scalingConfig"]["maxSize"] = 40
    base, head = (
        estimate_cost(parse_state(doc, "base.json")),
        estimate_cost(parse_state(head_doc, "head.json")),
    )
    (pool,) = diff_estimates(base, head).changed
    assert pool.delta == 0 and pool.summary.startswith("scalingConfig.maxSize: 4 → 40; ")


def test_secret_properties_are_not_shown() -> None:
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "abc"}
    base = _resource([_line("Nodes", 730, 1.0, 0, 730)], {"token": secret, "size": 1})
    head = _resource(
        [_line("Nodes", 1460, 1.0, 0, 1460)], {"token": {**secret, "ciphertext": "def"}, "size": 2}
    )
    change, summary = _only_change(base, head)
    assert change == "changed" and "token: [secret] → [secret]" in summary and "abc" not in summary


def test_many_property_changes_are_counted_not_listed() -> None:
    base = _resource([_line("Nodes", 730, 1.0, 0, 730)], {f"p{i}": i for i in range(9)})
    head = _resource([_line("Nodes", 1460, 1.0, 0, 1460)], {f"p{i}": i + 1 for i in range(9)})
    _, summary = _only_change(base, head)
    assert summary.startswith(
        "p0: 0 → 1; p1: 1 → 2; p2: 2 → 3; p3: 3 → 4; p4: 4 → 5; and 4 more properties; "
    )


# -- every kind of change, generated -------------------------------------------------------------------------
_KINDS = [
    "property",
    "quantity",
    "unit_price",
    "maximum",
    "status",
    "add_line",
    "remove_line",
    "spot",
    "nothing",
]


@st.composite
def _pairs(draw: st.DrawFn) -> tuple[ResourceCost, ResourceCost, list[str]]:
    n = draw(st.integers(1, 3))
    lines = [
        _line(
            f"line{i}",
            q := draw(st.integers(1, 20)) * 730.0,
            draw(st.floats(0.05, 50, allow_nan=False)),
            q,
            q * draw(st.integers(1, 4)),
        )
        for i in range(n)
    ]
    props = {"scalingConfig": {"minSize": 1, "maxSize": 4}, "instanceTypes": ["g5.xlarge"], "name": "pool"}
    base = _resource(lines, props)
    kinds = draw(st.lists(st.sampled_from(_KINDS), min_size=1, max_size=3, unique=True))
    head_lines = [replace(line) for line in lines]
    head_props = copy.deepcopy(props)
    status = "priced"
    for kind in kinds:
        first = head_lines[0] if head_lines else None
        if kind == "property":
            head_props["scalingConfig"]["minSize"] = 3
        elif kind == "quantity" and first is not None:
            first.quantity += 730
            first.monthly = first.quantity * first.unit_price
            first.high = max(first.high, first.monthly)
        elif kind == "unit_price" and first is not None:
            first.unit_price *= 2
            first.monthly, first.low, first.high = first.monthly * 2, first.low * 2, first.high * 2
        elif kind == "maximum" and first is not None:
            first.high += 730 * first.unit_price
        elif kind == "spot" and first is not None:
            first.pricing_category = "Dynamic"
        elif kind == "status":
            status = "price_missing"
        elif kind == "add_line":
            head_lines.append(_line("extra", 730, 0.5, 730, 730))
        elif kind == "remove_line" and head_lines:
            head_lines.pop()
    if status != "priced":
        head_lines = []
    return base, _resource(head_lines, head_props, status), kinds


@settings(max_examples=200, deadline=None)
@given(_pairs())
def test_every_detected_change_has_a_specific_reason(
    pair: tuple[ResourceCost, ResourceCost, list[str]],
) -> None:
    base, head, kinds = pair
    change, summary = _only_change(base, head)
    moved = abs(head.monthly - base.monthly) > 0.005 or abs(head.high - base.high) > 0.005
    moved = moved or abs(head.low - base.low) > 0.005 or base.status != head.status
    assert change == ("changed" if moved else "unchanged")
    if change == "unchanged":
        assert summary == ""
        return
    assert summary and "price or quantity changed" not in summary
    if "property" in kinds:
        assert "scalingConfig.minSize: 1 → 3" in summary
    if "status" in kinds:
        assert "status priced → price_missing" in summary
    before = {line.name: line for line in base.lines}
    after = {line.name: line for line in head.lines}
    for name in after.keys() - before.keys():
        assert f"+{name} ${after[name].monthly:,.2f}" in summary
    for name in before.keys() - after.keys():
        assert f"-{name} ${before[name].monthly:,.2f}" in summary
    for name in before.keys() & after.keys():
        b, h = before[name], after[name]
        if b.quantity != h.quantity:
            assert (
                f"{name}: " in summary and f"quantity {b.quantity:,.6g} → {h.quantity:,.6g} hour" in summary
            )
        if b.unit_price != h.unit_price:
            assert f"unit price ${b.unit_price:,.6g} → ${h.unit_price:,.6g} per hour" in summary
        if b.pricing_category != h.pricing_category:
            assert f"pricing {b.pricing_category} → {h.pricing_category}" in summary
        if abs(b.high - h.high) > 0.005:
            assert f"{name}: " in summary and "range $" in summary


@pytest.mark.parametrize("kind", ["added", "removed"])
def test_added_and_removed_resources_say_their_cost(kind: str) -> None:
    res = _resource([_line("Nodes", 730, 1.0, 730, 730)], {})
    before, after = ([], [res]) if kind == "added" else ([res], [])
    (delta,) = diff_estimates(
        Estimate(["s"], before, "src", "d"), Estimate(["s"], after, "src", "d")
    ).resources
    assert delta.summary == ("added at $730.00/month" if kind == "added" else "removed (was $730.00/month)")

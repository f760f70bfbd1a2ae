"""AWS pricers: EKS node disks come from the node group's launch template
(EKS refuses ``diskSize`` with one)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.cost import HOURS_PER_MONTH, ResourceCost, estimate_cost, load_state, parse_state
from runtime.pricing import load_catalog

DISKS = Path(__file__).parent / "fixtures" / "aws_node_group_disks.json"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def _gp3(region: str = "us-east-1") -> float:
    price = load_catalog().price("aws", region, "ebs.gp3.storage")
    assert price is not None
    return price.usd


def _priced(doc: dict[str, Any]) -> dict[str, ResourceCost]:
    return {r.name: r for r in estimate_cost(parse_state(doc)).resources}


def _disk_line(res: ResourceCost) -> tuple[float, str]:
    """(GiB per node, assumption) of a node group's disk line."""
    (line,) = [line for line in res.lines if line.name.startswith("Node disks")]
    nodes = res.lines[0].quantity / HOURS_PER_MONTH
    return line.quantity / nodes, line.assumption


@pytest.mark.parametrize(
    ("group", "gib", "note"),
    [
        ("by-id", 150, "launch template two-disks-lt"),  # two mappings: both are disks on every node
        ("by-name", 200, "launch template train-pool-b"),
        ("template-without-size", 20, "launch template no-size-lt sets no volumeSize: EKS default"),
        ("template-elsewhere", 20, "its launch template is not in the state: EKS default"),
        ("disk-size", 80, ""),
        ("no-template", 20, "EKS default"),
    ],
)
def test_node_disk_size_comes_from_disk_size_or_the_launch_template(
    group: str, gib: float, note: str
) -> None:
    res = _priced(json.loads(DISKS.read_text()))[group]
    assert res.status == "priced"
    per_node, assumption = _disk_line(res)
    assert per_node == pytest.approx(gib)
    assert assumption == f"{gib:g} GiB per node" + (f" ({note})" if note else "")


def test_node_disks_of_a_volume_type_the_catalog_lacks_are_price_missing_not_gp3() -> None:
    res = _priced(json.loads(DISKS.read_text()))["io2-disks"]
    assert res.status == "price_missing" and "'ebs.io2.storage'" in res.note


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.one_of(st.none(), st.integers(1, 16_384)), min_size=1, max_size=4),
    by=st.sampled_from(["id", "name", "dependency"]),
    low=st.integers(0, 5),
    extra=st.integers(0, 5),
)
def test_node_disks_scale_with_the_template_sizes_and_the_node_range(
    sizes: list[int | None], by: str, low: int, extra: int
) -> None:
    """Any template: GiB per node is the sum of its volume sizes (20 when none), times the node range."""
    doc = json.loads(DISKS.read_text())
    resources = doc["deployment"]["resources"]
    template = copy.deepcopy(next(r for r in resources if r["type"] == LAUNCH_TEMPLATE))
    template["inputs"]["name"] = "any-template"
    template["inputs"]["blockDeviceMappings"] = [
        {
            "deviceName": f"/dev/xvd{chr(97 + i)}",
            "ebs": {"volumeType": "gp3"} | ({"volumeSize": s} if s else {}),
        }
        for i, s in enumerate(sizes)
    ]
    group = copy.deepcopy(next(r for r in resources if r["type"] == NODE_GROUP))
    group["inputs"]["scalingConfig"] = {"minSize": low, "maxSize": low + extra, "desiredSize": low}
    # By dependency: the reference finds nothing by id or name (say, an id not known yet), the dependency
    # does.
    group["inputs"]["launchTemplate"] = {
        "id": {"id": template["id"]},
        "name": {"name": "any-template"},
        "dependency": {"id": "lt-unknown-yet"},
    }[by]
    group["dependencies"] = [template["urn"]] if by == "dependency" else []
    doc["deployment"]["resources"] = [*resources[:2], template, group]
    res = _priced(doc)[group["urn"].rsplit("::", 1)[-1]]
    (line,) = [line for line in res.lines if line.name == "Node disks (gp3)"]
    gib = sum(s for s in sizes if s) or 20
    assert line.low == pytest.approx(gib * low * _gp3())
    assert line.high == pytest.approx(gib * (low + extra) * _gp3())
    assert line.monthly == pytest.approx(gib * low * _gp3())


@pytest.mark.parametrize("stack", ["fraud-dev", "vision-prod"])
def test_planned_node_groups_price_their_launch_template_disks(
    stack: str, planned_states: dict[str, Path]
) -> None:
    """The training components give every pool a launch template: no node group falls back to 20 GiB."""
    state = load_state(planned_states[stack])
    templates = {r.id: r for r in state.resources if r.type == LAUNCH_TEMPLATE}
    groups = [r for r in estimate_cost(state).resources if r.type == NODE_GROUP]
    assert groups
    for res in groups:
        template = templates[res.props["launchTemplate"]["id"]]
        sizes = [m["ebs"]["volumeSize"] for m in template.props["blockDeviceMappings"]]
        disks = next(line for line in res.lines if line.name.startswith("Node disks"))
        assert disks.assumption == f"{sum(sizes):g} GiB per node (launch template {template.name})"
        max_nodes = res.props["scalingConfig"]["maxSize"]
        assert disks.high == pytest.approx(sum(sizes) * max_nodes * _gp3(res.region))

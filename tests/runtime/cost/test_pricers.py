"""The pricer registry is the union of the per-cloud modules, and pricers read blocks in either shape."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.cost import estimate_cost, parse_state
from runtime.cost import pricers as registry
from runtime.cost.pricers import aws, gcp, kubernetes
from runtime.cost.pricers._base import block, bounds

RUNTIME_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cost"
STATES = [
    RUNTIME_FIXTURES / "aws_fraud_dev.json",
    RUNTIME_FIXTURES / "gcp_recs_prod.json",
    Path(__file__).parent / "fixtures" / "aws_node_group_disks.json",
]
CLOUD_MODULES = {"aws": aws, "gcp": gcp, "kubernetes": kubernetes}


@pytest.mark.parametrize("cloud", sorted(CLOUD_MODULES))
def test_each_cloud_module_registers_only_its_own_types(cloud: str) -> None:
    module = CLOUD_MODULES[cloud]
    tokens = list(module.PRICERS) + list(getattr(module, "FREE_TYPES", {}))
    assert [t for t in tokens if not t.startswith(f"{cloud}:")] == []


def test_registry_is_the_union_of_the_cloud_modules_with_no_type_twice() -> None:
    priced = [t for module in CLOUD_MODULES.values() for t in module.PRICERS]
    free = [t for module in CLOUD_MODULES.values() for t in getattr(module, "FREE_TYPES", {})]
    assert len(priced) == len(set(priced)) and len(free) == len(set(free))
    assert set(registry.PRICERS) == set(priced) and set(registry.FREE_TYPES) == set(free)
    assert set(registry.PRICERS).isdisjoint(registry.FREE_TYPES)  # a type is priced or free, never both


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3))
_OBJECTS = st.dictionaries(st.sampled_from("abc"), _SCALARS, max_size=3)


@given(_OBJECTS, st.sampled_from("abc"))
def test_block_reads_a_one_item_list_as_its_object(obj: dict[str, Any], key: str) -> None:
    """Pulumi writes one-item blocks as an object or a list of one object; both read the same."""
    assert block({key: [obj]}, key) == block({key: obj}, key) == obj
    assert block({"outer": [{key: [obj]}]}, "outer", key) == obj


@given(st.one_of(_SCALARS, st.lists(_SCALARS, max_size=2)))
def test_block_of_anything_but_an_object_is_empty(value: object) -> None:
    assert block({"k": value}, "k") == {}


@given(st.dictionaries(st.sampled_from(["min", "max"]), st.one_of(_SCALARS, st.floats(-10, 10)), max_size=2))
def test_bounds_never_give_a_maximum_below_the_minimum(obj: dict[str, Any]) -> None:
    low, high = bounds(obj, "min", "max", 1)
    assert low <= high


_NOT_BLOCKS = {"tags", "tagsAll", "labels", "effectiveLabels", "terraformLabels", "pulumiLabels"}


def _as_one_item_lists(value: Any, top: bool = False) -> Any:
    """Every nested object (but tag maps) rewritten as a list of one object, as older providers write them."""
    if isinstance(value, dict):
        inner = {k: v if k in _NOT_BLOCKS else _as_one_item_lists(v) for k, v in value.items()}
        return inner if top else [inner]
    if isinstance(value, list):
        return [_as_one_item_lists(item, top=True) for item in value]
    return value


@pytest.mark.parametrize("path", STATES, ids=lambda p: p.stem)
def test_every_pricer_prices_list_shaped_blocks_like_objects(path: Path) -> None:
    doc = json.loads(path.read_text())
    listed = copy.deepcopy(doc)
    for res in listed["deployment"]["resources"]:
        if res["type"].startswith(("aws:", "gcp:")):
            for key in ("inputs", "outputs"):
                if key in res:
                    res[key] = _as_one_item_lists(res[key], top=True)
    expected = estimate_cost(parse_state(doc))
    got = estimate_cost(parse_state(listed))
    assert [(r.name, r.status, r.monthly, r.low, r.high) for r in got.resources] == [
        (r.name, r.status, r.monthly, r.low, r.high) for r in expected.resources
    ]

"""Refactoring the components changes no planned stack: every example and template stack plans to the
state recorded in ``tests/stacks/fixtures/state-digests.json`` (``scripts/state_digests.py``), and the
check itself sees and locates any change while ignoring what varies from run to run."""

from __future__ import annotations

import copy
import importlib.util
import json
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkeel.files import InputError

ROOT = Path(__file__).resolve().parents[2]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("state_digests", ROOT / "scripts" / "state_digests.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("state_digests", module)
    spec.loader.exec_module(module)
    return module


digests = _load_script()


@pytest.fixture(scope="module")
def states() -> dict[str, dict[str, Any]]:
    return digests.plan_states()


def test_state_digests_every_example_and_template_stack_plans_as_recorded(
    states: dict[str, dict[str, Any]],
) -> None:
    recorded = digests.load_digests(digests.DIGESTS_FILE)
    current = {key: digests.digest_state(state) for key, state in states.items()}
    assert digests.compare(recorded, current) == []
    assert {k.split("/")[0] for k in current} == {"example", "template"}


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for k in value for leaf in _leaves(value[k], (*path, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*path, i))]
    return [path]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_state_digests_any_changed_input_is_reported_with_its_resource_and_property(
    states: dict[str, dict[str, Any]], data: st.DataObject
) -> None:
    key = data.draw(st.sampled_from(sorted(states)))
    state = states[key]
    resources = [r for r in state["deployment"]["resources"] if _leaves(r.get("inputs") or {})]
    resource = data.draw(st.sampled_from(resources))
    leaf = data.draw(st.sampled_from(_leaves(resource["inputs"])))
    changed = copy.deepcopy(state)
    [target] = [r for r in changed["deployment"]["resources"] if r["urn"] == resource["urn"]]
    holder = target["inputs"]
    for step in leaf[:-1]:
        holder = holder[step]
    holder[leaf[-1]] = ["changed", holder[leaf[-1]]]
    problems = digests.compare({key: digests.digest_state(state)}, {key: digests.digest_state(changed)})
    assert problems == [f"{key}: {resource['urn']}: inputs.{leaf[0]} differs"]


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_state_digests_ignore_planning_time_resource_order_and_dependency_order(
    states: dict[str, dict[str, Any]], seed: int
) -> None:
    rng = random.Random(seed)
    for state in states.values():
        shuffled = copy.deepcopy(state)
        shuffled["deployment"]["manifest"]["time"] = f"2031-01-{rng.randint(1, 28):02d}T00:00:00+00:00"
        rng.shuffle(shuffled["deployment"]["resources"])
        for resource in shuffled["deployment"]["resources"]:
            rng.shuffle(resource.get("dependencies", []))
            for deps in resource.get("propertyDependencies", {}).values():
                rng.shuffle(deps)
        assert digests.digest_state(shuffled)["sha256"] == digests.digest_state(state)["sha256"]


def test_state_digests_report_added_and_removed_resources_and_stacks(
    states: dict[str, dict[str, Any]],
) -> None:
    key = sorted(states)[0]
    state = states[key]
    fewer = copy.deepcopy(state)
    gone = fewer["deployment"]["resources"].pop()
    before, after = digests.digest_state(state), digests.digest_state(fewer)
    assert digests.compare({key: before}, {key: after}) == [f"{key}: resource removed: {gone['urn']}"]
    assert digests.compare({key: after}, {key: before}) == [f"{key}: resource added: {gone['urn']}"]
    assert digests.compare({key: before}, {}) == [f"{key}: recorded but no longer planned"]
    assert digests.compare({}, {key: before})[0].startswith(f"{key}: planned but not recorded")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[1, 2]", "format"),
        ('{"format": 99, "stacks": {}}', "format"),
        ('{"format": 1, "stacks": []}', "stacks"),
        ('{"format": 1, "stacks": {"example/x": {"sha256": "ab"}}}', "stacks.example/x"),
    ],
)
def test_state_digests_a_malformed_digest_file_names_the_file_and_field(
    tmp_path: Path, text: str, field: str
) -> None:
    path = tmp_path / "digests.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        digests.load_digests(path)
    assert info.value.file == str(path) and info.value.field == field


def test_state_digests_check_refuses_a_missing_digest_file_before_planning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.json"
    assert digests.main(["--check", "--digests", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_state_digests_write_then_check_round_trips(
    tmp_path: Path, states: dict[str, dict[str, Any]]
) -> None:
    path = tmp_path / "digests.json"
    current = {key: digests.digest_state(state) for key, state in states.items()}
    digests.write_digests(path, current)
    assert digests.load_digests(path) == json.loads(json.dumps(current))

"""The Checkov coverage map (``policies/coverage.py``): current, complete, and failing when it is not."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from mlkeel.files import InputError
from mlkeel.state import load_state
from policies import coverage

from ..stacks.export_plans import example_states  # noqa: F401  (a session fixture)


@pytest.fixture(scope="module")
def data() -> dict:
    return coverage.load_data()


@pytest.fixture(scope="module")
def guards() -> dict[str, coverage.Guard]:
    return coverage.load_guards()


def test_map_page_and_checkov_catalogue_are_current() -> None:
    # With .venv-scanners present this also compares Checkov's installed version and catalogue.
    assert coverage.main(["--check"]) == 0


def test_every_check_the_stacks_run_has_a_rule_or_a_reason_and_the_target_is_met(data, guards) -> None:
    assert coverage.problems(data, guards) == []
    assert coverage.figure(data, guards).share >= coverage.TARGET


def test_a_check_that_loses_its_guard_is_reported(data, guards) -> None:
    fewer = dict(guards)
    del fewer["CKV_AWS_24"]
    found = coverage.problems(data, fewer)
    assert any(line.startswith("CKV_AWS_24 ") and "neither a rule nor a reason" in line for line in found)


def test_a_high_class_with_only_a_reason_is_reported(data, guards) -> None:
    weaker = dict(guards)
    weaker["CKV_AWS_24"] = coverage.Guard(reason="deliberately-not", why="because", severity="high")
    assert any(
        "CKV_AWS_24 is a high class without a rule" in line for line in coverage.problems(data, weaker)
    )


def test_the_figure_falls_below_target_when_rules_go(data, guards) -> None:
    unguarded = {k: coverage.Guard(reason="not-applicable", why="gone") for k in guards}
    assert coverage.figure(data, unguarded).guarded == 0
    assert any("target 90%" in line for line in coverage.problems(data, unguarded))


def test_a_stale_page_fails_the_check(tmp_path: Path, data, guards) -> None:
    page = tmp_path / "policies.md"
    page.write_text(f"# t\n{coverage.BEGIN}\nold\n{coverage.END}\n", encoding="utf-8")
    assert coverage.main(["--check", "--page", str(page), "--scanners-python", str(tmp_path / "none")]) == 1
    assert coverage.main(["--from-data", "--page", str(page)]) == 0
    assert coverage.main(["--check", "--page", str(page), "--scanners-python", str(tmp_path / "none")]) == 0


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("CKV_AWS_24: MLK_NET_999\n", "CKV_AWS_24.rule"),
        ("CKV_AWS_24: {reason: maybe, why: x}\n", "CKV_AWS_24.reason"),
        ("CKV_AWS_24: {reason: not-applicable}\n", "CKV_AWS_24.why"),
        ("CKV_AWS_24: {rule: MLK_NET_007, severity: huge}\n", "CKV_AWS_24.severity"),
    ],
)
def test_bad_guards_name_the_file_field_and_what_is_allowed(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "guards.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        coverage.load_guards(path)
    assert caught.value.field == field and str(path) in str(caught.value)


def test_the_map_holds_every_type_the_example_stacks_plan(data, example_states) -> None:  # noqa: F811
    planned = set()
    for name, state in example_states.items():
        if name in data["stacks"]:
            planned |= {r.type for r in load_state(state).resources if r.custom}
    assert set(data["stacks"]) <= set(example_states)
    missing = sorted(planned - set(data["types"]))
    assert missing == [], f"run `python -m policies.coverage`: new types {missing}"


def test_kubernetes_checks_are_listed_against_the_kubernetes_rules(data, guards) -> None:
    assert data["kubernetes"] and all(c.startswith(("CKV_K8S_", "CKV2_K8S_")) for c in data["kubernetes"])
    block = coverage.render(copy.deepcopy(data), guards)
    assert all(check_id in block for check_id in data["kubernetes"])

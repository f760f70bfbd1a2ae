"""Integration tier of the policy test kit: every base state and every mutation through ``keel check``,
which starts the pack as the Pulumi CLI does and speaks the analyzer protocol to it."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from policies.rules import RULES_BY_ID, ResourceRule
from stacks.cli import _register_all, app

from ._kit import BASE_STATES, STATES, load_cases, mutate, resource_urn

CASES = load_cases()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One ``keel check`` run over all base states and all mutated states (one pack start)."""
    folder = tmp_path_factory.mktemp("states")
    paths = []
    for base in BASE_STATES:
        shutil.copy(STATES / base, folder / base)
        paths.append(str(folder / base))
    for case in CASES:
        path = folder / f"{case.id}.json"
        path.write_text(json.dumps(mutate(case)))
        paths.append(str(path))
    _register_all()
    out = folder / "report.json"
    result = CliRunner().invoke(app, ["check", *paths, "--format", "json", "--output", str(out)])
    assert result.exit_code == 1, result.output  # mutations include mandatory violations
    data = json.loads(out.read_text())
    by_state: dict[str, list[dict]] = {}
    for finding in data["findings"]:
        by_state.setdefault(finding["state"].rsplit("/", 1)[-1], []).append(finding)
    return data, by_state


def test_check_runs_every_resource_through_analyze(report):
    data, _ = report
    assert len(data["states"]) == len(BASE_STATES) + len(CASES)
    for state in data["states"]:
        assert state["analyzed"] == state["resources"] - 1  # all but the root stack resource


@pytest.mark.parametrize("base", BASE_STATES)
def test_check_base_state_has_no_findings(report, base):
    _, by_state = report
    assert by_state.get(base, []) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check_mutation_fails_exactly_the_rule(report, case):
    _, by_state = report
    findings = by_state.get(f"{case.id}.json", [])
    assert {(f["rule_id"], f["status"]) for f in findings} == case.expected(), findings
    if case.resource and not case.ops.get("remove") and issubclass(RULES_BY_ID[case.rule], ResourceRule):
        urn = resource_urn(mutate(case), case.resource)
        assert {f["urn"] for f in findings if f["rule_id"] == case.rule} == {urn}

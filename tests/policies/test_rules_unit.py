"""Unit tier of the policy test kit: every rule on its compliant base and on each one-field mutation,
called in-process exactly as the pack server calls it (``policies.testing``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.analyzer import parse_state
from policies.rules import ALL_RULES, RULES_BY_ID, ResourceRule
from policies.testing import run_rule

from ._kit import BASE_STATES, base_state, load_cases, mutate, resource_urn

CASES = load_cases()


def _state(data: dict, name: str = "case.json"):
    return parse_state(json.dumps(data), Path(name))


@pytest.mark.parametrize("base", BASE_STATES)
@pytest.mark.parametrize("rule_class", ALL_RULES, ids=lambda r: r.meta.id)
def test_rule_passes_compliant_base(rule_class, base):
    outcome = run_rule(rule_class(), _state(base_state(base), base))
    assert outcome.violations == [], outcome.violations
    assert outcome.unchecked == [], outcome.unchecked


def test_every_rule_has_a_failing_case():
    covered = {case.rule for case in CASES if case.expect == "violation"}
    assert covered == set(RULES_BY_ID), sorted(set(RULES_BY_ID) - covered)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_reports_mutation(case):
    data = mutate(case)
    state = _state(data)
    outcome = run_rule(RULES_BY_ID[case.rule](), state)
    if case.expect == "violation":
        assert outcome.violations, f"{case.id}: no violation"
        if case.resource and not case.ops.get("remove") and issubclass(RULES_BY_ID[case.rule], ResourceRule):
            urn = resource_urn(data, case.resource)
            assert {u for u, _ in outcome.violations} == {urn}
    else:
        assert outcome.unchecked, f"{case.id}: expected 'could not be checked', got {outcome}"
        assert not outcome.violations

"""Rollups by tag with coverage by cost, diffs for pull requests, and budgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.cost import (
    UNTAGGED,
    BudgetError,
    CostLine,
    Estimate,
    ResourceCost,
    budget_from_outputs,
    budget_from_stack_file,
    check_budget,
    check_resources_budget,
    check_state_budget,
    diff_estimates,
    estimate_cost,
    load_state,
    rollup_by_tag,
    tag_coverage,
)
from runtime.cost._model import Status
from runtime.cost._state import parse_state

FIXTURES = Path(__file__).parent / "fixtures" / "cost"


@pytest.fixture(scope="module")
def base():  # type: ignore[no-untyped-def]
    return estimate_cost(load_state(FIXTURES / "aws_fraud_dev.json"))


@pytest.fixture(scope="module")
def head():  # type: ignore[no-untyped-def]
    return estimate_cost(load_state(FIXTURES / "aws_fraud_dev_head.json"))


@pytest.mark.parametrize("key", ["team", "cost-center", "environment", "component", "owner"])
def test_rollup_lines_sum_to_total(head, key: str) -> None:  # type: ignore[no-untyped-def]
    roll = rollup_by_tag(head, key)
    assert roll.total == pytest.approx(head.total)


def test_rollup_untagged_line_is_last_and_holds_untagged_spend(head) -> None:  # type: ignore[no-untyped-def]
    roll = rollup_by_tag(head, "team")
    assert [line.value for line in roll.lines] == ["fraud", UNTAGGED]
    scratch = next(r for r in head.resources if r.name == "scratch-untagged")
    assert roll.untagged is not None and roll.untagged.monthly == pytest.approx(scratch.monthly)
    assert roll.untagged_share == pytest.approx(scratch.monthly / head.total)


def test_rollup_component_splits_spend(base) -> None:  # type: ignore[no-untyped-def]
    roll = rollup_by_tag(base, "component").as_dict()
    assert set(roll) == {
        "serving",
        "training",
        "feature-store",
        "network",
        "registry",
        "encryption",
        "monitoring",
        "audit",
    }
    assert max(roll, key=roll.__getitem__) == "serving"
    spot = rollup_by_tag(base, "component").lines[1]
    assert spot.value == "training" and spot.spot_monthly > 0


def test_tag_coverage_by_cost_and_count(head) -> None:  # type: ignore[no-untyped-def]
    cov = tag_coverage(head)
    scratch = next(r for r in head.resources if r.name == "scratch-untagged")
    assert cov.none_cost == pytest.approx(scratch.monthly) and cov.none_count == 1
    assert cov.full_cost == pytest.approx(head.total - scratch.monthly)
    assert cov.share("full") + cov.share("partial") + cov.share("none") == pytest.approx(1.0)
    assert cov.count_share("none") > cov.share("none")  # one cheap bucket: 1 in 16 by count, far less by cost
    assert cov.missing_by_key["team"] == pytest.approx(scratch.monthly)


def test_tag_coverage_partial(base) -> None:  # type: ignore[no-untyped-def]
    cov = tag_coverage(base, required=("team", "project"))
    assert cov.partial_cost == pytest.approx(base.total) and cov.full_count == 0


def test_diff_per_resource_and_per_tag(base, head) -> None:  # type: ignore[no-untyped-def]
    diff = diff_estimates(base, head)
    assert diff.total_delta == pytest.approx(head.total - base.total)
    changes = {r.name: r.change for r in diff.changed}
    assert changes == {
        "fraud-dev-serving-scorer": "changed",
        "fraud-dev-training-gpu-spot": "changed",  # same point cost, twice the maximum
        "scratch-untagged": "added",
        "studio": "added",
    }
    scorer = next(r for r in diff.changed if r.name == "fraud-dev-serving-scorer")
    assert "ml.g5.2xlarge" in scorer.summary and scorer.delta > 0
    pool = next(r for r in diff.changed if r.name == "fraud-dev-training-gpu-spot")
    assert pool.summary.startswith("scalingConfig.maxSize: 4 → 8; ") and pool.delta == 0
    assert "range $0.00..$1,373.29 → $0.00..$2,746.58" in pool.summary
    by_cc = {t.value: t.delta for t in diff.by_tag("cost-center")}
    assert by_cc["cc-4411"] == pytest.approx(scorer.delta)
    assert sum(by_cc.values()) == pytest.approx(diff.total_delta)


def test_diff_of_identical_states_is_empty(base) -> None:  # type: ignore[no-untyped-def]
    diff = diff_estimates(base, base)
    assert diff.changed == [] and diff.total_delta == 0


def test_budget_from_stack_file_forms(tmp_path: Path) -> None:
    nested = tmp_path / "Pulumi.fraud-dev.yaml"
    nested.write_text("config:\n  mlkeel:team: fraud\n  mlkeel:budget:\n    monthlyLimitUsd: 2500\n")
    assert budget_from_stack_file(nested) == 2500.0
    flat = tmp_path / "Pulumi.flat.yaml"
    flat.write_text("config:\n  mlkeel:budget.monthlyLimitUsd: '1200.5'\n")
    assert budget_from_stack_file(flat) == 1200.5
    off = tmp_path / "Pulumi.off.yaml"
    off.write_text("config:\n  mlkeel:budget:\n    enabled: false\n    monthlyLimitUsd: 10\n")
    assert budget_from_stack_file(off) is None
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text("config:\n  mlkeel:budget:\n    monthlyLimitUsd: -3\n")
    with pytest.raises(
        BudgetError,
        match=r"Pulumi.bad.yaml: config.mlkeel:budget.monthlyLimitUsd = -3: a positive, finite number",
    ):
        budget_from_stack_file(bad)


def test_budget_check_exceeded_and_may_exceed(base) -> None:  # type: ignore[no-untyped-def]
    assert check_budget(base, base.total - 1).exceeded
    maybe = check_budget(base, base.total + 1)
    assert not maybe.exceeded and maybe.may_exceed and "scaling to maximum" in maybe.message()
    fine = check_budget(base, base.total_high + 1)
    assert not fine.may_exceed and "within the budget" in fine.message()


def test_check_state_budget_reads_stack_output() -> None:
    import json

    doc = json.loads((FIXTURES / "aws_fraud_dev.json").read_text())
    assert budget_from_outputs(parse_state(doc).outputs) == 2500.0
    check = check_state_budget(doc)
    assert check is not None and check.limit_usd == 2500.0 and check.exceeded
    assert "exceeds the stack budget of $2,500.00" in check.message()
    generous = check_state_budget(doc, limit_usd=1e6)
    assert generous is not None and not generous.exceeded
    doc["deployment"]["resources"][0]["outputs"] = {}
    assert check_state_budget(doc) is None


_tag_values = st.sampled_from(["a", "b", "c", ""])


@st.composite
def _resources(draw: st.DrawFn) -> list[ResourceCost]:
    out = []
    for i in range(draw(st.integers(0, 25))):
        cost = draw(st.floats(0, 10_000, allow_nan=False))
        tags = {k: v for k in ("team", "cost-center") if (v := draw(_tag_values))}
        status: Status = draw(st.sampled_from(["priced", "priced", "free", "not_priced"]))
        lines = [CostLine("x", "hour", 1, cost, cost, cost * 0.5, cost * 2)] if status == "priced" else []
        out.append(
            ResourceCost(f"urn:{i}", f"r{i}", "aws:x/y:Z", "AWS", "eu-west-1", tags, "", "", status, lines)
        )
    return out


@settings(max_examples=150, deadline=None)
@given(_resources(), st.sampled_from(["team", "cost-center", "owner"]))
def test_rollup_and_coverage_properties(resources: list[ResourceCost], key: str) -> None:
    total = sum(r.monthly for r in resources)
    roll = rollup_by_tag(resources, key)
    assert roll.total == pytest.approx(total, abs=1e-6)
    assert sum(line.resources for line in roll.lines) == sum(r.status == "priced" for r in resources)
    assert all(line.value != UNTAGGED for line in roll.lines[:-1])
    cov = tag_coverage(resources, required=("team", "cost-center"))
    assert cov.total_cost == pytest.approx(total, abs=1e-6)
    assert cov.missing_by_key.get(key if key != "owner" else "team", 0.0) <= total + 1e-6


@settings(max_examples=100, deadline=None)
@given(_resources(), _resources())
def test_diff_properties(base_res: list[ResourceCost], head_res: list[ResourceCost]) -> None:
    base = Estimate(["s"], base_res, "src", "2025-05-01")
    head = Estimate(["s"], head_res, "src", "2025-05-01")
    diff = diff_estimates(base, head)
    assert diff.total_delta == pytest.approx(head.total - base.total, abs=1e-6)
    assert sum(t.delta for t in diff.by_tag("team")) == pytest.approx(diff.total_delta, abs=1e-6)
    assert diff_estimates(head, base).total_delta == pytest.approx(-diff.total_delta, abs=1e-6)


def _policy_resources(provider_has_urn: bool = True) -> list[Any]:
    """The fixture state as the policy pack's StackValidationArgs.resources (real pulumi_policy objects)."""
    import json

    from pulumi_policy import (
        PolicyCustomTimeouts,
        PolicyProviderResource,
        PolicyResource,
        PolicyResourceOptions,
    )

    doc = json.loads((FIXTURES / "aws_fraud_dev.json").read_text())
    raw = doc["deployment"]["resources"]
    prov_raw = raw[1]
    urn = prov_raw["urn"] if provider_has_urn else None
    provider = PolicyProviderResource(prov_raw["type"], prov_raw["inputs"], urn, "aws")  # type: ignore[arg-type]
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    by_urn: dict[str, PolicyResource] = {}
    resources = []
    for r in raw[2:]:
        props = {**r["inputs"], **r.get("outputs", {})}
        res = PolicyResource(
            r["type"],
            props,
            r["urn"],
            r["urn"].rsplit("::", 1)[-1],
            opts,
            provider,
            None,
            [by_urn[d] for d in r.get("dependencies", []) if d in by_urn],
            {},
        )
        by_urn[r["urn"]] = res
        resources.append(res)
    return resources


def test_check_resources_budget_on_policy_resources() -> None:
    """The policy pack's StackValidationArgs.resources (real pulumi_policy objects) give the same estimate."""
    resources = _policy_resources()
    check = check_resources_budget(resources)
    assert (
        check is not None and check.limit_usd == 2500.0
    )  # the stack's aws:budgets/budget:Budget limitAmount
    assert check.estimate_usd == pytest.approx(
        estimate_cost(load_state(FIXTURES / "aws_fraud_dev.json")).total
    )
    assert (
        check_resources_budget([r for r in resources if r.resource_type != "aws:budgets/budget:Budget"])
        is None
    )


def test_check_resources_budget_when_the_policy_engine_gives_a_provider_no_urn() -> None:
    """A provider without a URN still carries its region and default tags into the estimate."""
    with_urn = check_resources_budget(_policy_resources())
    without_urn = check_resources_budget(_policy_resources(provider_has_urn=False))
    assert with_urn is not None and without_urn is not None
    assert without_urn.estimate_usd == pytest.approx(with_urn.estimate_usd)

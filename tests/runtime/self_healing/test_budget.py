"""The budget left this month comes from the stack's own AWS Budget (budgets:ViewBudget), against moto."""

from __future__ import annotations

from tests.runtime.self_healing._stack import BUDGET, ENDPOINT, Stack
from tests.runtime.self_healing.conftest import run


def test_budget_spend_is_read_from_the_stacks_aws_budget(stack: Stack) -> None:
    stack.capture("drifted")
    summary = run(stack)
    assert summary.endpoints[ENDPOINT]["decision"] == "retrain", summary
    (budget,) = [r for r in stack.audit() if r["step"] == "budget"]
    assert (budget["budget"], budget["month_spend_usd"], budget["limit_usd"]) == (BUDGET, 120.0, 500.0)


def test_budget_spend_past_the_reserve_turns_a_retrain_into_an_alert(stack: Stack) -> None:
    stack.set_month_spend(450.0)  # 90 % of 500 USD; the default reserve is 20 %
    stack.capture("drifted")
    summary = run(stack)
    assert summary.endpoints[ENDPOINT]["decision"] == "alert", summary
    assert stack.training_jobs() == []
    assert len(stack.alerts()) == 1


def test_budget_that_cannot_be_read_holds_retrains_back_and_says_why(stack: Stack) -> None:
    stack.capture("drifted")
    summary = run(stack, stack.config().model_copy(update={"budget_name": "fraud-dev-no-such-budget"}))
    assert summary.status == "ok", summary
    assert summary.endpoints[ENDPOINT]["decision"] != "retrain"
    assert stack.training_jobs() == []
    (budget,) = [r for r in stack.audit() if r["step"] == "budget"]
    assert budget["result"] == "unknown" and "NotFoundException" in budget["error"]

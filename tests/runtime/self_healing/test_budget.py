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


def test_an_unreadable_budget_falls_back_to_the_priced_run_rate_plus_the_loops_own_ledger(
    stack: Stack,
) -> None:
    """From private subnets Budgets cannot be reached: run-rate x elapsed share + ledger is the spend."""
    stack.capture("drifted")
    config = stack.config().model_copy(
        update={"budget_name": "fraud-dev-no-such-budget", "monthly_run_rate_usd": 300.0}
    )
    summary = run(stack, config)
    assert summary.endpoints[ENDPOINT]["decision"] == "retrain", summary
    (spend,) = [r for r in stack.audit() if r["step"] == "spend"]
    share = (4 - 1 + (12.5 / 24)) / 31  # 4 Dec 2026 12:30 UTC
    assert spend["source"] == "run-rate+ledger" and spend["ledger_usd"] == 0.0
    assert spend["month_spend_usd"] == round(300.0 * share, 4)


def test_a_finished_training_job_is_charged_to_the_ledger_and_counts_against_the_budget(stack: Stack) -> None:
    stack.capture("drifted")
    config = stack.config(auto_promote=True).model_copy(
        update={"budget_name": "fraud-dev-no-such-budget", "monthly_run_rate_usd": 300.0}
    )
    run(stack, config)  # retrain requested
    stack.clock.advance(minutes=5)
    run(stack, config)  # the job completed: charged
    (entry,) = stack.state()["ledger"]
    # moto reports no billable time, so the job is charged its maximum runtime at the spot price
    assert entry["purchase"] == "spot" and entry["billable_seconds"] == 60 * 60
    assert entry["usd"] > 0 and "maximum runtime" in entry["basis"]
    stack.clock.advance(minutes=5)
    run(stack, config)
    spends = [r for r in stack.audit() if r["step"] == "spend"]
    assert spends[-1]["ledger_usd"] == entry["usd"]


def test_a_ledger_entry_of_last_month_does_not_count_this_month() -> None:
    from datetime import UTC, datetime

    from runtime.self_healing._ledger import ledger_total

    now = datetime(2026, 12, 4, tzinfo=UTC)
    assert ledger_total([{"month": "2026-11", "usd": 9.0}, {"month": "2026-12", "usd": 1.5}], now) == 1.5

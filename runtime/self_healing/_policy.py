"""Decide: the documented policy, as pure functions of the figures, the loop's state and the clock.

Why pure: a decision is the one thing an operator must be able to predict and replay. These functions
read no cloud and change nothing; the controller records their reasons verbatim, and the tests call them
with tables of cases. docs/self-healing.md states the same rules in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from runtime.self_healing._config import HealingPolicy

__all__ = ["Action", "Decision", "Figures", "decide_canary", "decide_window"]

Action = Literal["nothing", "alert", "retrain", "wait", "confirm", "rollback"]


@dataclass(frozen=True)
class Figures:
    """What judging one window found (None: not measured, e.g. no labels)."""

    rows: int
    drift_share: float | None = None
    drifted_columns: list[str] = field(default_factory=list)
    accuracy: float | None = None
    accuracy_out_of_control: bool = False
    labelled_rows: int = 0


@dataclass(frozen=True)
class Decision:
    """An action and the reasons a person reads in the audit log; ``streak`` is the new bad-window count."""

    action: Action
    reasons: list[str]
    streak: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "reasons": self.reasons, "streak": self.streak}


def _retrains_in_week(history: list[str], now: datetime) -> int:
    week_ago = now - timedelta(days=7)
    return sum(1 for when in history if datetime.fromisoformat(when) > week_ago)


def decide_window(
    policy: HealingPolicy,
    figures: Figures,
    *,
    streak: int,
    retrain_history: list[str],
    now: datetime,
    month_spend_usd: float | None,
    monthly_budget_usd: float | None,
) -> Decision:
    """Nothing, alert or retrain for one endpoint with no work in progress.

    A window is *bad* when the share of drifted features reaches ``drift_share_threshold``, accuracy on
    labelled rows is below ``min_accuracy``, or the accuracy control chart signals. ``windows_in_a_row``
    bad windows ask for a retrain; the cool-down, the weekly maximum and the budget reserve can each turn
    it into an alert saying which one held it back.
    """
    if figures.rows < policy.min_rows:
        return Decision(
            "nothing",
            [f"{figures.rows} captured rows in the window, fewer than minRows {policy.min_rows}: not judged"],
            streak,
        )
    bad: list[str] = []
    if figures.drift_share is not None and figures.drift_share >= policy.drift_share_threshold:
        bad.append(
            f"drift share {figures.drift_share:.3f} >= {policy.drift_share_threshold} "
            f"(drifted: {', '.join(figures.drifted_columns) or '-'})"
        )
    if (
        policy.min_accuracy is not None
        and figures.accuracy is not None
        and figures.accuracy < policy.min_accuracy
    ):
        bad.append(f"accuracy {figures.accuracy:.3f} < minAccuracy {policy.min_accuracy}")
    if figures.accuracy_out_of_control:
        bad.append("accuracy control chart signals a shift")
    if not bad:
        share = "-" if figures.drift_share is None else f"{figures.drift_share:.3f}"
        return Decision("nothing", [f"window healthy: drift share {share}, {figures.rows} rows"], 0)
    streak += 1
    if streak < policy.windows_in_a_row:
        return Decision(
            "nothing", [*bad, f"bad window {streak} of {policy.windows_in_a_row} in a row"], streak
        )
    reasons = [*bad, f"{streak} bad windows in a row (windowsInARow {policy.windows_in_a_row})"]
    held: list[str] = []
    if retrain_history:
        last = datetime.fromisoformat(retrain_history[-1])
        if now - last < timedelta(hours=policy.cooldown_hours):
            held.append(
                f"cool-down: last retrain {last:%Y-%m-%d %H:%M} UTC, cooldownHours {policy.cooldown_hours}"
            )
    weekly = _retrains_in_week(retrain_history, now)
    if weekly >= policy.max_retrains_per_week:
        held.append(
            f"{weekly} retrains in the last 7 days (maxRetrainsPerWeek {policy.max_retrains_per_week})"
        )
    if monthly_budget_usd is not None and month_spend_usd is None:
        held.append("month-to-date spend unknown (the stack's budget could not be read): no spending blind")
    if monthly_budget_usd is not None and month_spend_usd is not None:
        allowed = monthly_budget_usd * (100 - policy.budget_reserve_percent) / 100
        if month_spend_usd >= allowed:
            held.append(
                f"month-to-date spend {month_spend_usd:.2f} USD >= {allowed:.2f} USD "
                f"({100 - policy.budget_reserve_percent}% of the {monthly_budget_usd:.2f} USD budget)"
            )
    if figures.labelled_rows == 0:
        held.append(f"no labelled rows in the window (labels/ prefix, column {policy.label_column!r})")
    if held:
        return Decision("alert", [*reasons, *(f"retrain held back by {h}" for h in held)], streak)
    return Decision("retrain", reasons, streak)


def decide_canary(
    *,
    alarms_firing: list[str],
    endpoint_config: str,
    new_config: str,
    previous_config: str,
    endpoint_status: str,
    elapsed: timedelta,
    wait: timedelta,
    accuracy: float | None,
    baseline_accuracy: float | None,
    tolerance: float,
) -> Decision:
    """During a canary: roll back, confirm the new version, or wait.

    Roll back when a rollback alarm fires, when the canary's judged accuracy falls below the previous
    model's by more than ``tolerance``, or when SageMaker already rolled the endpoint back (it is on
    the previous config again). Confirm once the endpoint is in service on the new config and the
    wait has passed with no alarm.
    """
    if alarms_firing:
        return Decision("rollback", [f"rollback alarm(s) firing: {', '.join(alarms_firing)}"])
    if endpoint_config == previous_config and endpoint_status == "InService":
        return Decision("rollback", ["SageMaker rolled the endpoint back to the previous config"])
    if endpoint_status in ("Failed", "UpdateRollbackFailed"):
        return Decision("rollback", [f"endpoint status {endpoint_status}"])
    if accuracy is not None and baseline_accuracy is not None and accuracy < baseline_accuracy - tolerance:
        return Decision(
            "rollback",
            [f"canary accuracy {accuracy:.3f} regressed below {baseline_accuracy:.3f} - {tolerance}"],
        )
    if endpoint_config != new_config or endpoint_status != "InService":
        return Decision(
            "wait", [f"endpoint {endpoint_status} on {endpoint_config}; waiting for {new_config}"]
        )
    if elapsed < wait:
        return Decision("wait", [f"canary in service {elapsed}, watching until {wait} without alarms"])
    return Decision("confirm", [f"canary healthy for {elapsed} (wait {wait}), no alarm fired"])

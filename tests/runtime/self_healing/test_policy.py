"""The decision policy as tables of cases: what a window or a canary leads to, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from runtime.self_healing import Figures, HealingPolicy, decide_canary, decide_window

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
DRIFTED = Figures(rows=500, drift_share=0.75, drifted_columns=["x1"], accuracy=0.7, labelled_rows=400)
HEALTHY = Figures(rows=500, drift_share=0.0, accuracy=0.95, labelled_rows=400)


def _decide(
    figures: Figures,
    *,
    streak: int = 0,
    history: tuple[str, ...] | list[str] = (),
    spend: float | None = 0.0,
    **policy,
):
    return decide_window(
        HealingPolicy(**policy),
        figures,
        streak=streak,
        retrain_history=list(history),
        now=NOW,
        month_spend_usd=spend,
        monthly_budget_usd=1000.0,
    )


@pytest.mark.parametrize(
    ("figures", "kwargs", "action", "reason"),
    [
        (HEALTHY, {}, "nothing", "window healthy"),
        (Figures(rows=10, drift_share=None), {}, "nothing", "fewer than minRows"),
        (DRIFTED, {"windows_in_a_row": 2}, "nothing", "bad window 1 of 2"),
        (DRIFTED, {"windows_in_a_row": 2, "streak": 1}, "retrain", "2 bad windows in a row"),
        (DRIFTED, {"windows_in_a_row": 1}, "retrain", "drift share 0.750 >= 0.5"),
        (
            Figures(rows=500, drift_share=0.1, accuracy=0.6, labelled_rows=300),
            {"windows_in_a_row": 1, "min_accuracy": 0.8},
            "retrain",
            "accuracy 0.600 < minAccuracy 0.8",
        ),
        (
            Figures(rows=500, drift_share=0.1, accuracy=0.6, labelled_rows=300, accuracy_out_of_control=True),
            {"windows_in_a_row": 1},
            "retrain",
            "control chart",
        ),
        (
            DRIFTED,
            {"windows_in_a_row": 1, "history": [(NOW - timedelta(hours=2)).isoformat()]},
            "alert",
            "cool-down",
        ),
        (
            DRIFTED,
            {
                "windows_in_a_row": 1,
                "cooldown_hours": 0,
                "history": [(NOW - timedelta(days=d)).isoformat() for d in (3, 2)],
            },
            "alert",
            "maxRetrainsPerWeek 2",
        ),
        (DRIFTED, {"windows_in_a_row": 1, "spend": 850.0}, "alert", "of the 1000.00 USD budget"),
        (DRIFTED, {"windows_in_a_row": 1, "spend": None}, "alert", "spend unknown"),
        (
            Figures(rows=500, drift_share=0.9, labelled_rows=0),
            {"windows_in_a_row": 1},
            "alert",
            "no labelled rows",
        ),
    ],
)
def test_decide_window_follows_the_documented_policy(figures, kwargs, action, reason) -> None:
    decision = _decide(figures, **kwargs)
    assert decision.action == action
    assert any(reason in r for r in decision.reasons), decision.reasons


def test_decide_window_resets_the_streak_on_a_healthy_window() -> None:
    assert _decide(HEALTHY, streak=3).streak == 0
    assert _decide(DRIFTED, streak=3, windows_in_a_row=9).streak == 4


def _canary(**kw):
    args = {
        "alarms_firing": [],
        "endpoint_config": "new",
        "new_config": "new",
        "previous_config": "old",
        "endpoint_status": "InService",
        "elapsed": timedelta(minutes=11),
        "wait": timedelta(minutes=10),
        "accuracy": None,
        "baseline_accuracy": 0.8,
        "tolerance": 0.0,
    }
    return decide_canary(**{**args, **kw})


@pytest.mark.parametrize(
    ("kwargs", "action"),
    [
        ({}, "confirm"),
        ({"elapsed": timedelta(minutes=3)}, "wait"),
        ({"endpoint_status": "Updating", "endpoint_config": "old"}, "wait"),
        ({"alarms_firing": ["ep-5xx-rate"]}, "rollback"),
        ({"endpoint_config": "old"}, "rollback"),
        ({"endpoint_status": "Failed"}, "rollback"),
        ({"accuracy": 0.7}, "rollback"),
        ({"accuracy": 0.7, "tolerance": 0.2}, "confirm"),
    ],
)
def test_decide_canary_rolls_back_on_alarm_or_regression_and_confirms_when_quiet(kwargs, action) -> None:
    assert _canary(**kwargs).action == action

"""GcpBudget: a billing budget filtered by the stack's project and team label,
alerting its channels (issue 3)."""

from __future__ import annotations

from components.budget.gcp import amount_units

from .gcp_plans import PLANS, full, of_type, one


def test_budget_gcp_filters_by_project_and_team_label() -> None:
    budget = one(full(), "gcp:billing/budget:Budget")["inputs"]
    assert budget["billingAccount"] == "01ABCD-23EF45-6789AB"
    assert budget["budgetFilter"]["projects"] == ["projects/123456789012"]
    assert budget["budgetFilter"]["labels"] == {"team": "fraud"}
    assert budget["amount"]["specifiedAmount"] == {
        "currencyCode": "USD",
        "units": "25000",
        "nanos": 500000000,
    }


def test_budget_gcp_thresholds_and_channels_come_from_the_spec() -> None:
    plan = full()
    budget = one(plan, "gcp:billing/budget:Budget")["inputs"]
    assert [r["thresholdPercent"] for r in budget["thresholdRules"]] == [0.5, 0.8, 1.0, 1.2]
    channels = sorted(
        c["outputs"]["id"] for c in of_type(plan, "gcp:monitoring/notificationChannel:NotificationChannel")
    )
    assert sorted(budget["allUpdatesRule"]["monitoringNotificationChannels"]) == channels
    risk = one(PLANS["risk"](), "gcp:billing/budget:Budget")["inputs"]
    assert [r["thresholdPercent"] for r in risk["thresholdRules"]] == [0.5, 0.9, 1.0]


def test_budget_gcp_amount_units_split_dollars_and_nanos() -> None:
    assert amount_units(15000) == ("15000", 0) and amount_units(12.25) == ("12", 250000000)

"""Reports: FOCUS CSV columns, markdown for pull requests, terminal table, self-contained HTML."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from runtime.cost import (
    FOCUS_COLUMNS,
    check_budget,
    diff_estimates,
    estimate_cost,
    load_state,
    month_period,
    render,
    render_diff,
)

FIXTURES = Path(__file__).parent / "fixtures" / "cost"


@pytest.fixture(scope="module")
def head():  # type: ignore[no-untyped-def]
    return estimate_cost(load_state(FIXTURES / "aws_fraud_dev_head.json"))


@pytest.fixture(scope="module")
def base():  # type: ignore[no-untyped-def]
    return estimate_cost(load_state(FIXTURES / "aws_fraud_dev.json"))


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_focus_columns_and_x_prefix(head) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(render(head, "csv", period=("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")))
    assert list(rows[0]) == list(FOCUS_COLUMNS)
    mandatory = {
        "BilledCost",
        "EffectiveCost",
        "ListCost",
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "ProviderName",
        "ServiceName",
        "ServiceCategory",
        "RegionId",
        "ResourceId",
        "ResourceType",
        "PricingCategory",
        "Tags",
    }
    assert mandatory <= set(rows[0])
    custom = [c for c in rows[0] if c not in mandatory]
    assert all(
        c.startswith("x_")
        or c
        in {
            "ContractedCost",
            "BillingCurrency",
            "ChargeCategory",
            "ChargeDescription",
            "ResourceName",
            "PricingQuantity",
            "PricingUnit",
            "ListUnitPrice",
        }
        for c in custom
    )
    assert {r["ChargePeriodStart"] for r in rows} == {"2026-12-01T00:00:00Z"}


def test_csv_sums_to_total_and_keeps_unknowns_empty(head) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(render(head, "csv"))
    billed = sum(float(r["BilledCost"]) for r in rows if r["BilledCost"])
    assert billed == pytest.approx(head.total, abs=0.01)
    studio = [r for r in rows if r["ResourceName"] == "studio"]
    assert len(studio) == 1 and studio[0]["BilledCost"] == "" and studio[0]["x_Status"] == "not_priced"
    spot = [r for r in rows if r["PricingCategory"] == "Dynamic"]
    assert spot and all(r["ResourceType"] == "aws:eks/nodeGroup:NodeGroup" for r in spot)
    tags = json.loads(rows[0]["Tags"])
    assert tags["team"] == "fraud" and tags["managed-by"] == "mlkeel"
    assert {r["ProviderName"] for r in rows} == {"AWS"}


def test_markdown_for_pull_requests(head) -> None:  # type: ignore[no-untyped-def]
    text = render(head, "markdown", budget=check_budget(head, 2500))
    assert text.startswith("### Estimated monthly cost: fraud-dev")
    assert f"**${head.total:,.2f} / month**" in text
    assert "⚠️ Budget: estimated" in text
    assert "#### By cost-center" in text and "| cc-4411 |" in text
    assert "#### Tag coverage by cost" in text and "| untagged |" in text
    assert "**Not priced: 1 of 28 resources (4%)**" in text and "aws:sagemaker/domain:Domain" in text


def test_diff_markdown_says_what_the_change_adds(base, head) -> None:  # type: ignore[no-untyped-def]
    text = render_diff(diff_estimates(base, head), "markdown")
    delta = head.total - base.total
    assert f"**+${delta:,.2f} / month**" in text
    assert re.search(r"This change adds \$174\.\d\d a month to cost-center \*\*cc-4411\*\*", text)
    assert "| added | `studio` | Domain | — | not priced |" in text


def test_diff_csv_and_table(base, head) -> None:  # type: ignore[no-untyped-def]
    diff = diff_estimates(base, head)
    rows = _rows(render_diff(diff, "csv"))
    assert sum(float(r["x_DeltaMonthly"]) for r in rows) == pytest.approx(diff.total_delta)
    table = render_diff(diff, "table")
    assert "fraud-dev-serving-scorer" in table and "not priced" in table


def test_table_report(head) -> None:  # type: ignore[no-untyped-def]
    text = render(head, "table", budget=check_budget(head, 1e9))
    assert "fraud-dev-serving-scorer" in text and "By team" in text and "(untagged)" in text
    assert "Not priced: 1 of 28" in text and "Budget: estimated" in text


def test_html_is_self_contained_with_charts(head) -> None:  # type: ignore[no-untyped-def]
    page = render(head, "html", budget=check_budget(head, 2500))
    assert page.startswith("<!DOCTYPE html>")
    for div in ("by-team", "by-component", "by-environment", "spot", "coverage"):
        assert f'id="{div}"' in page
    assert "plotly.js v" in page or "Plotly" in page  # library inlined, no CDN
    assert "<script src=" not in page  # nothing fetched at view time
    assert "Not priced: 1 of 28 resources" in page and "not priced</td>" in page


def test_render_rejects_unknown_format(head) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="allowed: table, markdown, csv, html"):
        render(head, "pdf")


def test_month_period_wraps_year() -> None:
    from datetime import date

    assert month_period(date(2026, 12, 15)) == ("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")

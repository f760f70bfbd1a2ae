"""The budget guard on Google Cloud reads the stack's month-to-date spend from the Cloud Billing export.

The export is the real standard-export schema (tests/runtime/test_cost_actuals.py) as parquet, queried by
runtime.cost's own billing query on DuckDB; the rows are fixtures/billing_export_december.json (other
stacks, other teams, unlabelled and last month's rows that must not count). The controller runs against
fake-gcs-server and the local Vertex AI server, at 2026-12-04 12:30 UTC, budget 500 USD, reserve 20 %.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from runtime.cost import duckdb_runner
from runtime.self_healing._gcp_config import GcpControllerConfig
from tests._vertex_server import VertexServer
from tests.runtime.self_healing._gcp_stack import ENDPOINT, GcpStack
from tests.runtime.self_healing._gcs_server import fake_gcs_server
from tests.runtime.test_cost_actuals import EXPORT_SCHEMA

FIXTURE = Path(__file__).parent / "fixtures" / "billing_export_december.json"
TABLE = "billing-admin-01.billing_export.gcp_billing_export_v1_012345_6789AB_CDEF01"
#: What the fixture's rows of this stack (team fraud, environment dev) cost in December: 150 - 30 + 100.
STACK_DECEMBER_USD = 220.0


@pytest.fixture(scope="module")
def gcs_url() -> Iterator[str]:
    with fake_gcs_server() as url:
        yield url


@pytest.fixture
def gcp(gcs_url: str, reference: tuple[bytes, bytes, Any]) -> Iterator[GcpStack]:
    with VertexServer(polls_until_done=1) as server:
        yield GcpStack(gcs_url, server, reference).build()


def _export(tmp_path: Path, extra: list[dict[str, Any]] | None = None) -> Path:
    rows = []
    for row in json.loads(FIXTURE.read_text()) + (extra or []):
        rows.append(
            {
                "billing_account_id": "012345-6789AB-CDEF01",
                "service": {"id": "x", "description": row["service"]},
                "sku": {"id": "y", "description": "sku"},
                "usage_start_time": datetime.fromisoformat(row["start"]).replace(tzinfo=UTC),
                "usage_end_time": datetime.fromisoformat(row["end"]).replace(tzinfo=UTC),
                "labels": [{"key": k, "value": v} for k, v in row["labels"].items()],
                "location": {
                    "location": "europe-west4",
                    "country": "NL",
                    "region": "europe-west4",
                    "zone": None,
                },
                "cost": row["cost"],
                "currency": "USD",
                "credits": [{"name": "Spot discount", "amount": row["credits"]}] if row["credits"] else [],
                "invoice": {"month": row["start"][:7].replace("-", "")},
            }
        )
    path = tmp_path / "export.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=EXPORT_SCHEMA), path)
    return path


def _config(gcp: GcpStack, **update: Any) -> GcpControllerConfig:
    base = {
        "billing_export_table": TABLE,
        "monthly_run_rate_usd": None,
        "cost_tags": {"team": "fraud", "environment": "dev", "component": "self-healing"},
    }
    return gcp.config(auto_promote=True).model_copy(update={**base, **update})


def _run(gcp: GcpStack, config: GcpControllerConfig, export: Path, table: str = TABLE) -> Any:
    controller = gcp.controller(config)
    controller.gcp.billing = duckdb_runner(str(export), table)
    controller.gcp.billing_dialect = "duckdb"
    try:
        return controller.run()
    finally:
        controller.vertex.close()


def _records(gcp: GcpStack, step: str) -> list[dict[str, Any]]:
    return [r for r in gcp.audit() if r["step"] == step]


def _add_to_ledger(gcp: GcpStack, entries: list[tuple[str, float]]) -> None:
    """Jobs the loop finished earlier, in the endpoint's state as the controller records them."""
    assert gcp.bucket is not None
    state = gcp.state()
    state["ledger"] = [
        {"job": f"job-{i}", "month": ended[:7], "ended": ended, "usd": usd}
        for i, (ended, usd) in enumerate(entries)
    ]
    gcp.bucket.write(f"self-healing/state/{ENDPOINT}.json", json.dumps(state).encode())


def test_spend_under_the_threshold_from_the_stacks_export_rows_lets_the_retrain_start(
    gcp: GcpStack, tmp_path: Path
) -> None:
    gcp.serve("drifted")
    summary = _run(gcp, _config(gcp), _export(tmp_path))
    assert summary.endpoints[ENDPOINT]["decision"] == "retrain", summary
    (budget,) = _records(gcp, "budget")
    assert budget["source"] == "billing-export" and budget["table"] == TABLE
    assert budget["labels"] == {"team": "fraud", "environment": "dev"}
    assert budget["export_usd"] == pytest.approx(STACK_DECEMBER_USD)  # cost + credits, this stack only
    assert budget["export_latest_usage_end"] == "2026-12-04T06:00:00+00:00"
    assert budget["month_spend_usd"] == pytest.approx(STACK_DECEMBER_USD)
    assert _records(gcp, "spend") == []  # the run-rate fallback was not needed
    assert len(gcp.server.jobs) == 1


def test_spend_over_the_threshold_holds_the_retrain_with_an_alert_naming_figure_and_source(
    gcp: GcpStack, tmp_path: Path
) -> None:
    gcp.serve("drifted")
    serving = {
        "service": "Vertex AI",
        "start": "2026-12-04T00:00:00",
        "end": "2026-12-04T01:00:00",
        "labels": {"team": "fraud", "environment": "dev"},
        "cost": 300.0,
        "credits": 0.0,
    }
    summary = _run(gcp, _config(gcp), _export(tmp_path, [serving]))
    assert summary.endpoints[ENDPOINT]["decision"] == "alert", summary
    (budget,) = _records(gcp, "budget")
    assert budget["source"] == "billing-export" and budget["month_spend_usd"] == pytest.approx(520.0)
    (decide,) = _records(gcp, "decide")
    held = [r for r in decide["decision"]["reasons"] if "held back" in r]
    assert any("month-to-date spend 520.00 USD >= 400.00 USD" in r for r in held), held
    (alert,) = _records(gcp, "alert")
    assert any("520.00 USD" in line for line in alert["lines"])
    assert gcp.server.jobs == {}


def test_jobs_the_export_has_not_caught_up_with_are_added_from_the_ledger(
    gcp: GcpStack, tmp_path: Path
) -> None:
    export = _export(tmp_path)
    assert _run(gcp, _config(gcp), export).status == "ok"  # no traffic yet: the state is set up
    # One job ended before the export's newest row (already billed in it), one after (not yet exported).
    _add_to_ledger(gcp, [("2026-12-04T05:00:00+00:00", 999.0), ("2026-12-04T10:00:00+00:00", 250.0)])
    gcp.serve("drifted")
    summary = _run(gcp, _config(gcp), export)
    # Both runs share the test clock, so the audit's order between them is the run ids': pick this run's.
    (budget,) = [r for r in _records(gcp, "budget") if r["run_id"] == summary.run_id]
    assert budget["ledger_after_export_usd"] == pytest.approx(250.0)
    assert budget["month_spend_usd"] == pytest.approx(STACK_DECEMBER_USD + 250.0)  # 470 >= 400
    assert summary.endpoints[ENDPOINT]["decision"] == "alert", summary
    assert gcp.server.jobs == {}


def test_an_unreadable_export_falls_back_to_the_run_rate_and_the_ledger(
    gcp: GcpStack, tmp_path: Path
) -> None:
    gcp.serve("drifted")
    # The query really fails: the export the controller names is not the table that exists.
    elsewhere = "billing-admin-01.billing_export.gcp_billing_export_v1_FFFFFF_FFFFFF_FFFFFF"
    summary = _run(gcp, _config(gcp, monthly_run_rate_usd=100.0), _export(tmp_path), table=elsewhere)
    (budget,) = _records(gcp, "budget")
    assert budget["result"] == "unknown" and TABLE in budget["error"]
    (spend,) = _records(gcp, "spend")
    assert spend["source"] == "run-rate+ledger" and spend["month_spend_usd"] < 400
    assert summary.endpoints[ENDPOINT]["decision"] == "retrain", summary


def test_an_unreadable_export_without_a_run_rate_fails_closed(gcp: GcpStack, tmp_path: Path) -> None:
    gcp.serve("drifted")
    elsewhere = "billing-admin-01.billing_export.gcp_billing_export_v1_FFFFFF_FFFFFF_FFFFFF"
    summary = _run(gcp, _config(gcp), _export(tmp_path), table=elsewhere)
    assert summary.endpoints[ENDPOINT]["decision"] == "alert", summary
    (decide,) = _records(gcp, "decide")
    assert any("spend unknown" in r for r in decide["decision"]["reasons"])
    assert gcp.server.jobs == {}


@pytest.mark.parametrize(
    "table",
    [
        "billing.gcp_billing_export_v1_0123",  # no project
        "billing-admin-01.billing_export.costs",  # not a billing export
        "billing-admin-01.billing_export.gcp_billing_export_v1_01; DROP TABLE x",
    ],
)
def test_config_refuses_a_table_that_is_no_billing_export(gcp: GcpStack, table: str) -> None:
    with pytest.raises(ValueError, match="billing_export_table"):
        GcpControllerConfig.model_validate({**_config(gcp).model_dump(), "billing_export_table": table})

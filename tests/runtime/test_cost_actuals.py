"""Actual spend: AWS through Cost Explorer on a local moto server,
GCP through the billing-export SQL on DuckDB."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.config import Config

from runtime.cost import (
    UNTAGGED,
    ActualsError,
    aws_actuals,
    duckdb_runner,
    gcp_actuals,
    gcp_actuals_sql,
    render,
    rollup_by_tag,
)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _reset(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))


def _inject(url: str, results: list[dict[str, Any]]) -> None:
    body = json.dumps({"results": results}).encode()
    req = urllib.request.Request(
        f"{url}/moto-api/static/ce/cost-and-usage-results",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    assert urllib.request.urlopen(req).status == 201


def _ce(url: str) -> Any:
    return boto3.client(
        "ce",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 1}),
    )


def _group(keys: list[str], amount: str) -> dict[str, Any]:
    return {"Keys": keys, "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}


def test_aws_actuals_groups_by_tag_and_keeps_untagged(moto_url: str) -> None:
    _reset(moto_url)
    _inject(
        moto_url,
        [
            {
                "ResultsByTime": [
                    {
                        "TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"},
                        "Total": {},
                        "Estimated": False,
                        "Groups": [
                            _group(["team$fraud"], "1840.50"),
                            _group(["team$recs"], "912.25"),
                            _group(["team$"], "75.00"),
                        ],
                    }
                ],
                "GroupDefinitions": [{"Type": "TAG", "Key": "team"}],
                "DimensionValueAttributes": [],
            }
        ],
    )
    est = aws_actuals(_ce(moto_url), start="2026-10-01", end="2026-11-01", group_by=["team"])
    assert est.kind == "actual"
    assert est.total == pytest.approx(1840.50 + 912.25 + 75.00)
    roll = rollup_by_tag(est, "team")
    assert roll.as_dict() == {
        "fraud": pytest.approx(1840.5),
        "recs": pytest.approx(912.25),
        UNTAGGED: pytest.approx(75.0),
    }
    assert roll.lines[-1].value == UNTAGGED
    csv_text = render(est, "csv")
    header = csv_text.splitlines()[0].split(",")
    assert header[:3] == ["BilledCost", "EffectiveCost", "ListCost"]
    assert "2026-10-01T00:00:00Z" in csv_text and '"{""team"": ""fraud""}"' in csv_text


def test_aws_actuals_follows_pages_and_two_keys(moto_url: str) -> None:
    _reset(moto_url)
    page = {"TimePeriod": {"Start": "2026-10-01", "End": "2026-10-02"}, "Total": {}, "Estimated": True}
    _inject(
        moto_url,
        [
            {
                "ResultsByTime": [{**page, "Groups": [_group(["team$fraud", "environment$prod"], "10")]}],
                "GroupDefinitions": [],
                "DimensionValueAttributes": [],
                "NextPageToken": "next",
            },
            {
                "ResultsByTime": [{**page, "Groups": [_group(["team$fraud", "environment$dev"], "2.5")]}],
                "GroupDefinitions": [],
                "DimensionValueAttributes": [],
            },
        ],
    )
    est = aws_actuals(
        _ce(moto_url),
        start="2026-10-01",
        end="2026-10-02",
        group_by=["team", "environment"],
        granularity="DAILY",
    )
    assert rollup_by_tag(est, "environment").as_dict() == {"prod": 10.0, "dev": 2.5}
    assert any("estimated" in n for n in est.notes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"group_by": []}, "1 or 2 tag keys"),
        ({"group_by": ["a", "b", "c"]}, "1 or 2"),
        ({"start": "2026-11-01", "end": "2026-10-01"}, "must be after"),
        ({"start": "yesterday"}, "YYYY-MM-DD"),
        ({"granularity": "HOURLY"}, "DAILY or MONTHLY"),
        ({"metric": "Cost"}, "UnblendedCost"),
    ],
)
def test_aws_actuals_rejects_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"start": "2026-10-01", "end": "2026-11-01", "group_by": ["team"], **kwargs}
    with pytest.raises(ActualsError, match=message):
        aws_actuals(object(), **args)


def test_aws_actuals_unreachable_endpoint_is_clear_error() -> None:
    client = boto3.client(
        "ce",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    with pytest.raises(ActualsError, match="GetCostAndUsage failed"):
        aws_actuals(client, start="2026-10-01", end="2026-11-01", group_by=["team"])


# ----------------------------------------------------------------------------------------------- GCP
_LABEL = pa.struct([("key", pa.string()), ("value", pa.string())])
_CREDIT = pa.struct([("name", pa.string()), ("amount", pa.float64())])
EXPORT_SCHEMA = pa.schema(
    [
        ("billing_account_id", pa.string()),
        ("service", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("sku", pa.struct([("id", pa.string()), ("description", pa.string())])),
        ("usage_start_time", pa.timestamp("us", tz="UTC")),
        ("usage_end_time", pa.timestamp("us", tz="UTC")),
        ("labels", pa.list_(_LABEL)),
        (
            "location",
            pa.struct(
                [
                    ("location", pa.string()),
                    ("country", pa.string()),
                    ("region", pa.string()),
                    ("zone", pa.string()),
                ]
            ),
        ),
        ("cost", pa.float64()),
        ("currency", pa.string()),
        ("credits", pa.list_(_CREDIT)),
        ("invoice", pa.struct([("month", pa.string())])),
    ]
)


def _row(
    service: str, when: str, labels: dict[str, str], cost: float, credits: float = 0.0
) -> dict[str, Any]:
    t = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return {
        "billing_account_id": "012345-6789AB-CDEF01",
        "service": {"id": "x", "description": service},
        "sku": {"id": "y", "description": "sku"},
        "usage_start_time": t,
        "usage_end_time": t,
        "labels": [{"key": k, "value": v} for k, v in labels.items()],
        "location": {"location": "europe-west4", "country": "NL", "region": "europe-west4", "zone": None},
        "cost": cost,
        "currency": "USD",
        "credits": [{"name": "Spot discount", "amount": credits}] if credits else [],
        "invoice": {"month": "202610"},
    }


@pytest.fixture
def export_parquet(tmp_path: Path) -> Path:
    rows = [
        _row("Compute Engine", "2026-10-03T10:00:00", {"team": "recs", "environment": "prod"}, 500.0, -50.0),
        _row("Compute Engine", "2026-10-20T10:00:00", {"team": "recs", "environment": "prod"}, 300.0),
        _row("Vertex AI", "2026-10-05T00:00:00", {"team": "recs", "environment": "dev"}, 120.0),
        _row("Cloud Storage", "2026-10-07T00:00:00", {"team": "fraud"}, 40.0),
        _row("Cloud Storage", "2026-10-07T00:00:00", {}, 15.0),  # unlabeled
        _row("Compute Engine", "2026-09-30T23:59:59", {"team": "recs"}, 9999.0),  # before the window
        _row("Compute Engine", "2026-11-01T00:00:00", {"team": "recs"}, 9999.0),  # end is exclusive
    ]
    path = tmp_path / "gcp_billing_export_v1.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=EXPORT_SCHEMA), path)
    return path


def test_gcp_actuals_query_runs_on_export_schema(export_parquet: Path) -> None:
    table = "billing.gcp_billing_export_v1_012345"
    est = gcp_actuals(
        duckdb_runner(str(export_parquet), table),
        table=table,
        start="2026-10-01",
        end="2026-11-01",
        group_by=["team"],
        dialect="duckdb",
    )
    roll = rollup_by_tag(est, "team")
    # credits are netted, rows outside [start, end) excluded, unlabeled spend kept as (untagged)
    assert roll.as_dict() == {
        "recs": pytest.approx(450 + 300 + 120),
        "fraud": pytest.approx(40.0),
        UNTAGGED: pytest.approx(15.0),
    }
    services = {r.service_name for r in est.resources}
    assert services == {"Compute Engine", "Vertex AI", "Cloud Storage"}
    assert all(r.region == "europe-west4" for r in est.resources)


def test_gcp_actuals_two_labels(export_parquet: Path) -> None:
    table = "billing_export"
    est = gcp_actuals(
        duckdb_runner(str(export_parquet), table),
        table=table,
        start="2026-10-01",
        end="2026-11-01",
        group_by=["team", "environment"],
        dialect="duckdb",
    )
    assert rollup_by_tag(est, "environment").as_dict() == {
        "prod": pytest.approx(750.0),
        "dev": pytest.approx(120.0),
        UNTAGGED: pytest.approx(55.0),
    }


def test_gcp_sql_is_parameterised_and_validates_table() -> None:
    sql = gcp_actuals_sql("proj.billing.gcp_billing_export_v1_01", ["team"])
    assert "@key0" in sql and "@start_time" in sql and "`proj.billing.gcp_billing_export_v1_01`" in sql
    assert "team" not in sql  # label keys travel as parameters, never spliced
    with pytest.raises(ActualsError, match=r"must look like project\.dataset"):
        gcp_actuals_sql("proj.ds.t; DROP TABLE x", ["team"])

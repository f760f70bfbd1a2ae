"""On AWS from private subnets (no Budgets endpoint), the budget guard reads the cost export in S3.

Against moto S3 on 127.0.0.1: the export is written by the test from a readable JSON fixture
(``fixtures/cost_export_focus_december.json``) as AWS Data Exports lays it out
(``<prefix><export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.csv.gz``). The stack's AWS Budget is made
unreadable in every test here, as it is from private subnets.
"""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

import pandas as pd
import pytest

from runtime.cost._actuals import ActualsError, aws_export_spend
from runtime.self_healing import ControllerConfig
from tests.runtime.self_healing._moto import REGION
from tests.runtime.self_healing._stack import ACCOUNT, ENDPOINT, FIXTURES, Stack
from tests.runtime.self_healing.conftest import run

EXPORT_BUCKET = f"billing-exports-{ACCOUNT}"
URI = f"s3://{EXPORT_BUCKET}/cur/"
PARTITION = "cur/mlkeel-focus/data/BILLING_PERIOD=2026-12/"
ROWS: list[dict[str, Any]] = json.loads((FIXTURES / "cost_export_focus_december.json").read_text())["rows"]
STACK_USD = 150.25  # the fraud/dev rows of the fixture


def _frame(rows: list[dict[str, Any]], scale: float = 1.0) -> pd.DataFrame:
    return pd.DataFrame([{**r, "BilledCost": r["BilledCost"] * scale} for r in rows])


def _put_csv(stack: Stack, rows: list[dict[str, Any]], *, scale: float = 1.0, name: str = "00001") -> None:
    """A CSV (GZIP) export file: the map column ``Tags`` is a JSON object in CSV, as AWS writes it."""
    frame = _frame(rows, scale)
    frame["Tags"] = [json.dumps(t) for t in frame["Tags"]]
    body = gzip.compress(frame.to_csv(index=False).encode())
    key = f"{PARTITION}mlkeel-focus-{name}.csv.gz"
    stack.client("s3").put_object(Bucket=EXPORT_BUCKET, Key=key, Body=body)


def _export_bucket(stack: Stack) -> None:
    stack.client("s3").create_bucket(
        Bucket=EXPORT_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )


def _config(stack: Stack, **update: Any) -> ControllerConfig:
    """Budgets unreadable (as from private subnets), the cost export configured."""
    values = {"budget_name": "fraud-dev-no-such-budget", "cost_export_uri": URI, **update}
    return stack.config(auto_promote=True).model_copy(update=values)


def _budget_records(stack: Stack) -> list[dict[str, Any]]:
    return [r for r in stack.audit() if r["step"] == "budget"]


def test_export_spend_under_the_reserve_lets_the_loop_retrain_and_counts_only_the_stacks_rows(
    stack: Stack,
) -> None:
    _export_bucket(stack)
    _put_csv(stack, ROWS)
    stack.capture("drifted")
    summary = run(stack, _config(stack))
    assert summary.endpoints[ENDPOINT]["decision"] == "retrain", summary
    _, export = _budget_records(stack)  # the Budgets attempt, then the export
    assert export["source"] == "cost-export" and export["schema"] == "FOCUS 1.0"
    # other teams, other environments and untagged rows (2540 USD) are left out
    assert (export["export_usd"], export["rows"], export["month_spend_usd"]) == (STACK_USD, 3, STACK_USD)
    assert export["export_latest_usage_end"] == "2026-12-04T00:00:00+00:00"
    assert export["tags"] == {"team": "fraud", "environment": "dev"}


def test_export_spend_past_the_reserve_holds_the_retrain_and_the_record_names_the_cost_export(
    stack: Stack,
) -> None:
    _export_bucket(stack)
    _put_csv(stack, ROWS, scale=3.0)  # 450.75 USD of a 500 USD budget, reserve 20 %
    stack.capture("drifted")
    summary = run(stack, _config(stack))
    assert summary.endpoints[ENDPOINT]["decision"] == "alert", summary
    assert stack.training_jobs() == []
    _, export = _budget_records(stack)
    assert export["source"] == "cost-export" and export["month_spend_usd"] == round(STACK_USD * 3, 4)
    (decide,) = [r for r in stack.audit() if r["step"] == "decide"]
    assert "450.75" in json.dumps(decide["decision"])


@pytest.mark.parametrize("delivered", [False, True], ids=["no-bucket", "no-file-this-month"])
def test_an_unreadable_export_falls_back_to_the_run_rate_plus_the_ledger(
    stack: Stack, delivered: bool
) -> None:
    if delivered:  # the bucket exists, but only last month's partition: a new month's first hours
        _export_bucket(stack)
        stack.client("s3").put_object(
            Bucket=EXPORT_BUCKET, Key="cur/mlkeel-focus/data/BILLING_PERIOD=2026-11/x-00001.csv.gz", Body=b""
        )
    stack.capture("drifted")
    summary = run(stack, _config(stack, monthly_run_rate_usd=300.0))
    assert summary.endpoints[ENDPOINT]["decision"] == "retrain", summary
    _, export = _budget_records(stack)
    assert export["result"] == "unknown" and export["source"] == "cost-export"
    assert ("NoSuchBucket" in export["error"]) != delivered
    (spend,) = [r for r in stack.audit() if r["step"] == "spend"]
    assert spend["source"] == "run-rate+ledger"


def test_an_unreadable_export_without_a_run_rate_fails_closed(stack: Stack) -> None:
    stack.capture("drifted")
    summary = run(stack, _config(stack))
    assert summary.endpoints[ENDPOINT]["decision"] != "retrain"
    assert stack.training_jobs() == []


def test_a_retrain_that_ended_after_the_exports_newest_row_is_added_from_the_ledger(stack: Stack) -> None:
    _export_bucket(stack)
    _put_csv(stack, ROWS)
    stack.capture("drifted")
    config = _config(stack)
    run(stack, config)  # retrain requested
    stack.clock.advance(minutes=5)
    run(stack, config)  # the job completed: charged to the ledger (ended 4 Dec 12:35, after the export)
    (entry,) = stack.state()["ledger"]
    stack.clock.advance(minutes=5)
    run(stack, config)
    export = _budget_records(stack)[-1]
    assert export["ledger_after_export_usd"] == entry["usd"] > 0
    assert export["month_spend_usd"] == round(STACK_USD + entry["usd"], 4)


# ----------------------------------------------------------------------------- the reader on its own
def test_a_parquet_export_with_a_map_tags_column_gives_the_same_figure(stack: Stack) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    _export_bucket(stack)
    frame = _frame(ROWS)
    table = pa.table(
        {
            "BilledCost": pa.array(frame["BilledCost"], pa.float64()),
            "ChargePeriodEnd": pa.array(pd.to_datetime(frame["ChargePeriodEnd"], utc=True)),
            "Tags": pa.array([list(t.items()) for t in frame["Tags"]], pa.map_(pa.string(), pa.string())),
        }
    )
    buf = io.BytesIO()
    pq.write_table(table, buf)
    stack.client("s3").put_object(
        Bucket=EXPORT_BUCKET, Key=f"{PARTITION}f-00001.snappy.parquet", Body=buf.getvalue()
    )
    found = aws_export_spend(
        stack.client("s3"), URI, tags={"team": "fraud", "environment": "dev"}, month="2026-12"
    )
    assert (found.usd, found.rows, found.schema) == (STACK_USD, 3, "FOCUS 1.0")


def test_a_cur2_export_is_read_by_its_own_columns_and_user_tag_keys(stack: Stack) -> None:
    _export_bucket(stack)
    cur = pd.DataFrame(
        {
            "line_item_unblended_cost": [r["BilledCost"] for r in ROWS],
            "line_item_usage_end_date": [r["ChargePeriodEnd"] for r in ROWS],
            "resource_tags": [
                json.dumps({k.replace("user:", "user_"): v for k, v in r["Tags"].items()}) for r in ROWS
            ],
        }
    )
    stack.client("s3").put_object(
        Bucket=EXPORT_BUCKET,
        Key=f"{PARTITION}c-00001.csv.gz",
        Body=gzip.compress(cur.to_csv(index=False).encode()),
    )
    found = aws_export_spend(
        stack.client("s3"), URI, tags={"team": "fraud", "environment": "dev"}, month="2026-12"
    )
    assert (found.usd, found.schema) == (STACK_USD, "CUR 2.0")


def test_an_export_file_without_the_needed_columns_is_refused_naming_them(stack: Stack) -> None:
    _export_bucket(stack)
    body = gzip.compress(b"Cost,When\n1,2026-12-01\n")
    stack.client("s3").put_object(Bucket=EXPORT_BUCKET, Key=f"{PARTITION}bad-00001.csv.gz", Body=body)
    with pytest.raises(ActualsError, match="BilledCost") as info:
        aws_export_spend(stack.client("s3"), URI, tags={"team": "fraud"}, month="2026-12")
    assert "line_item_unblended_cost" in info.value.allowed and info.value.file.endswith("bad-00001.csv.gz")


def test_a_cost_export_uri_that_is_not_an_s3_prefix_is_refused_naming_the_field() -> None:
    from mlkeel.files import InputError
    from runtime.self_healing._config import load_config

    base = {
        "stack": "fraud-dev",
        "region": REGION,
        "bucket": "fraud-dev-registry",
        "model_package_group": "g",
        "lease_table": "fraud-dev-lease",
        "training_role_arn": f"arn:aws:iam::{ACCOUNT}:role/t",
        "model_role_arn": f"arn:aws:iam::{ACCOUNT}:role/m",
    }
    for bad in ("https://bucket/cur/", "s3://bucket/cur", "s3://Bucket/cur/"):
        with pytest.raises(InputError) as info:
            load_config(json.dumps({**base, "cost_export_uri": bad}))
        assert info.value.field == "cost_export_uri" and info.value.value == bad
    assert load_config(json.dumps({**base, "cost_export_uri": URI})).cost_export_uri == URI

"""Vertex request-response logs read with the production SQL, on DuckDB over a table of BigQuery's shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from runtime.self_healing._prediction_log import WINDOW_SQL, duckdb_query, read_prediction_window

TABLE = "fraud-ml-prod.fraud_logs.request_response_logging"
ENDPOINT = "projects/fraud-ml-prod/locations/europe-west4/endpoints/1234"
END = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


@pytest.fixture
def logs() -> duckdb.DuckDBPyConnection:
    """The columns Vertex's request_response_logging table has, in DuckDB's types."""
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    con.execute(
        f'CREATE TABLE "{TABLE}" (endpoint VARCHAR, deployed_model_id VARCHAR, logging_time TIMESTAMP, '
        "request_id DECIMAL(38, 0), request_payload VARCHAR[], response_payload VARCHAR[])"
    )
    return con


def _log(
    con: duckdb.DuckDBPyConnection,
    request_id: int,
    when: datetime,
    instances: list,
    preds: list,
    endpoint: str = ENDPOINT,
) -> None:
    con.execute(
        f'INSERT INTO "{TABLE}" VALUES (?, ?, ?, ?, ?, ?)',
        [
            endpoint,
            "111",
            when.replace(tzinfo=None),
            request_id,
            [json.dumps(i) for i in instances],
            [json.dumps(p) for p in preds],
        ],
    )


def test_the_window_holds_this_endpoints_instances_logged_inside_it_with_their_inference_ids(
    logs: duckdb.DuckDBPyConnection,
) -> None:
    _log(logs, 1, END - timedelta(minutes=30), [[1.0, 2.0], [3.0, 4.0]], [0, 1])
    _log(logs, 2, END - timedelta(minutes=10), [{"amount": 5.0, "age": 6.0}], [1])
    _log(logs, 3, END - timedelta(hours=2), [[9.0, 9.0]], [0])  # before the window
    _log(logs, 4, END - timedelta(minutes=5), [[7.0, 7.0]], [0], endpoint=ENDPOINT + "9")  # another endpoint
    window = read_prediction_window(duckdb_query(logs), TABLE, ENDPOINT, ["amount", "age"], end=END, hours=1)
    assert window.rows == 3
    assert window.features.to_dict("list") == {"amount": [1.0, 3.0, 5.0], "age": [2.0, 4.0, 6.0]}
    assert window.inference_ids == ["1-0", "1-1", "2-0"]
    assert window.predictions == ["0", "1", "1"]
    assert window.bad_lines == 0


def test_instances_of_the_wrong_width_or_unreadable_json_are_counted_not_fatal(
    logs: duckdb.DuckDBPyConnection,
) -> None:
    _log(logs, 1, END - timedelta(minutes=30), [[1.0, 2.0], [3.0]], [0, 1])
    logs.execute(
        f'INSERT INTO "{TABLE}" VALUES (?, ?, ?, ?, ?, ?)',
        [ENDPOINT, "111", (END - timedelta(minutes=1)).replace(tzinfo=None), 2, ["{not json"], ["1"]],
    )
    window = read_prediction_window(duckdb_query(logs), TABLE, ENDPOINT, ["amount", "age"], end=END, hours=1)
    assert window.rows == 1 and window.bad_lines == 2


def test_labels_join_the_window_by_inference_id(logs: duckdb.DuckDBPyConnection) -> None:
    _log(logs, 7, END - timedelta(minutes=30), [[1.0, 2.0], [3.0, 4.0]], [0, 1])
    window = read_prediction_window(duckdb_query(logs), TABLE, ENDPOINT, ["amount", "age"], end=END, hours=1)
    window.labels = {"7-1": "1"}
    labelled = window.labelled("label")
    assert labelled[["amount", "label", "prediction"]].to_dict("records") == [
        {"amount": 3.0, "label": "1", "prediction": "1"}
    ]


def test_the_sql_keeps_to_what_bigquery_and_duckdb_both_run() -> None:
    """The functions and syntax BigQuery lacks or DuckDB lacks (emulators.md) are not in the text."""
    for construct in ("TIMESTAMP_TRUNC", "FORMAT_TIMESTAMP", "SAFE_", "$", "@", "::", "`"):
        assert construct not in WINDOW_SQL
    assert WINDOW_SQL.count("?") == 3

"""Observe on Google Cloud: an endpoint's requests and responses from Vertex request-response logging.

Vertex writes a sample of each endpoint's traffic to BigQuery (``predict_request_response_logging_config``;
the serving component points it at the stack's dataset, table ``request_response_logging``). One row per
request: ``endpoint`` (resource name), ``deployed_model_id``, ``logging_time`` (TIMESTAMP), ``request_id``
(NUMERIC), ``request_payload`` and ``response_payload`` (REPEATED STRING: JSON of the instances and of the
predictions). Instance ``i`` of request ``r`` has the inference id ``"<r>-<i>"``: the id a team's label files
under ``labels/<endpoint>/`` use, as on AWS.

Why a query *function* as the seam: production sends the SQL to BigQuery (google-cloud-bigquery); the
tests send the SAME SQL to DuckDB on a table of the same shape. The text sticks to the subset both engines
run (positional ``?`` parameters, ``CAST(... AS STRING)``, no ``TIMESTAMP_TRUNC``); only the quoting
of the table name differs, and each query function applies its own engine's rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from runtime.self_healing._observe import Window

__all__ = ["WINDOW_SQL", "QueryFn", "bigquery_query", "duckdb_query", "read_prediction_window"]

#: ``(sql with {table}, table reference, [(BigQuery type, value), ...]) -> rows as dicts``.
QueryFn = Callable[[str, str, Sequence[tuple[str, Any]]], list[dict[str, Any]]]

WINDOW_SQL = """
SELECT CAST(request_id AS STRING) AS request_id,
       deployed_model_id,
       request_payload,
       response_payload
FROM {table}
WHERE endpoint = ? AND logging_time >= ? AND logging_time <= ?
ORDER BY logging_time, request_id
"""


def bigquery_query(client: Any) -> QueryFn:
    """Run on BigQuery (``google.cloud.bigquery.Client``); the table is ``project.dataset.table``."""

    def run(sql: str, table: str, params: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
        from google.cloud import bigquery

        config = bigquery.QueryJobConfig(
            query_parameters=[bigquery.ScalarQueryParameter(None, kind, value) for kind, value in params]
        )
        job = client.query(sql.format(table=f"`{table}`"), job_config=config)
        return [dict(row.items()) for row in job.result()]

    return run


def duckdb_query(connection: Any) -> QueryFn:
    """Run on DuckDB (tests, or a team's offline copy of the log); the table is one quoted identifier."""

    def run(sql: str, table: str, params: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
        values = [
            v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo else v
            for _, v in params
        ]
        cursor = connection.execute(sql.format(table='"' + table.replace('"', '""') + '"'), values)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    return run


def _instances(payload: Any) -> list[Any]:
    """The instances of one logged request element (a JSON instance, a list of them, or a predict body)."""
    value = json.loads(payload) if isinstance(payload, str) else payload
    if isinstance(value, dict) and "instances" in value:
        return list(value["instances"])
    if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
        return value
    return [value]


def _predictions(payload: Any) -> list[Any]:
    value = json.loads(payload) if isinstance(payload, str) else payload
    if isinstance(value, dict) and "predictions" in value:
        return list(value["predictions"])
    return value if isinstance(value, list) else [value]


def read_prediction_window(
    query: QueryFn, table: str, endpoint: str, columns: list[str], *, end: datetime, hours: int
) -> Window:
    """Logged requests of ``endpoint`` (its full resource name) with ``end - hours <= logging_time <= end``.

    An instance with another number of fields than ``columns`` (or unreadable JSON) is counted in
    ``bad_lines`` and skipped, as on AWS: one malformed record must not stop the loop.
    """
    start = end - timedelta(hours=hours)
    rows = query(WINDOW_SQL, table, [("STRING", endpoint), ("TIMESTAMP", start), ("TIMESTAMP", end)])
    window = Window(endpoint, start, end, pd.DataFrame(columns=columns))
    features: list[list[Any]] = []
    for row in rows:
        window.files += 1
        try:
            instances = [i for part in row["request_payload"] or [] for i in _instances(part)]
            predictions = [p for part in row["response_payload"] or [] for p in _predictions(part)]
        except (ValueError, TypeError):
            window.bad_lines += 1
            continue
        for index, instance in enumerate(instances):
            values = [instance.get(c) for c in columns] if isinstance(instance, dict) else instance
            if not isinstance(values, list) or len(values) != len(columns):
                window.bad_lines += 1
                continue
            features.append(values)
            window.predictions.append(str(predictions[index]) if index < len(predictions) else "")
            window.inference_ids.append(f"{row['request_id']}-{index}")
    frame = pd.DataFrame(features, columns=columns)
    window.features = frame.apply(pd.to_numeric, errors="coerce") if len(frame) else frame
    return window

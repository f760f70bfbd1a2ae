"""Observe: an endpoint's captured traffic in a time window, the team's labels, and serving metrics.

SageMaker data capture writes JSON lines under ``data-capture/<endpoint>/<variant>/YYYY/MM/DD/HH/``; each
line holds one request (``captureData.endpointInput.data``, CSV here) and its response
(``endpointOutput.data``) with ``eventMetadata.inferenceTime`` and ``inferenceId``. Teams put ground truth
under ``labels/<endpoint>/`` as CSV files with ``inference_id`` and the label column. The hour folders
bound what is listed, so a run reads only the window, not the endpoint's whole history.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

__all__ = ["CAPTURE_PREFIX", "LABELS_PREFIX", "Window", "read_labels", "read_window", "serving_metrics"]

CAPTURE_PREFIX = "data-capture/"
LABELS_PREFIX = "labels/"


@dataclass
class Window:
    """One endpoint's observations: request features, predictions and (where known) labels."""

    endpoint: str
    start: datetime
    end: datetime
    features: pd.DataFrame
    predictions: list[str] = field(default_factory=list)
    inference_ids: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    files: int = 0
    bad_lines: int = 0

    @property
    def rows(self) -> int:
        return len(self.features)

    def labelled(self, label_column: str) -> pd.DataFrame:
        """Rows with a label: the features, the label column and ``inference_id``."""
        keep = [i for i, rid in enumerate(self.inference_ids) if rid in self.labels]
        frame = self.features.iloc[keep].reset_index(drop=True).copy()
        frame[label_column] = [self.labels[self.inference_ids[i]] for i in keep]
        frame["inference_id"] = [self.inference_ids[i] for i in keep]
        frame["prediction"] = [self.predictions[i] for i in keep]
        return frame


def _list(s3: Any, bucket: str, prefix: str, delimiter: str | None = None) -> tuple[list[str], list[str]]:
    keys: list[str] = []
    folders: list[str] = []
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if delimiter:
        kwargs["Delimiter"] = delimiter
    for page in s3.get_paginator("list_objects_v2").paginate(**kwargs):
        keys.extend(o["Key"] for o in page.get("Contents", []))
        folders.extend(p["Prefix"] for p in page.get("CommonPrefixes", []))
    return keys, folders


def _list_from(s3: Any, bucket: str, prefix: str, first: str, last: str) -> list[str]:
    """Keys under ``prefix`` from ``first`` (inclusive) up to ``last``, in key order."""
    keys: list[str] = []
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix, StartAfter=first[:-1]):
        for obj in page.get("Contents", []):
            if obj["Key"] > last:
                return keys
            keys.append(obj["Key"])
    return keys


def _parse_time(text: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def read_window(
    s3: Any, bucket: str, endpoint: str, columns: list[str], *, end: datetime, hours: int
) -> Window:
    """Captured requests of ``endpoint`` with ``end - hours <= inferenceTime <= end``.

    ``columns`` name the CSV fields of a request (the reference profile's columns, in order). A line
    that is not a capture record, or whose request has another number of fields, is counted in
    ``bad_lines`` and skipped: one malformed record must not stop the loop.
    """
    start = end - timedelta(hours=hours)
    _, variants = _list(s3, bucket, f"{CAPTURE_PREFIX}{endpoint}/", "/")
    rows: list[list[str]] = []
    window = Window(endpoint, start, end, pd.DataFrame(columns=columns))
    for variant in variants:
        # keys sort by capture hour (YYYY/MM/DD/HH/), so one listing from the window's first hour covers it
        keys = _list_from(
            s3, bucket, variant, f"{variant}{start:%Y/%m/%d/%H}/", f"{variant}{end:%Y/%m/%d/%H}/~"
        )
        for key in keys:
            window.files += 1
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8", "replace")
            for line in body.splitlines():
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    meta = rec["eventMetadata"]
                    when = _parse_time(meta["inferenceTime"])
                    request = rec["captureData"]["endpointInput"]["data"]
                    response = rec["captureData"]["endpointOutput"]["data"]
                    fields = next(csv.reader([request]))
                except (ValueError, KeyError, TypeError, StopIteration):
                    window.bad_lines += 1
                    continue
                if when is None or len(fields) != len(columns):
                    window.bad_lines += 1
                    continue
                if not start <= when <= end:
                    continue
                rows.append(fields)
                window.predictions.append(str(response).strip())
                window.inference_ids.append(str(meta.get("inferenceId") or meta.get("eventId")))
    frame = pd.DataFrame(rows, columns=columns)
    window.features = frame.apply(pd.to_numeric, errors="coerce") if len(frame) else frame
    return window


def read_labels(s3: Any, bucket: str, endpoint: str, label_column: str) -> dict[str, str]:
    """Ground truth by inference id from ``labels/<endpoint>/*.csv`` (later files win)."""
    keys, _ = _list(s3, bucket, f"{LABELS_PREFIX}{endpoint}/")
    labels: dict[str, str] = {}
    for key in sorted(k for k in keys if k.endswith(".csv")):
        text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8", "replace")
        for row in csv.DictReader(io.StringIO(text)):
            rid, value = row.get("inference_id"), row.get(label_column)
            if rid and value is not None:
                labels[rid] = value.strip()
    return labels


def serving_metrics(
    cloudwatch: Any, endpoint: str, variants: list[str], *, end: datetime, hours: int
) -> dict:
    """Invocations, 5xx errors and mean model latency (µs) of each variant over the window (one call)."""
    queries, names = [], {}
    for v_index, variant in enumerate(variants):
        for m_index, (metric, stat) in enumerate(
            (("Invocations", "Sum"), ("Invocation5XXErrors", "Sum"), ("ModelLatency", "Average"))
        ):
            qid = f"m{v_index}_{m_index}"
            names[qid] = (variant, metric)
            queries.append(
                {
                    "Id": qid,
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/SageMaker",
                            "MetricName": metric,
                            "Dimensions": [
                                {"Name": "EndpointName", "Value": endpoint},
                                {"Name": "VariantName", "Value": variant},
                            ],
                        },
                        "Period": 3600 * hours,
                        "Stat": stat,
                    },
                }
            )
    out: dict[str, dict[str, float | None]] = {v: {} for v in variants}
    if not queries:
        return out
    response = cloudwatch.get_metric_data(
        MetricDataQueries=queries, StartTime=end - timedelta(hours=hours), EndTime=end
    )
    for variant, metric in names.values():
        out[variant][metric] = None
    for result in response.get("MetricDataResults", []):
        variant, metric = names[result["Id"]]
        values = result.get("Values", [])
        out[variant][metric] = float(values[0]) if values else None
    return out

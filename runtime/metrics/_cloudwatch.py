"""CloudWatch metric data for drift and fairness, in the namespace the AWS monitoring component alarms on.

Why build the datums separately from sending them: the datum list is pure data (tested without AWS),
``publish`` only batches it through boto3 ``put_metric_data`` (at most 1000 datums per call).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from runtime.drift import DatasetDrift
from runtime.fairness import FairnessReport
from runtime.metrics._names import (
    CLOUDWATCH_NAMESPACE,
    COLUMN_DIMENSION,
    DATASET_DRIFT_METRIC,
    DRIFT_SCORE_METRIC,
    DRIFT_SHARE_METRIC,
    DRIFTED_COLUMNS_METRIC,
    ENDPOINT_DIMENSION,
    FAIRNESS_METRIC,
    METRIC_DIMENSION,
)

__all__ = ["MAX_DATUMS_PER_CALL", "drift_metric_data", "fairness_metric_data", "publish_metric_data"]

#: put_metric_data accepts up to 1000 datums per request.
MAX_DATUMS_PER_CALL = 1000


def _datum(
    name: str, value: float, dims: list[tuple[str, str]], when: datetime, unit: str = "None"
) -> dict[str, Any]:
    return {
        "MetricName": name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
        "Timestamp": when,
        "Value": float(value),
        "Unit": unit,
    }


def drift_metric_data(
    result: DatasetDrift, endpoint: str, timestamp: datetime | None = None
) -> list[dict[str, Any]]:
    """``DriftShare``, ``DriftedColumns``, ``DatasetDrift`` (dimension ``Endpoint``) and one
    ``DriftScore`` per tested column (dimensions ``Endpoint``, ``Column``). Columns without a score are
    skipped (no NaN datums)."""
    when = timestamp or datetime.now(UTC)
    ep = [(ENDPOINT_DIMENSION, endpoint)]
    data = [
        _datum(DRIFT_SHARE_METRIC, result.share, ep, when),
        _datum(DRIFTED_COLUMNS_METRIC, result.n_drifted, ep, when, "Count"),
        _datum(DATASET_DRIFT_METRIC, 1.0 if result.dataset_drift else 0.0, ep, when),
    ]
    for col in result.columns:
        if col.score is not None and abs(col.score) != float("inf"):
            data.append(_datum(DRIFT_SCORE_METRIC, col.score, [*ep, (COLUMN_DIMENSION, col.column)], when))
    return data


def fairness_metric_data(
    report: FairnessReport, endpoint: str, timestamp: datetime | None = None
) -> list[dict[str, Any]]:
    """One ``FairnessMetric`` datum per defined metric (dimensions ``Endpoint``, ``Metric``)."""
    when = timestamp or datetime.now(UTC)
    return [
        _datum(FAIRNESS_METRIC, value, [(ENDPOINT_DIMENSION, endpoint), (METRIC_DIMENSION, name)], when)
        for name, value in report.metrics.items()
        if value == value
    ]


def publish_metric_data(
    data: list[dict[str, Any]], client: Any = None, namespace: str = CLOUDWATCH_NAMESPACE
) -> int:
    """Send datums with ``put_metric_data`` in batches; returns how many were sent.

    ``client`` is a boto3 CloudWatch client (default: ``boto3.client("cloudwatch")`` from the environment).
    """
    if client is None:
        import boto3

        client = boto3.client("cloudwatch")
    for start in range(0, len(data), MAX_DATUMS_PER_CALL):
        client.put_metric_data(Namespace=namespace, MetricData=data[start : start + MAX_DATUMS_PER_CALL])
    return len(data)

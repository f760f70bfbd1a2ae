"""Prometheus exposition of drift and fairness results (prometheus-client, text format 0.0.4).

Why a private registry per call: a scoring job renders one window's results for a Pushgateway or a
textfile collector; a fresh ``CollectorRegistry`` keeps runs from leaking series into each other.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, generate_latest

from runtime.drift import DatasetDrift
from runtime.fairness import FairnessReport
from runtime.metrics._names import PROMETHEUS_PREFIX

__all__ = ["drift_registry", "fairness_registry", "prometheus_text"]


def drift_registry(
    result: DatasetDrift, endpoint: str, registry: CollectorRegistry | None = None
) -> CollectorRegistry:
    """Gauges ``mlkeel_drift_share``, ``mlkeel_drifted_columns``, ``mlkeel_dataset_drift``
    (label ``endpoint``) and ``mlkeel_drift_score`` / ``mlkeel_column_drifted`` (labels ``endpoint``,
    ``column``, ``method``)."""
    registry = registry or CollectorRegistry()
    p = PROMETHEUS_PREFIX
    share = Gauge(
        f"{p}_drift_share", "Share of drifted columns in the window", ["endpoint"], registry=registry
    )
    drifted = Gauge(f"{p}_drifted_columns", "Number of drifted columns", ["endpoint"], registry=registry)
    dataset = Gauge(
        f"{p}_dataset_drift",
        "1 when the share of drifted columns reaches drift_share",
        ["endpoint"],
        registry=registry,
    )
    score = Gauge(
        f"{p}_drift_score",
        "Per-column drift score compared with the threshold",
        ["endpoint", "column", "method"],
        registry=registry,
    )
    threshold = Gauge(
        f"{p}_drift_threshold",
        "Per-column drift threshold",
        ["endpoint", "column", "method"],
        registry=registry,
    )
    col_drift = Gauge(
        f"{p}_column_drifted",
        "1 when the column drifted",
        ["endpoint", "column", "method"],
        registry=registry,
    )
    share.labels(endpoint).set(result.share)
    drifted.labels(endpoint).set(result.n_drifted)
    dataset.labels(endpoint).set(1.0 if result.dataset_drift else 0.0)
    for col in result.columns:
        labels = (endpoint, col.column, col.method)
        if col.score is not None:
            score.labels(*labels).set(col.score)
        threshold.labels(*labels).set(col.threshold)
        col_drift.labels(*labels).set(1.0 if col.drifted else 0.0)
    return registry


def fairness_registry(
    report: FairnessReport, endpoint: str, registry: CollectorRegistry | None = None
) -> CollectorRegistry:
    """Gauges ``mlkeel_fairness_metric`` (labels ``endpoint``, ``metric``) and ``mlkeel_group_rate``
    (labels ``endpoint``, ``group``, ``rate``). Undefined (NaN) metrics are left out, not exported as NaN."""
    registry = registry or CollectorRegistry()
    p = PROMETHEUS_PREFIX
    metric = Gauge(
        f"{p}_fairness_metric", "Fairness disparity metric", ["endpoint", "metric"], registry=registry
    )
    rate = Gauge(f"{p}_group_rate", "Per-group rate", ["endpoint", "group", "rate"], registry=registry)
    for name, value in report.metrics.items():
        if value == value:  # skip NaN
            metric.labels(endpoint, name).set(value)
    for group in [*report.by_group, report.overall]:
        label = "/".join(map(str, group.group)) if isinstance(group.group, list) else str(group.group)
        for name in ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy"):
            rate.labels(endpoint, label, name).set(getattr(group, name))
    return registry


def prometheus_text(registry: CollectorRegistry) -> str:
    """The registry in Prometheus text exposition format."""
    return generate_latest(registry).decode("utf-8")

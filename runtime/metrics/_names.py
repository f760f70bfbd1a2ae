"""Metric names shared with the monitoring components: alarms are built on exactly these.

The AWS monitoring component alarms on CloudWatch namespace :data:`CLOUDWATCH_NAMESPACE`, metric
:data:`DRIFT_SHARE_METRIC` (dimension ``Endpoint``) and :data:`DRIFT_SCORE_METRIC` (dimensions
``Endpoint`` and ``Column``); the GCP one on :data:`GCP_DRIFT_SHARE_METRIC_TYPE`. Change them only
together with those components.
"""

from __future__ import annotations

__all__ = [
    "ACCURACY_METRIC",
    "CLOUDWATCH_NAMESPACE",
    "COLUMN_DIMENSION",
    "DATASET_DRIFT_METRIC",
    "DRIFTED_COLUMNS_METRIC",
    "DRIFT_SCORE_METRIC",
    "DRIFT_SHARE_METRIC",
    "ENDPOINT_DIMENSION",
    "FAIRNESS_METRIC",
    "GCP_DRIFT_SHARE_METRIC_TYPE",
    "METRIC_DIMENSION",
    "PROMETHEUS_PREFIX",
]

CLOUDWATCH_NAMESPACE = "mlkeel/ModelMonitoring"
#: Share of drifted columns in the window (0..1).
DRIFT_SHARE_METRIC = "DriftShare"
#: Per-column drift score (the value compared with the column's threshold), dimension ``Column``.
DRIFT_SCORE_METRIC = "DriftScore"
#: Number of drifted columns.
DRIFTED_COLUMNS_METRIC = "DriftedColumns"
#: 1 when the dataset drifts (share >= drift_share), else 0.
DATASET_DRIFT_METRIC = "DatasetDrift"
#: Share of labelled served requests whose prediction was right (the self-healing controller), dimension
#: ``Endpoint``.
ACCURACY_METRIC = "Accuracy"
#: Fairness metric value, dimension ``Metric`` (e.g. demographic_parity_difference).
FAIRNESS_METRIC = "FairnessMetric"
ENDPOINT_DIMENSION = "Endpoint"
COLUMN_DIMENSION = "Column"
METRIC_DIMENSION = "Metric"
#: Cloud Monitoring custom metric type the GCP monitoring component alerts on.
GCP_DRIFT_SHARE_METRIC_TYPE = "custom.googleapis.com/mlkeel/drift_share"
#: Prefix of every Prometheus metric name.
PROMETHEUS_PREFIX = "mlkeel"

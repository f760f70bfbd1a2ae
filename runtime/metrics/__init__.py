"""Publish drift and fairness results: Prometheus exposition and CloudWatch metric data.

Metric names are constants in :mod:`runtime.metrics._names` (re-exported here); the monitoring
components alarm on them.
"""

from runtime.metrics._cloudwatch import (
    MAX_DATUMS_PER_CALL,
    drift_metric_data,
    fairness_metric_data,
    publish_metric_data,
)
from runtime.metrics._names import (
    ACCURACY_METRIC,
    CLOUDWATCH_NAMESPACE,
    COLUMN_DIMENSION,
    DATASET_DRIFT_METRIC,
    DRIFT_SCORE_METRIC,
    DRIFT_SHARE_METRIC,
    DRIFTED_COLUMNS_METRIC,
    ENDPOINT_DIMENSION,
    FAIRNESS_METRIC,
    GCP_DRIFT_SHARE_METRIC_TYPE,
    METRIC_DIMENSION,
    PROMETHEUS_PREFIX,
)
from runtime.metrics._prometheus import drift_registry, fairness_registry, prometheus_text

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
    "MAX_DATUMS_PER_CALL",
    "METRIC_DIMENSION",
    "PROMETHEUS_PREFIX",
    "drift_metric_data",
    "drift_registry",
    "fairness_metric_data",
    "fairness_registry",
    "prometheus_text",
    "publish_metric_data",
]

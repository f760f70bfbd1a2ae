"""``GcpMonitoring``: notification channels, alert policies on latency, errors and drift, and a dashboard.

Latency and error alerts read Vertex AI's own endpoint metrics (``prediction_latencies`` p99, and the
ratio ``error_count / prediction_count``). Drift is published by the mlkeel runtime as the custom metric
``custom.googleapis.com/mlkeel/drift_share`` (share of features drifted in the last window, 0-1, one
time series per endpoint, label ``endpoint``); its descriptor is declared here, so the metric exists with
its documented shape before the first point is written, and an alert fires above the spec's threshold.
"""

import json
from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from components.gcp.args import GcpCapabilityArgs
from components.tagging import capability_options

DRIFT_METRIC = "custom.googleapis.com/mlkeel/drift_share"
LATENCY_METRIC = "aiplatform.googleapis.com/prediction/online/prediction_latencies"
ERROR_METRIC = "aiplatform.googleapis.com/prediction/online/error_count"
COUNT_METRIC = "aiplatform.googleapis.com/prediction/online/prediction_count"
ENDPOINT_RESOURCE = "aiplatform.googleapis.com/Endpoint"

#: Drift schedule -> how long a drift value stays current (the alert's alignment window).
DRIFT_WINDOW_SECONDS = {"hourly": 3600, "daily": 86400}


class GcpMonitoringArgs(GcpCapabilityArgs):
    alert_emails: Sequence[str]
    latency_p99_ms: int
    error_rate_percent: float
    drift_share_threshold: float
    drift_schedule: str
    endpoints: dict[str, pulumi.Input[str]]
    """Spec endpoint name -> Vertex AI endpoint id (numeric), for per-endpoint filters."""


def _endpoint_filter(metric: str, endpoint_ids: Sequence[str]) -> str:
    """Cloud Monitoring filter for ``metric`` on the stack's endpoints (all endpoints when none is named)."""
    base = f'metric.type = "{metric}" AND resource.type = "{ENDPOINT_RESOURCE}"'
    if not endpoint_ids:
        return base
    ids = " OR ".join(f'resource.labels.endpoint_id = "{i}"' for i in endpoint_ids)
    return f"{base} AND ({ids})"


def dashboard_json(prefix: str, endpoint_ids: Sequence[str]) -> str:
    """A Cloud Monitoring dashboard: latency p99, errors, predictions and drift share per endpoint."""

    def tile(title: str, metric: str, aligner: str, resource: bool = True) -> dict:
        flt = _endpoint_filter(metric, endpoint_ids) if resource else f'metric.type = "{metric}"'
        return {
            "title": title,
            "xyChart": {
                "dataSets": [
                    {
                        "timeSeriesQuery": {
                            "timeSeriesFilter": {
                                "filter": flt,
                                "aggregation": {"alignmentPeriod": "300s", "perSeriesAligner": aligner},
                            }
                        },
                        "plotType": "LINE",
                    }
                ]
            },
        }

    tiles = [
        tile("Latency p99 (ms)", LATENCY_METRIC, "ALIGN_PERCENTILE_99"),
        tile("Errors per second", ERROR_METRIC, "ALIGN_RATE"),
        tile("Predictions per second", COUNT_METRIC, "ALIGN_RATE"),
        tile("Drift share (0-1)", DRIFT_METRIC, "ALIGN_MAX", resource=False),
    ]
    return json.dumps(
        {
            "displayName": f"mlkeel {prefix}",
            "gridLayout": {"columns": "2", "widgets": tiles},
        },
        sort_keys=True,
    )


class GcpMonitoring(pulumi.ComponentResource):
    """Channels, alerts and dashboard of one stack (see module docstring)."""

    def __init__(self, name: str, args: GcpMonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpMonitoring", name, None, capability_options(opts, args["tags"], "monitoring")
        )
        prefix, project = args["prefix"], args["project"]
        child = pulumi.ResourceOptions(parent=self)
        labels = {**args["tags"], "component": "monitoring"}

        channels = [
            gcp.monitoring.NotificationChannel(
                f"{name}-email-{i}",
                display_name=f"{prefix} alerts: {email}",
                type="email",
                project=project,
                labels={"email_address": email},
                user_labels=labels,
                opts=child,
            )
            for i, email in enumerate(args["alert_emails"])
        ]
        channel_ids = [c.id for c in channels]
        drift = gcp.monitoring.MetricDescriptor(
            f"{name}-drift-metric",
            type=DRIFT_METRIC,
            project=project,
            display_name="mlkeel drift share",
            description="Share of monitored features whose drift test failed in the last window (0-1), "
            "published by the mlkeel runtime per endpoint",
            metric_kind="GAUGE",
            value_type="DOUBLE",
            unit="1",
            labels=[
                gcp.monitoring.MetricDescriptorLabelArgs(
                    key="endpoint", value_type="STRING", description="Spec name of the endpoint"
                ),
                gcp.monitoring.MetricDescriptorLabelArgs(
                    key="team", value_type="STRING", description="Team owning the endpoint"
                ),
            ],
            opts=child,
        )
        endpoint_ids = list(args["endpoints"].values())
        policies: dict[str, gcp.monitoring.AlertPolicy] = {}

        def policy(
            key: str,
            title: str,
            condition: gcp.monitoring.AlertPolicyConditionArgs,
            text: str,
            extra: pulumi.ResourceOptions | None = None,
        ) -> None:
            policies[key] = gcp.monitoring.AlertPolicy(
                f"{name}-{key}",
                display_name=f"{prefix} {title}",
                project=project,
                combiner="OR",
                conditions=[condition],
                notification_channels=channel_ids,
                documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                    content=text, mime_type="text/markdown"
                ),
                alert_strategy=gcp.monitoring.AlertPolicyAlertStrategyArgs(auto_close="86400s"),
                user_labels=labels,
                opts=pulumi.ResourceOptions.merge(child, extra),
            )

        if endpoint_ids:
            ids = pulumi.Output.all(*endpoint_ids)
            policy(
                "latency",
                "prediction latency p99",
                gcp.monitoring.AlertPolicyConditionArgs(
                    display_name=f"p99 latency above {args['latency_p99_ms']} ms",
                    condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
                        filter=ids.apply(lambda i: _endpoint_filter(LATENCY_METRIC, i)),
                        comparison="COMPARISON_GT",
                        threshold_value=args["latency_p99_ms"],
                        duration="300s",
                        aggregations=[
                            gcp.monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(
                                alignment_period="300s",
                                per_series_aligner="ALIGN_PERCENTILE_99",
                            )
                        ],
                    ),
                ),
                "p99 prediction latency is above the stack's objective. Check replicas and recent deploys.",
            )
            policy(
                "errors",
                "prediction error rate",
                gcp.monitoring.AlertPolicyConditionArgs(
                    display_name=f"error rate above {args['error_rate_percent']}%",
                    condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
                        filter=ids.apply(lambda i: _endpoint_filter(ERROR_METRIC, i)),
                        denominator_filter=ids.apply(lambda i: _endpoint_filter(COUNT_METRIC, i)),
                        comparison="COMPARISON_GT",
                        threshold_value=args["error_rate_percent"] / 100,
                        duration="300s",
                        aggregations=[
                            gcp.monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(
                                alignment_period="300s",
                                per_series_aligner="ALIGN_RATE",
                                cross_series_reducer="REDUCE_SUM",
                                group_by_fields=["resource.label.endpoint_id"],
                            )
                        ],
                        denominator_aggregations=[
                            gcp.monitoring.AlertPolicyConditionConditionThresholdDenominatorAggregationArgs(
                                alignment_period="300s",
                                per_series_aligner="ALIGN_RATE",
                                cross_series_reducer="REDUCE_SUM",
                                group_by_fields=["resource.label.endpoint_id"],
                            )
                        ],
                    ),
                ),
                "Share of failed predictions is above the stack's objective. A canary may need rolling back.",
            )
        window = DRIFT_WINDOW_SECONDS[args["drift_schedule"]]
        policy(
            "drift",
            "feature drift",
            gcp.monitoring.AlertPolicyConditionArgs(
                display_name=f"drift share above {args['drift_share_threshold']}",
                condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
                    filter=f'metric.type = "{DRIFT_METRIC}" AND resource.type = "global"',
                    comparison="COMPARISON_GT",
                    threshold_value=args["drift_share_threshold"],
                    duration="0s",
                    aggregations=[
                        gcp.monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(
                            alignment_period=f"{window}s", per_series_aligner="ALIGN_MAX"
                        )
                    ],
                ),
            ),
            "The mlkeel drift job found drift in more than the allowed share of features. "
            "See `keel drift` and consider retraining.",
            pulumi.ResourceOptions(depends_on=[drift]),
        )
        dashboard = gcp.monitoring.Dashboard(
            f"{name}-dashboard",
            project=project,
            dashboard_json=pulumi.Output.all(*endpoint_ids).apply(lambda i: dashboard_json(prefix, i)),
            opts=child,
        )
        self.channel_ids = channel_ids
        self.policy_ids = {k: p.name for k, p in policies.items()}
        self.drift_metric = DRIFT_METRIC
        self.dashboard_id = dashboard.id
        self.register_outputs(
            {
                "channels": channel_ids,
                "policies": self.policy_ids,
                "drift_metric": DRIFT_METRIC,
                "dashboard": dashboard.id,
            }
        )

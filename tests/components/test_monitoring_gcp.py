"""GcpMonitoring: e-mail channels, alerts on latency, error rate and the runtime's drift metric,
a dashboard (issue 3)."""

from __future__ import annotations

import json
from typing import Any

from components.monitoring.gcp import DRIFT_METRIC, ERROR_METRIC, LATENCY_METRIC

from .gcp_plans import PLANS, full, of_type, one


def policies(plan: Any) -> dict[str, dict[str, Any]]:
    return {
        p["inputs"]["displayName"]: p["inputs"]
        for p in of_type(plan, "gcp:monitoring/alertPolicy:AlertPolicy")
    }


def test_monitoring_gcp_one_email_channel_per_spec_address() -> None:
    channels = of_type(full(), "gcp:monitoring/notificationChannel:NotificationChannel")
    assert sorted(c["inputs"]["labels"]["email_address"] for c in channels) == [
        "fraud-oncall@example.com",
        "ml-platform@example.com",
    ]
    assert all(c["inputs"]["type"] == "email" for c in channels)


def test_monitoring_gcp_alerts_use_the_spec_thresholds_and_notify_every_channel() -> None:
    plan = full()
    channel_ids = sorted(
        c["outputs"]["id"] for c in of_type(plan, "gcp:monitoring/notificationChannel:NotificationChannel")
    )
    found = policies(plan)
    latency = found["fraud-prod prediction latency p99"]["conditions"][0]["conditionThreshold"]
    assert latency["thresholdValue"] == 500 and LATENCY_METRIC in latency["filter"]
    assert latency["aggregations"][0]["perSeriesAligner"] == "ALIGN_PERCENTILE_99"
    errors = found["fraud-prod prediction error rate"]["conditions"][0]["conditionThreshold"]
    assert errors["thresholdValue"] == 0.01 and ERROR_METRIC in errors["filter"]
    assert "prediction_count" in errors["denominatorFilter"]
    drift = found["fraud-prod feature drift"]["conditions"][0]["conditionThreshold"]
    assert drift["thresholdValue"] == 0.5 and DRIFT_METRIC in drift["filter"]
    assert drift["aggregations"][0]["alignmentPeriod"] == "3600s"
    for policy in found.values():
        assert sorted(policy["notificationChannels"]) == channel_ids
    endpoint_ids = [e["inputs"]["name"] for e in of_type(plan, "gcp:vertex/aiEndpoint:AiEndpoint")]
    assert all(f'"{i}"' in latency["filter"] for i in endpoint_ids)


def test_monitoring_gcp_risk_stack_uses_its_latency_objective() -> None:
    found = policies(PLANS["risk"]())
    assert (
        found["risk-prod prediction latency p99"]["conditions"][0]["conditionThreshold"]["thresholdValue"]
        == 250
    )


def test_monitoring_gcp_drift_metric_is_declared_for_the_runtime() -> None:
    descriptor = one(full(), "gcp:monitoring/metricDescriptor:MetricDescriptor")["inputs"]
    assert descriptor["type"] == DRIFT_METRIC == "custom.googleapis.com/mlkeel/drift_share"
    assert (descriptor["metricKind"], descriptor["valueType"], descriptor["unit"]) == ("GAUGE", "DOUBLE", "1")
    drift_policy = next(
        p
        for p in of_type(full(), "gcp:monitoring/alertPolicy:AlertPolicy")
        if "drift" in p["inputs"]["displayName"]
    )
    assert (
        one(full(), "gcp:monitoring/metricDescriptor:MetricDescriptor")["urn"] in drift_policy["dependencies"]
    )


def test_monitoring_gcp_dashboard_charts_latency_errors_and_drift() -> None:
    dashboard = json.loads(one(full(), "gcp:monitoring/dashboard:Dashboard")["inputs"]["dashboardJson"])
    titles = [w["title"] for w in dashboard["gridLayout"]["widgets"]]
    assert titles == ["Latency p99 (ms)", "Errors per second", "Predictions per second", "Drift share (0-1)"]

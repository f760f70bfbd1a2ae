"""Monitoring on Kubernetes: ServiceMonitors for every scraped app and alerts on latency, errors and the
drift gauge the runtime actually publishes."""

from __future__ import annotations

from components.monitoring.kubernetes import DRIFT_SHARE_GAUGE

from .kubernetes_plans import fraud, of_kind, search


def test_service_monitors_cover_mlflow_feast_and_each_endpoint() -> None:
    monitors = {m["metadata"]["name"]: m for m in of_kind(search(), "ServiceMonitor")}
    assert set(monitors) == {"mlflow", "feast", "ranker"}
    assert monitors["ranker"]["spec"]["selector"] == {
        "matchLabels": {"serving.kserve.io/inferenceservice": "ranker"}
    }
    assert {m["metadata"]["name"] for m in of_kind(fraud(), "ServiceMonitor")} == {"mlflow"}


def test_alert_rules_carry_the_spec_thresholds() -> None:
    (rule,) = of_kind(search(), "PrometheusRule")
    alerts = {r["alert"]: r for r in rule["spec"]["groups"][0]["rules"]}
    assert alerts["MlkeelLatencyP99High"]["expr"].endswith("> 0.25")  # latencyP99Ms: 250
    assert alerts["MlkeelErrorRateHigh"]["expr"].endswith("> 1")
    assert 'namespace="search-dev"' in alerts["MlkeelDataDrift"]["expr"]
    assert alerts["MlkeelDataDrift"]["expr"].endswith(">= 0.5")


def test_drift_alert_watches_the_gauge_the_runtime_exports() -> None:
    import pandas as pd
    from prometheus_client.parser import text_string_to_metric_families

    from runtime.drift import DriftDetector
    from runtime.metrics._prometheus import drift_registry, prometheus_text

    reference = pd.DataFrame({"amount": [float(i % 10) for i in range(200)]})
    current = pd.DataFrame({"amount": [float(i % 10) + 5 for i in range(200)]})
    result = DriftDetector(numerical=["amount"]).fit(reference).score(current)
    exported = {
        f.name for f in text_string_to_metric_families(prometheus_text(drift_registry(result, "ranker")))
    }
    assert DRIFT_SHARE_GAUGE in exported
    (rule,) = of_kind(search(), "PrometheusRule")
    drift = next(r for r in rule["spec"]["groups"][0]["rules"] if r["alert"] == "MlkeelDataDrift")
    assert f"max by (endpoint) ({DRIFT_SHARE_GAUGE}{{" in drift["expr"]

"""Prometheus exposition and CloudWatch metric data (against moto running as a local server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pandas as pd
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from runtime.drift import DriftDetector
from runtime.fairness import fairness_report
from runtime.metrics import (
    CLOUDWATCH_NAMESPACE,
    DRIFT_SCORE_METRIC,
    DRIFT_SHARE_METRIC,
    drift_metric_data,
    drift_registry,
    fairness_metric_data,
    fairness_registry,
    prometheus_text,
    publish_metric_data,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def drift_result():
    ref, cur = pd.read_csv(FIXTURES / "drift_reference.csv"), pd.read_csv(FIXTURES / "drift_current.csv")
    return DriftDetector(numerical=["age", "income"], categorical=["country", "segment"]).fit(ref).score(cur)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def cloudwatch(moto_endpoint: str) -> object:
    """A client of an empty CloudWatch: each test starts from moto's reset, whatever ran before it."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    return boto3.client(
        "cloudwatch",
        region_name="eu-west-1",
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_runtime_metrics_names_are_the_contract():
    assert (CLOUDWATCH_NAMESPACE, DRIFT_SHARE_METRIC, DRIFT_SCORE_METRIC) == (
        "mlkeel/ModelMonitoring",
        "DriftShare",
        "DriftScore",
    )


def test_runtime_metrics_prometheus_text_parses(drift_result):
    text = prometheus_text(drift_registry(drift_result, "fraud-scorer"))
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for fam in text_string_to_metric_families(text)
        for s in fam.samples
    }
    assert samples[("mlkeel_drift_share", (("endpoint", "fraud-scorer"),))] == drift_result.share
    key = ("mlkeel_drift_score", (("column", "age"), ("endpoint", "fraud-scorer"), ("method", "ks")))
    assert samples[key] == drift_result.column("age").score


def test_runtime_metrics_fairness_prometheus_skips_undefined():
    report = fairness_report([0, 1, 0, 1], [0, 0, 0, 0], ["a", "a", "b", "b"])
    text = prometheus_text(fairness_registry(report, "ep"))
    assert (
        'metric="demographic_parity_ratio"' not in text and 'metric="demographic_parity_difference"' in text
    )


def test_runtime_metrics_cloudwatch_datums_have_dimensions(drift_result):
    data = drift_metric_data(drift_result, "fraud-scorer")
    share = [d for d in data if d["MetricName"] == DRIFT_SHARE_METRIC]
    assert share[0]["Value"] == drift_result.share and share[0]["Dimensions"] == [
        {"Name": "Endpoint", "Value": "fraud-scorer"}
    ]
    scores = {d["Dimensions"][1]["Value"] for d in data if d["MetricName"] == DRIFT_SCORE_METRIC}
    assert scores == {"age", "income", "country", "segment"}


def test_runtime_metrics_publish_to_moto_cloudwatch(cloudwatch, drift_result):
    sent = publish_metric_data(drift_metric_data(drift_result, "fraud-scorer"), client=cloudwatch)
    listed = cloudwatch.list_metrics(Namespace=CLOUDWATCH_NAMESPACE)["Metrics"]
    names = {(m["MetricName"], tuple((d["Name"], d["Value"]) for d in m["Dimensions"])) for m in listed}
    assert sent == 3 + 4
    assert (DRIFT_SHARE_METRIC, (("Endpoint", "fraud-scorer"),)) in names
    assert (DRIFT_SCORE_METRIC, (("Endpoint", "fraud-scorer"), ("Column", "age"))) in names


def test_runtime_metrics_publish_batches_over_1000(cloudwatch):
    report = fairness_report([0, 1, 1, 0], [0, 1, 0, 0], ["a", "a", "b", "b"])
    data = fairness_metric_data(report, "batch-ep") * 100  # > 1000 datums: two calls
    assert publish_metric_data(data, client=cloudwatch) == len(data) > 1000

"""The GCP loop and Cloud Monitoring: the drift share the stack's alert policy watches is published, and a
canary is judged by its own deployed model's serving metrics against the alert policies' thresholds, all
against the local MetricService (tests/_monitoring_server.py) beside the local GCS and Vertex AI servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from google.api_core import exceptions

from runtime.self_healing import _monitoring
from runtime.self_healing._gcp_config import GcpControllerConfig
from runtime.self_healing._monitoring import ACCURACY_METRIC, DRIFT_METRIC, CloudMonitoring
from tests._monitoring_server import PROJECT, MonitoringServer
from tests._vertex_server import VertexServer
from tests.runtime.self_healing._gcp_stack import ENDPOINT, ENDPOINT_ID, GcpStack
from tests.runtime.self_healing._gcs_server import fake_gcs_server

#: The stack's alert policy on drift filters exactly this (components/monitoring/gcp.py).
DRIFT_FILTER = f'metric.type = "{DRIFT_METRIC}" AND resource.type = "global"'


@pytest.fixture(scope="module")
def gcs_url() -> Iterator[str]:
    with fake_gcs_server() as url:
        yield url


@pytest.fixture
def gcp(gcs_url: str, reference: tuple[bytes, bytes, Any]) -> Iterator[GcpStack]:
    with VertexServer(polls_until_done=1) as vertex:
        stack = GcpStack(gcs_url, vertex, reference)
        with MonitoringServer(clock=stack.clock) as monitoring:
            # the descriptor the stack's Pulumi program declares, before any point is written
            monitoring.declare(DRIFT_METRIC, {"endpoint", "team"})
            stack.monitoring_address = monitoring.address
            stack.metrics = monitoring  # type: ignore[attr-defined]
            yield stack.build()


def _metrics(gcp: GcpStack) -> MonitoringServer:
    server: MonitoringServer = gcp.metrics  # type: ignore[attr-defined]
    return server


def _config(gcp: GcpStack, **fields: Any) -> GcpControllerConfig:
    return gcp.config(auto_promote=True).model_copy(update=fields)


def _to_canary(gcp: GcpStack, config: GcpControllerConfig) -> str:
    """Drift → a spot CustomJob → the container runs → registered, canary deployed; the candidate's id."""
    gcp.serve("drifted")
    assert gcp.run(config).endpoints[ENDPOINT]["decision"] == "retrain"
    gcp.run_training()
    for _ in range(4):
        gcp.clock.advance(minutes=5)
        gcp.run(config)
        work = gcp.state()["work"]
        if work and work["phase"] == "canary":
            return str(work["candidate_id"])
    raise AssertionError(f"never reached the canary: {gcp.state()}")


def _decisions(gcp: GcpStack) -> list[dict[str, Any]]:
    return [r for r in gcp.audit() if r["step"] == "decide" and "canary" in r]


def test_the_runtime_names_the_metrics_the_alert_policies_filter_on() -> None:
    from components.monitoring import gcp as policies

    for name in ("DRIFT_METRIC", "LATENCY_METRIC", "ERROR_METRIC", "COUNT_METRIC", "ENDPOINT_RESOURCE"):
        assert getattr(_monitoring, name) == getattr(policies, name), name


def test_a_run_publishes_the_drift_share_the_alert_policy_filter_selects(gcp: GcpStack) -> None:
    gcp.serve("drifted")
    summary = gcp.run(_config(gcp))
    assert summary.status == "ok", summary
    (judged,) = [r for r in gcp.audit() if r["step"] == "judge"]
    assert judged["metrics_published"] == 2 and judged["figures"]["drift_share"] > 0

    client = CloudMonitoring(PROJECT, api_endpoint=_metrics(gcp).address)
    try:
        found = list(
            client.client.list_time_series(
                request={
                    "name": f"projects/{PROJECT}",
                    "filter": DRIFT_FILTER,
                    "interval": {
                        "start_time": gcp.clock.now - timedelta(hours=1),
                        "end_time": gcp.clock.now,
                    },
                }
            )
        )
    finally:
        client.close()
    (series,) = found
    assert dict(series.metric.labels) == {"endpoint": ENDPOINT, "team": "fraud"}
    assert series.resource.type == "global" and series.resource.labels["project_id"] == PROJECT
    (point,) = series.points
    assert point.value.double_value == pytest.approx(judged["figures"]["drift_share"])
    assert point.interval.end_time.timestamp() == gcp.clock.now.timestamp()
    (accuracy,) = _metrics(gcp).find(ACCURACY_METRIC, endpoint=ENDPOINT)
    assert accuracy.points[0][2] == pytest.approx(judged["figures"]["accuracy"])

    gcp.clock.advance(minutes=30)  # the next run adds a point to the same series, in order
    gcp.serve("drifted", minutes_ago=5)
    gcp.run(_config(gcp))
    (drift,) = _metrics(gcp).find(DRIFT_METRIC)
    assert len(drift.points) == 2


def test_a_publish_refused_by_cloud_monitoring_is_recorded_and_the_run_goes_on(gcp: GcpStack) -> None:
    _metrics(gcp).fail("CreateTimeSeries", "unavailable")
    gcp.serve("drifted")
    summary = gcp.run(_config(gcp))
    assert summary.status == "ok" and summary.endpoints[ENDPOINT]["decision"] == "retrain", summary
    (failed,) = [r for r in gcp.audit() if r["step"] == "publish"]
    assert failed["result"] == "failed" and "ServiceUnavailable" in failed["error"]
    assert _metrics(gcp).find(DRIFT_METRIC) == []


@pytest.mark.parametrize(
    ("candidate_serving", "live_errors", "outcome"),
    [
        ({"predictions": 200, "errors": 20, "latencies_ms": [80.0] * 200}, 0, "rolled back"),
        ({"predictions": 200, "errors": 0, "latencies_ms": [80.0] * 150 + [2500.0] * 50}, 0, "rolled back"),
        ({"predictions": 200, "errors": 0, "latencies_ms": [80.0] * 200}, 0, "confirmed"),
        # the live model's errors are not the candidate's: judged per deployed model
        ({"predictions": 200, "errors": 1, "latencies_ms": [80.0] * 200}, 150, "confirmed"),
    ],
    ids=["candidate-errors", "candidate-latency", "healthy", "live-model-errors-only"],
)
def test_a_canary_is_judged_by_its_own_deployed_models_serving_against_the_policies_thresholds(
    gcp: GcpStack, candidate_serving: dict[str, Any], live_errors: int, outcome: str
) -> None:
    config = _config(gcp, latency_p99_ms=500, error_rate_percent=1.0)
    previous = gcp.split()
    (live_id,) = previous
    candidate = _to_canary(gcp, config)
    at = gcp.clock.now + timedelta(minutes=5)
    _metrics(gcp).record_serving(ENDPOINT_ID, candidate, at, **candidate_serving)
    _metrics(gcp).record_serving(ENDPOINT_ID, live_id, at, predictions=1000, errors=live_errors)
    gcp.clock.advance(minutes=11)
    gcp.serve("drifted", minutes_ago=5)  # the candidate's labelled accuracy is good
    gcp.run(config)
    decision = _decisions(gcp)[-1]
    assert decision["canary"]["serving"]["predictions"] == 200
    if outcome == "rolled back":
        assert gcp.split() == previous and gcp.deployed() == [f"{gcp.model}@1"]
        assert decision["decision"]["action"] == "rollback"
        assert "candidate " + candidate in decision["decision"]["reasons"][0]
    else:
        assert gcp.split() == {candidate: 100} and gcp.deployed() == [f"{gcp.model}@2"]
    assert gcp.state()["work"] is None


def test_a_canary_whose_serving_metrics_cannot_be_read_is_held_not_promoted(gcp: GcpStack) -> None:
    config = _config(gcp, latency_p99_ms=500, error_rate_percent=1.0)
    candidate = _to_canary(gcp, config)
    canary_split = gcp.split()
    gcp.clock.advance(minutes=11)
    gcp.serve("drifted", minutes_ago=5)
    _metrics(gcp).fail("ListTimeSeries", "unavailable", times=1000)
    summary = gcp.run(config)
    assert summary.status == "ok", summary
    assert gcp.split() == canary_split and gcp.state()["work"]["phase"] == "canary"
    decision = _decisions(gcp)[-1]
    assert decision["decision"]["action"] == "wait"
    assert "unreadable" in decision["decision"]["reasons"][0]

    _metrics(gcp)._faults.clear()  # Cloud Monitoring answers again: the next run promotes
    gcp.clock.advance(minutes=1)
    gcp.run(config)
    assert gcp.split() == {candidate: 100}


def test_the_stand_in_refuses_writes_the_service_refuses(gcp: GcpStack) -> None:
    client = CloudMonitoring(PROJECT, api_endpoint=_metrics(gcp).address)
    now = gcp.clock.now
    refused: list[tuple[list[tuple[str, dict[str, str], float]], datetime]] = [
        ([("aiplatform.googleapis.com/prediction/online/error_count", {}, 1.0)], now),  # built-in
        ([(DRIFT_METRIC, {"endpoint": "a", "stack": "s"}, 0.1)], now),  # label not declared
        ([(DRIFT_METRIC, {"endpoint": "a"}, 0.1)], now - timedelta(hours=26)),  # too old
        ([(DRIFT_METRIC, {"endpoint": "a"}, 0.1)] * 2, now),  # one series twice
    ]
    try:
        for points, when in refused:
            with pytest.raises(exceptions.InvalidArgument):
                client.write_gauges(points, when)
        assert client.write_gauges([(DRIFT_METRIC, {"endpoint": "a"}, 0.1)], now) == 1
        with pytest.raises(exceptions.InvalidArgument, match="in order"):
            client.write_gauges([(DRIFT_METRIC, {"endpoint": "a"}, 0.2)], now - timedelta(minutes=1))
    finally:
        client.close()

"""Cloud Monitoring for the GCP loop (``google.cloud.monitoring_v3``): the run's figures out, a canary's
serving metrics in.

Out: the drift share goes to ``custom.googleapis.com/mlkeel/drift_share`` on the ``global`` resource with
the label ``endpoint`` (and ``team``), exactly what the stack's drift alert policy filters on and what the
descriptor in components/monitoring/gcp.py declares: Cloud Monitoring refuses a label the descriptor does
not name, so there is no ``stack`` label (one project per stack). Accuracy goes to
``custom.googleapis.com/mlkeel/accuracy`` (its descriptor is created on the first write). One GAUGE DOUBLE
point per series at the run's clock, as CreateTimeSeries requires.

In: Vertex AI's own online-prediction metrics of ONE deployed model (metric label ``deployed_model_id``) on
the ``aiplatform.googleapis.com/Endpoint`` resource, read with ListTimeSeries over the canary's time and
compared with the thresholds of the stack's latency and error alert policies (p99 latency; errors over
predictions), so the canary rolls back on what would page a person, judged on the candidate alone rather
than on the whole endpoint. Cloud Monitoring has no API listing a policy's open incidents, so the policies
themselves cannot be asked: their thresholds are applied to the same metrics here.

Why the v1 client with an explicit transport, as for Vertex (../shared/notes/loop-and-scale.md §2): a
stand-in on 127.0.0.1 needs no credentials and no process-wide patch; production uses ADC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "ACCURACY_METRIC",
    "COUNT_METRIC",
    "DRIFT_METRIC",
    "ENDPOINT_RESOURCE",
    "ERROR_METRIC",
    "LATENCY_METRIC",
    "CloudMonitoring",
    "ServingFigures",
]

# The names components/monitoring/gcp.py gives its alert policies (copied: the runtime imports no Pulumi;
# tests/runtime/self_healing/test_gcp_monitoring.py keeps them equal).
DRIFT_METRIC = "custom.googleapis.com/mlkeel/drift_share"
ACCURACY_METRIC = "custom.googleapis.com/mlkeel/accuracy"
LATENCY_METRIC = "aiplatform.googleapis.com/prediction/online/prediction_latencies"
ERROR_METRIC = "aiplatform.googleapis.com/prediction/online/error_count"
COUNT_METRIC = "aiplatform.googleapis.com/prediction/online/prediction_count"
ENDPOINT_RESOURCE = "aiplatform.googleapis.com/Endpoint"
#: Shortest alignment period ListTimeSeries accepts.
MIN_ALIGNMENT_SECONDS = 60


@dataclass(frozen=True)
class ServingFigures:
    """One deployed model's serving over a window (None: no data in the window)."""

    predictions: int
    errors: int
    latency_p99_ms: float | None

    @property
    def error_rate(self) -> float | None:
        return None if self.predictions == 0 else self.errors / self.predictions

    def breaches(self, *, latency_p99_ms: float | None, error_rate_percent: float | None) -> list[str]:
        """What is over the alert policies' thresholds, in words for the audit log and the alert."""
        out = []
        rate = self.error_rate
        if error_rate_percent is not None and rate is not None and rate > error_rate_percent / 100:
            out.append(
                f"error rate {rate:.1%} ({self.errors}/{self.predictions}) above {error_rate_percent}%"
            )
        p99 = self.latency_p99_ms
        if latency_p99_ms is not None and p99 is not None and p99 > latency_p99_ms:
            out.append(f"p99 latency {self.latency_p99_ms:.0f} ms above {latency_p99_ms} ms")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "predictions": self.predictions,
            "errors": self.errors,
            "error_rate": self.error_rate,
            "latency_p99_ms": self.latency_p99_ms,
        }


class CloudMonitoring:
    """MetricService calls for one project; ``api_endpoint`` points them at a stand-in (tests)."""

    def __init__(
        self,
        project: str,
        *,
        api_endpoint: str | None = None,
        timeout: float = 30.0,
        retry_timeout: float = 60.0,
    ) -> None:
        import grpc
        from google.cloud import monitoring_v3
        from google.cloud.monitoring_v3.services.metric_service.transports import MetricServiceGrpcTransport

        self.project = project
        self.timeout = timeout
        self.retry_timeout = retry_timeout
        target = api_endpoint or "monitoring.googleapis.com"
        if target.rsplit(":", 1)[0] in ("127.0.0.1", "localhost", "[::1]"):
            self.channel = grpc.insecure_channel(target)
        else:
            self.channel = MetricServiceGrpcTransport.create_channel(
                target if ":" in target else f"{target}:443",
                scopes=["https://www.googleapis.com/auth/monitoring"],
            )
        self.types = monitoring_v3
        self.client = monitoring_v3.MetricServiceClient(
            transport=MetricServiceGrpcTransport(channel=self.channel)
        )

    def close(self) -> None:
        self.channel.close()

    def write_gauges(self, points: list[tuple[str, dict[str, str], float]], at: datetime) -> int:
        """One GAUGE DOUBLE point per ``(metric type, labels, value)`` on the ``global`` resource, at ``at``.

        One request (at most 200 series), no retry: a point rejected or lost is recorded by the caller and
        the next run writes a fresh one (a retry of a write that landed would be refused as out of order).
        """
        from google.api import metric_pb2

        m = self.types
        end = m.TimeInterval(end_time=at)
        series = [
            m.TimeSeries(
                metric={"type": metric_type, "labels": labels},
                resource={"type": "global", "labels": {"project_id": self.project}},
                metric_kind=metric_pb2.MetricDescriptor.MetricKind.GAUGE,
                value_type=metric_pb2.MetricDescriptor.ValueType.DOUBLE,
                points=[m.Point(interval=end, value=m.TypedValue(double_value=float(value)))],
            )
            for metric_type, labels, value in points
        ]
        if not series:
            return 0
        self.client.create_time_series(
            name=f"projects/{self.project}", time_series=series, timeout=self.timeout, retry=None
        )
        return len(series)

    def serving(
        self, endpoint_id: str, deployed_model_id: str, start: datetime, end: datetime
    ) -> ServingFigures:
        """Predictions, errors and p99 latency of one deployed model between ``start`` and ``end``.

        One alignment period spans the whole window, so each series yields one value: counts summed
        (ALIGN_DELTA), latency as the 99th percentile of its distribution (ALIGN_PERCENTILE_99, the alert
        policy's aligner); the worst latency series counts, as any one of them fires the policy.
        """
        from google.api_core import exceptions, retry

        m = self.types
        again = retry.Retry(  # reads are safe to repeat: bounded, backoff with jitter
            predicate=retry.if_exception_type(exceptions.ServiceUnavailable, exceptions.DeadlineExceeded),
            initial=0.05,
            maximum=5.0,
            timeout=self.retry_timeout,
        )
        seconds = max(MIN_ALIGNMENT_SECONDS, math.ceil((end - start).total_seconds()))
        start = min(start, end - timedelta(seconds=seconds))
        Aligner = m.Aggregation.Aligner

        def read(metric_type: str, aligner: Any) -> list[float]:
            flt = (
                f'metric.type = "{metric_type}" AND resource.type = "{ENDPOINT_RESOURCE}" AND '
                f'resource.labels.endpoint_id = "{endpoint_id}" AND '
                f'metric.labels.deployed_model_id = "{deployed_model_id}"'
            )
            pages = self.client.list_time_series(
                request={
                    "name": f"projects/{self.project}",
                    "filter": flt,
                    "interval": m.TimeInterval(start_time=start, end_time=end),
                    "aggregation": m.Aggregation(
                        alignment_period=timedelta(seconds=seconds), per_series_aligner=aligner
                    ),
                    "view": m.ListTimeSeriesRequest.TimeSeriesView.FULL,
                },
                timeout=self.timeout,
                retry=again,
            )
            values = []
            for series in pages:
                for point in series.points:
                    value = point.value
                    kind = m.TypedValue.pb(value).WhichOneof("value")
                    values.append(float(getattr(value, kind)))
            return values

        latencies = read(LATENCY_METRIC, Aligner.ALIGN_PERCENTILE_99)
        return ServingFigures(
            predictions=int(sum(read(COUNT_METRIC, Aligner.ALIGN_DELTA))),
            errors=int(sum(read(ERROR_METRIC, Aligner.ALIGN_DELTA))),
            latency_p99_ms=max(latencies) if latencies else None,
        )

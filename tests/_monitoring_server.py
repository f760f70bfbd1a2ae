"""A Cloud Monitoring v3 MetricService on 127.0.0.1 that speaks the real gRPC API, for tests.

Why a server and not mocks: the GCP loop writes and reads metrics through ``google.cloud.monitoring_v3``'s
``MetricServiceClient``. Serving the package's own protobuf messages over real gRPC means the client, its
request building, its pager and its error mapping run exactly as in production; only the far end is local.
The two calls the loop makes are served, checked the way the service checks them (:data:`VALIDATION`):

- ``CreateTimeSeries``: only custom metrics (``custom.googleapis.com/``, ``external.googleapis.com/``) may be
  written; one point per series; a series at most once per request; GAUGE points with no start time (or
  start = end); no point older than 25 hours or more than 5 minutes ahead of the server's clock; no point at
  or before the series' last one (out of order); labels and kinds as the metric's descriptor declares (a
  descriptor is created on a custom metric's first write, as the service does).
- ``ListTimeSeries``: the filter language's conjunctions of ``metric.type``, ``resource.type``,
  ``resource.labels.K`` and ``metric.labels.K`` equalities (anything else is refused, so a filter the real
  service would read differently fails here too); aligners ALIGN_NONE, ALIGN_DELTA / ALIGN_SUM (counts),
  ALIGN_MAX, ALIGN_PERCENTILE_99 (distributions only), one output point per alignment period ending at the
  interval's end; an alignment period under 60 s is refused; cross-series reducers are refused (the loop
  does not use them).

Simplifications (say so when a test leans on them): one request is all or nothing (the service writes the
valid series of a partly bad request); distributions keep their raw samples and ALIGN_PERCENTILE_99 takes the
nearest-rank 99th percentile of them (the service interpolates within buckets); no paging.

Vertex AI's own serving metrics are seeded with :meth:`MonitoringServer.record_serving` (the service writes
them, not a client). Faults: :meth:`MonitoringServer.fail` (``unavailable``, ``deadline``).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from google.api import distribution_pb2, metric_pb2
from google.cloud.monitoring_v3 import types as mt
from google.protobuf import empty_pb2, timestamp_pb2

from tests._grpc_server import LocalGrpcServer

__all__ = ["FAULTS", "PROJECT", "VALIDATION", "MonitoringServer", "Series"]

#: The project test metrics live in (names only; nothing leaves 127.0.0.1).
PROJECT = "fraud-ml-prod"
FAULTS = ("unavailable", "deadline")
VALIDATION = {
    "CreateTimeSeries": (
        "name projects/{project}; 1-200 series; custom.googleapis.com/ or external.googleapis.com/ "
        "types only; "
        "resource global (project_id = the project) or generic_task; exactly one point; GAUGE start = end "
        "or unset; end within 25 h before / 5 min after now; later than the series' last point; a series "
        "once per request; labels and kinds as the descriptor declares -> INVALID_ARGUMENT"
    ),
    "ListTimeSeries": (
        "name projects/{project}; filter: AND of metric.type / resource.type / resource.labels.K / "
        "metric.labels.K equalities; interval.end_time required; alignment_period >= 60 s with an aligner; "
        "ALIGN_PERCENTILE_99 on distributions only; no cross-series reducer -> INVALID_ARGUMENT"
    ),
}

Kind = metric_pb2.MetricDescriptor.MetricKind
ValueType = metric_pb2.MetricDescriptor.ValueType
Aligner = mt.Aggregation.Aligner
_CUSTOM = ("custom.googleapis.com/", "external.googleapis.com/")
_RESOURCES = {
    "global": {"project_id"},
    "generic_task": {"project_id", "location", "namespace", "job", "task_id"},
}
_TERM = re.compile(
    r'^(metric\.type|resource\.type|resource\.labels\.\w+|metric\.labels\.\w+)\s*=\s*"([^"]*)"$'
)


@dataclass
class Series:
    """One time series as the service keeps it: its identity, kinds and points ``(start, end, value)``."""

    metric_type: str
    metric_labels: dict[str, str]
    resource_type: str
    resource_labels: dict[str, str]
    kind: int
    value_type: int
    points: list[tuple[datetime, datetime, Any]] = field(default_factory=list)

    def key(self) -> tuple[Any, ...]:
        return (
            self.metric_type,
            tuple(sorted(self.metric_labels.items())),
            self.resource_type,
            tuple(sorted(self.resource_labels.items())),
        )


class _Refused(Exception):
    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def _when(ts: timestamp_pb2.Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=UTC)


def _stamp(when: datetime) -> timestamp_pb2.Timestamp:
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(when)
    return out


class MonitoringServer(LocalGrpcServer):
    """MetricService (CreateTimeSeries, ListTimeSeries) in memory, on 127.0.0.1:``port``."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.clock = clock
        """The service's now: the 25-hour and future bounds are checked against it."""
        self.series: dict[tuple[Any, ...], Series] = {}
        self.descriptors: dict[str, tuple[int, int, set[str]]] = {}
        self.calls: list[tuple[str, str]] = []
        """``(method, answer)`` of every call: ``ok``, a fault, or the status code refused with."""
        self._faults: dict[str, list[list[Any]]] = {}
        self._lock = threading.RLock()
        super().__init__()

    # -- lifecycle ---------------------------------------------------------------------------------------

    def _handlers(self) -> list[grpc.GenericRpcHandler]:
        def unary(fn: Callable[[Any, grpc.ServicerContext], Any], request: Any, response: Any) -> Any:
            return grpc.unary_unary_rpc_method_handler(
                fn, request_deserializer=request.FromString, response_serializer=response.SerializeToString
            )

        handler = grpc.method_handlers_generic_handler(
            "google.monitoring.v3.MetricService",
            {
                "CreateTimeSeries": unary(
                    self._wrap("CreateTimeSeries", self._create),
                    mt.CreateTimeSeriesRequest.pb(),
                    empty_pb2.Empty,
                ),
                "ListTimeSeries": unary(
                    self._wrap("ListTimeSeries", self._list),
                    mt.ListTimeSeriesRequest.pb(),
                    mt.ListTimeSeriesResponse.pb(),
                ),
            },
        )
        return [handler]

    # -- test controls -----------------------------------------------------------------------------------

    def fail(self, method: str, kind: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer ``kind`` (UNAVAILABLE or DEADLINE_EXCEEDED)."""
        if kind not in FAULTS or times < 1:
            raise ValueError(f"fault {kind!r} x{times}: expected one of {FAULTS}, at least once")
        with self._lock:
            self._faults.setdefault(method, []).append([kind, times])

    def declare(self, metric_type: str, labels: set[str], *, value_type: int = ValueType.DOUBLE) -> None:
        """A GAUGE descriptor as the stack's Pulumi program declares it (components/monitoring/gcp.py)."""
        with self._lock:
            self.descriptors[metric_type] = (Kind.GAUGE, value_type, set(labels))

    def record_serving(
        self,
        endpoint_id: str,
        deployed_model_id: str,
        at: datetime,
        *,
        predictions: int,
        errors: int = 0,
        latencies_ms: list[float] | None = None,
        location: str = "europe-west4",
    ) -> None:
        """Vertex AI's online-prediction metrics for one deployed model over the minute ending ``at``."""
        resource = {"resource_container": PROJECT, "location": location, "endpoint_id": endpoint_id}
        start = at - timedelta(minutes=1)
        with self._lock:
            for metric_type, labels, value_type, value in (
                ("prediction_count", {}, ValueType.INT64, predictions),
                ("error_count", {"response_code": "500"}, ValueType.INT64, errors),
                (
                    "prediction_latencies",
                    {"latency_type": "total"},
                    ValueType.DISTRIBUTION,
                    list(latencies_ms or []),
                ),
            ):
                series = Series(
                    f"aiplatform.googleapis.com/prediction/online/{metric_type}",
                    {"deployed_model_id": deployed_model_id, **labels},
                    "aiplatform.googleapis.com/Endpoint",
                    resource,
                    Kind.DELTA,
                    value_type,
                )
                self.series.setdefault(series.key(), series).points.append((start, at, value))

    def find(self, metric_type: str, **labels: str) -> list[Series]:
        """Series of ``metric_type`` whose metric labels include ``labels``."""
        with self._lock:
            return [
                s
                for s in self.series.values()
                if s.metric_type == metric_type and labels.items() <= s.metric_labels.items()
            ]

    def methods(self, answer: str | None = None) -> list[str]:
        with self._lock:
            return [m for m, a in self.calls if answer is None or a == answer]

    # -- plumbing ----------------------------------------------------------------------------------------

    def _wrap(self, method: str, fn: Callable[[Any], Any]) -> Callable[[Any, grpc.ServicerContext], Any]:
        def handle(request: Any, context: grpc.ServicerContext) -> Any:
            with self._lock:
                queue = self._faults.get(method, [])
                fault = None
                if queue:
                    fault = queue[0][0]
                    queue[0][1] -= 1
                    if queue[0][1] <= 0:
                        queue.pop(0)
                if fault is not None:
                    self.calls.append((method, fault))
                    code = (
                        grpc.StatusCode.UNAVAILABLE
                        if fault == "unavailable"
                        else grpc.StatusCode.DEADLINE_EXCEEDED
                    )
                    context.abort(code, f"injected fault: {fault}")
                try:
                    answer = fn(request)
                except _Refused as refused:
                    self.calls.append((method, refused.code.name))
                    context.abort(refused.code, str(refused))
                self.calls.append((method, "ok"))
                return answer

        return handle

    def _project(self, name: str) -> None:
        if name != f"projects/{PROJECT}":
            raise _Refused(grpc.StatusCode.INVALID_ARGUMENT, f"name {name!r}: expected projects/{PROJECT}")

    # -- CreateTimeSeries --------------------------------------------------------------------------------

    def _create(self, request: Any) -> empty_pb2.Empty:
        bad = grpc.StatusCode.INVALID_ARGUMENT
        self._project(request.name)
        if not 1 <= len(request.time_series) <= 200:
            raise _Refused(bad, f"{len(request.time_series)} time series: 1 to 200 per request")
        now, seen, accepted = self.clock(), set(), []
        for i, ts in enumerate(request.time_series):
            where = f"timeSeries[{i}]"
            metric_type = ts.metric.type
            if not metric_type.startswith(_CUSTOM):
                raise _Refused(bad, f"{where}: metric type {metric_type!r} is not a custom metric")
            allowed = _RESOURCES.get(ts.resource.type)
            if allowed is None or set(ts.resource.labels) - allowed:
                raise _Refused(bad, f"{where}: monitored resource {ts.resource.type!r} or its labels")
            if ts.resource.labels.get("project_id") != PROJECT:
                raise _Refused(bad, f"{where}: resource project_id must be {PROJECT}")
            if len(ts.points) != 1:
                raise _Refused(bad, f"{where}: {len(ts.points)} points; exactly one point per time series")
            point = ts.points[0]
            end = _when(point.interval.end_time)
            kind = ts.metric_kind or Kind.GAUGE
            if (
                kind == Kind.GAUGE
                and point.interval.HasField("start_time")
                and _when(point.interval.start_time) != end
            ):
                raise _Refused(bad, f"{where}: a GAUGE point's start time must equal its end time")
            kind_of = point.value.WhichOneof("value")
            value_type = {"double_value": ValueType.DOUBLE, "int64_value": ValueType.INT64}.get(kind_of or "")
            if value_type is None:
                raise _Refused(bad, f"{where}: value {kind_of!r}: the loop's stand-in takes DOUBLE or INT64")
            if ts.value_type and ts.value_type != value_type:
                raise _Refused(bad, f"{where}: value type does not match the point's value")
            if end < now - timedelta(hours=25):
                raise _Refused(bad, f"{where}: points must be written within 25 hours of now ({end})")
            if end > now + timedelta(minutes=5):
                raise _Refused(bad, f"{where}: point {end} is in the future")
            labels = dict(ts.metric.labels)
            descriptor = self.descriptors.get(metric_type)
            if descriptor is not None:
                d_kind, d_type, d_labels = descriptor
                if kind != d_kind or value_type != d_type:
                    raise _Refused(
                        bad, f"{where}: kind/value type differ from the descriptor of {metric_type}"
                    )
                unknown = sorted(set(labels) - d_labels)
                if unknown:
                    raise _Refused(
                        bad,
                        f"{where}: labels {unknown} are not in the descriptor of {metric_type}",
                    )
            series = Series(metric_type, labels, ts.resource.type, dict(ts.resource.labels), kind, value_type)
            key = series.key()
            if key in seen:
                raise _Refused(bad, f"{where}: the same time series twice in one request")
            seen.add(key)
            known = self.series.get(key)
            if known is not None and known.points and end <= known.points[-1][1]:
                raise _Refused(
                    bad, f"{where}: points must be written in order; {end} is not after {known.points[-1][1]}"
                )
            value = getattr(point.value, kind_of or "double_value")
            accepted.append((series, end, value, descriptor))
        for series, end, value, descriptor in accepted:
            if descriptor is None:  # a custom metric's first write creates its descriptor
                self.descriptors[series.metric_type] = (
                    series.kind,
                    series.value_type,
                    set(series.metric_labels),
                )
            self.series.setdefault(series.key(), series).points.append((end, end, value))
        return empty_pb2.Empty()

    # -- ListTimeSeries ----------------------------------------------------------------------------------

    def _list(self, request: Any) -> Any:
        bad = grpc.StatusCode.INVALID_ARGUMENT
        self._project(request.name)
        terms: dict[str, str] = {}
        for part in re.split(r"\s+AND\s+", request.filter.strip()):
            match = _TERM.match(part.strip())
            if match is None:
                raise _Refused(bad, f"filter term {part!r} is not supported by the stand-in")
            terms[match.group(1)] = match.group(2)
        if "metric.type" not in terms:
            raise _Refused(bad, "filter must name metric.type")
        if not request.interval.HasField("end_time"):
            raise _Refused(bad, "interval.end_time is required")
        end = _when(request.interval.end_time)
        start = _when(request.interval.start_time) if request.interval.HasField("start_time") else end
        aggregation = request.aggregation
        aligner = aggregation.per_series_aligner
        period = (
            aggregation.alignment_period.ToTimedelta() if aggregation.HasField("alignment_period") else None
        )
        if aggregation.cross_series_reducer:
            raise _Refused(bad, "cross-series reducers are not supported by the stand-in")
        if aligner and (period is None or period < timedelta(seconds=60)):
            raise _Refused(bad, "an aligner needs an alignment period of at least 60s")
        out = mt.ListTimeSeriesResponse.pb()()
        for series in list(self.series.values()):
            if not self._selects(series, terms):
                continue
            points = [p for p in series.points if start < p[1] <= end]
            if not points:
                continue
            ts = out.time_series.add()
            ts.metric.type = series.metric_type
            ts.metric.labels.update(series.metric_labels)
            ts.resource.type = series.resource_type
            ts.resource.labels.update(series.resource_labels)
            ts.metric_kind = series.kind if not aligner else Kind.GAUGE
            if not aligner:
                ts.value_type = series.value_type
                for p_start, p_end, value in reversed(points):  # newest first, as the service answers
                    point = ts.points.add()
                    point.interval.start_time.CopyFrom(_stamp(p_start))
                    point.interval.end_time.CopyFrom(_stamp(p_end))
                    self._value(point.value, series.value_type, value)
                continue
            assert period is not None
            buckets: dict[int, list[Any]] = {}
            for _, p_end, value in points:
                buckets.setdefault(math.floor((end - p_end) / period), []).append(value)
            for back in sorted(buckets):
                value_type, value = self._align(aligner, series, buckets[back])
                ts.value_type = value_type
                point = ts.points.add()
                point.interval.end_time.CopyFrom(_stamp(end - back * period))
                self._value(point.value, value_type, value)
        return out

    @staticmethod
    def _selects(series: Series, terms: dict[str, str]) -> bool:
        for term, want in terms.items():
            if term == "metric.type":
                got: str | None = series.metric_type
            elif term == "resource.type":
                got = series.resource_type
            elif term.startswith("resource.labels."):
                got = series.resource_labels.get(term.removeprefix("resource.labels."))
            else:
                got = series.metric_labels.get(term.removeprefix("metric.labels."))
            if got != want:
                return False
        return True

    @staticmethod
    def _align(aligner: int, series: Series, values: list[Any]) -> tuple[int, Any]:
        bad = grpc.StatusCode.INVALID_ARGUMENT
        if aligner == Aligner.ALIGN_PERCENTILE_99:
            if series.value_type != ValueType.DISTRIBUTION:
                raise _Refused(
                    bad, f"ALIGN_PERCENTILE_99 needs a distribution; {series.metric_type} is not one"
                )
            samples = sorted(v for value in values for v in value)
            if not samples:
                return ValueType.DOUBLE, 0.0
            return ValueType.DOUBLE, samples[max(0, math.ceil(0.99 * len(samples)) - 1)]
        if series.value_type == ValueType.DISTRIBUTION:
            raise _Refused(bad, f"aligner {Aligner(aligner).name} on a distribution is not supported here")
        if aligner in (Aligner.ALIGN_DELTA, Aligner.ALIGN_SUM):
            return series.value_type, sum(values)
        if aligner == Aligner.ALIGN_MAX:
            return series.value_type, max(values)
        raise _Refused(bad, f"aligner {Aligner(aligner).name} is not supported by the stand-in")

    @staticmethod
    def _value(target: Any, value_type: int, value: Any) -> None:
        if value_type == ValueType.DOUBLE:
            target.double_value = float(value)
        elif value_type == ValueType.INT64:
            target.int64_value = int(value)
        else:
            dist = distribution_pb2.Distribution(count=len(value))
            if value:
                dist.mean = sum(value) / len(value)
            target.distribution_value.CopyFrom(dist)

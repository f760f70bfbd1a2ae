"""``K8sMonitoring``: Prometheus Operator objects for the team namespace.

A ``ServiceMonitor`` per scraped app (MLflow, Feast, each serving endpoint) and one ``PrometheusRule`` with
alerts on p99 latency, the error rate and the runtime's drift share. The drift metric is the gauge the
runtime publishes with prometheus-client (``runtime/metrics/_prometheus.py``), named from the same constant,
so the alert cannot watch a metric nobody writes.
"""

from typing import TypedDict

import pulumi

from runtime.metrics._names import PROMETHEUS_PREFIX

from ..kubernetes import custom_resource, labels, metadata, name_of
from ..kubernetes.args import K8sCapabilityArgs
from ..tagging import capability_options

MONITORING = "monitoring.coreos.com/v1"
#: The runtime's drift gauge (label ``endpoint``): share of drifted columns in the window.
DRIFT_SHARE_GAUGE = f"{PROMETHEUS_PREFIX}_drift_share"
#: Request metrics of the serving pods (KServe's model servers and the Deployment fallback both publish
#: the Prometheus HTTP convention).
LATENCY_HISTOGRAM = "http_request_duration_seconds_bucket"
REQUESTS_COUNTER = "http_requests_total"


class K8sScrapeTargetArgs(TypedDict):
    app: str
    """The app's name; its Service is selected by it."""
    selector: dict[str, str]
    """Labels of the app's Service."""
    port: str | None
    """The Service port's name, or None to scrape ``target_port``."""
    target_port: int | None
    path: str


class K8sMonitoringArgs(K8sCapabilityArgs):
    targets: list[K8sScrapeTargetArgs]
    latency_p99_ms: int
    error_rate_percent: float
    drift_share_threshold: float


def alert_rules(namespace: str, latency_ms: int, error_percent: float, drift_share: float) -> list[dict]:
    """The PrometheusRule's rules for one namespace; thresholds from the spec."""
    sel = f'namespace="{namespace}"'
    return [
        {
            "alert": "MlkeelLatencyP99High",
            "expr": (
                f"histogram_quantile(0.99, sum by (le, service) (rate({LATENCY_HISTOGRAM}{{{sel}}}[5m])))"
                f" > {latency_ms / 1000:g}"
            ),
            "for": "10m",
            "labels": {"severity": "warning"},
            "annotations": {"summary": f"p99 latency of {{{{ $labels.service }}}} above {latency_ms} ms"},
        },
        {
            "alert": "MlkeelErrorRateHigh",
            "expr": (
                f'100 * sum by (service) (rate({REQUESTS_COUNTER}{{{sel},code=~"5.."}}[5m]))'
                f" / sum by (service) (rate({REQUESTS_COUNTER}{{{sel}}}[5m])) > {error_percent:g}"
            ),
            "for": "10m",
            "labels": {"severity": "critical"},
            "annotations": {
                "summary": f"more than {error_percent:g}% of requests to {{{{ $labels.service }}}} fail"
            },
        },
        {
            "alert": "MlkeelDataDrift",
            "expr": f"max by (endpoint) ({DRIFT_SHARE_GAUGE}{{{sel}}}) >= {drift_share:g}",
            "for": "0m",
            "labels": {"severity": "warning"},
            "annotations": {
                "summary": f"drift share of {{{{ $labels.endpoint }}}} at or above {drift_share:g}"
            },
        },
    ]


class K8sMonitoring(pulumi.ComponentResource):
    """ServiceMonitors for the team's apps and a PrometheusRule on latency, errors and drift."""

    rule_name: pulumi.Output[str]

    def __init__(self, name: str, args: K8sMonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:K8sMonitoring", name, None, capability_options(opts, args["tags"], "monitoring")
        )
        child = pulumi.ResourceOptions(parent=self)
        ns = args["namespace"]
        own = labels(args["tags"], "monitoring")
        for target in args["targets"]:
            endpoint: dict = {"path": target["path"], "interval": "30s", "scheme": "http"}
            if target["port"] is not None:
                endpoint["port"] = target["port"]
            else:
                endpoint["targetPort"] = target["target_port"]
            custom_resource(
                f"{name}-{target['app']}",
                MONITORING,
                "ServiceMonitor",
                metadata(target["app"], ns, own),
                {"selector": {"matchLabels": dict(target["selector"])}, "endpoints": [endpoint]},
                child,
            )
        rule = custom_resource(
            f"{name}-alerts",
            MONITORING,
            "PrometheusRule",
            metadata("mlkeel-alerts", ns, own),
            {
                "groups": [
                    {
                        "name": "mlkeel",
                        "rules": pulumi.Output.from_input(ns).apply(
                            lambda n: alert_rules(
                                n,
                                args["latency_p99_ms"],
                                args["error_rate_percent"],
                                args["drift_share_threshold"],
                            )
                        ),
                    }
                ]
            },
            child,
        )
        self.rule_name = name_of(rule)
        self.register_outputs({"rule_name": self.rule_name})

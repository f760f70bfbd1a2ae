"""``K8sSelfHealing``: the runtime's controller as a CronJob in the team namespace, locked by a Lease.

Two runs never overlap: the CronJob's ``concurrencyPolicy: Forbid`` skips a tick while a run is still
going, and the ``coordination.k8s.io`` Lease created here is the lock a controller with the Kubernetes lease
backend takes before acting (named in ``MLKEEL_LEASE_*``; a ``keel watch`` from a laptop, or a tick after a
stuck node, contends for the same lock). The pod's cloud calls go through workload identity on its service
account (EKS Pod Identity from ``EksSelfHealing``, GKE Workload Identity from ``GcpSelfHealing`` through
``service_account_annotations``); inside the cluster the account may get, update and patch the one Lease
and nothing else (the Lease exists before the first run, so no ``create``, which RBAC cannot restrict by
name). With ``pushgateway`` on, a Pushgateway and its ServiceMonitor join it, so the run's figures reach the
namespace's Prometheus rules. The pod is PSA ``restricted`` like every workload of
the layer (non-root, read-only root filesystem, no privilege escalation, all capabilities dropped,
RuntimeDefault seccomp) and writes only to a bounded ``/tmp``.
"""

import re
from typing import Any, NotRequired

import pulumi
import pulumi_kubernetes as k8s

from ..kubernetes import (
    EGRESS_HTTPS_LABEL,
    container_security_context,
    labels,
    metadata,
    pod_security_context,
    resources,
    scratch_volume,
    selector,
)
from ..kubernetes.args import K8sCapabilityArgs

# No `from __future__ import annotations` here: Pulumi's component analyzer reads these annotations at
# run time (pulumi-offline notes 1.1).

APP = "self-healing"
#: The container command (``runtime.self_healing``'s CLI entry point; exit 75 = lease held elsewhere).
COMMAND = ["python", "-m", "runtime.self_healing"]
CONFIG_VARIABLE = "MLKEEL_SELF_HEALING_CONFIG"
#: How the controller finds its lock on Kubernetes (the Lease's name and namespace).
LEASE_ENV = {
    "backend": "MLKEEL_LEASE_BACKEND",
    "name": "MLKEEL_LEASE_NAME",
    "namespace": "MLKEEL_LEASE_NAMESPACE",
}
LEASE_VERBS = ["get", "patch", "update"]
#: A run that has not finished in an hour is stopped; the next tick resumes from the recorded state.
ACTIVE_DEADLINE_SECONDS = 3600
#: The Pushgateway a run pushes its figures to (a CronJob's pod lives too briefly to be scraped), in the
#: same namespace so the namespace's PrometheusRule (``namespace="<ns>"``) sees the drift gauge.
PUSHGATEWAY_APP = "self-healing-pushgateway"
PUSHGATEWAY_IMAGE = "quay.io/prometheus/pushgateway:v1.11.0"
PUSHGATEWAY_PORT = 9091
MONITORING_API = "monitoring.coreos.com/v1"

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_DAYS = {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}


def cron_schedule(expression: str) -> str:
    """A Kubernetes (5-field) cron schedule for an EventBridge Scheduler expression.

    ``rate(N minutes)`` needs N dividing 60, ``rate(N hours)`` N dividing 24 (otherwise the ticks would not
    be evenly spaced); ``cron(min hour day month weekday year)`` drops the year and ``?``, and moves AWS's
    weekday numbers (1 = Sunday) to cron's (0 = Sunday). ``L``, ``W`` and ``#`` have no cron equivalent.
    """
    rate = _RATE.match(expression.strip())
    if rate:
        n, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        limit = {"minute": 60, "hour": 24, "day": 31}[unit]
        if n < 1 or (unit != "day" and limit % n) or n > limit:
            raise ValueError(
                f"schedule {expression!r}: on Kubernetes rate({n} {rate.group(2)}) must divide {limit} "
                "evenly; use a cron(...) expression instead"
            )
        if unit == "minute":
            return "* * * * *" if n == 1 else f"*/{n} * * * *"
        if unit == "hour":
            return "0 * * * *" if n == 1 else f"0 */{n} * * *"
        return "0 0 * * *" if n == 1 else f"0 0 */{n} * *"
    cron = _CRON.match(expression.strip())
    if not cron:
        raise ValueError(f"schedule {expression!r}: expected rate(N minutes|hours|days) or cron(...)")
    fields = cron.group(1).split()
    if len(fields) != 6:
        raise ValueError(f"schedule {expression!r}: an EventBridge cron has 6 fields, found {len(fields)}")
    minute, hour, day, month, weekday, _year = fields
    if any(c in f for f in fields for c in "LW#"):
        raise ValueError(f"schedule {expression!r}: L, W and # have no Kubernetes cron equivalent")

    def weekday_field(value: str) -> str:
        return re.sub(r"\d+", lambda m: str((int(m.group()) - 1) % 7), value)

    day = "*" if day == "?" else day
    weekday = "*" if weekday == "?" else weekday_field(weekday)
    return " ".join([minute, hour, day, month, weekday])


def pushgateway_url(namespace: pulumi.Input[str]) -> pulumi.Output[str]:
    """The in-cluster address of the namespace's Pushgateway (the controller's ``pushgateway_url``)."""
    return pulumi.Output.concat("http://", PUSHGATEWAY_APP, ".", namespace, f".svc:{PUSHGATEWAY_PORT}")


def service_account_name(prefix: str) -> str:
    """The pods' Kubernetes service account: fixed, so a cloud identity can name it before it exists."""
    return f"{prefix}-{APP}"


class K8sSelfHealingArgs(K8sCapabilityArgs):
    """Inputs of :class:`K8sSelfHealing`."""

    image: pulumi.Input[str]
    """The runtime image, pinned (a release tag or a digest), e.g. the stack registry's self-healing tag."""
    schedule: str
    """The spec's ``selfHealing.schedule`` (EventBridge form; converted by :func:`cron_schedule`)."""
    config: pulumi.Input[str]
    """The controller's configuration document (JSON), as on AWS."""
    cpu_millis: NotRequired[int]
    memory_mib: NotRequired[int]
    service_account_annotations: NotRequired[dict[str, pulumi.Input[str]]]
    """Workload identity of the pod's cloud calls (IRSA role ARN, GKE service account), never a key."""
    pushgateway: NotRequired[bool]
    """Also run a Pushgateway in the namespace and a ServiceMonitor on it (``honorLabels``), so the run's
    figures reach Prometheus; needs the Prometheus Operator. The config must then carry
    :func:`pushgateway_url`."""


class K8sSelfHealing(pulumi.ComponentResource):
    """ServiceAccount, a Role on one Lease, the Lease, the configuration and the CronJob."""

    cron_job_name: pulumi.Output[str]
    lease_name: pulumi.Output[str]

    def __init__(self, name: str, args: K8sSelfHealingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("mlkeel:index:K8sSelfHealing", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = args["namespace"]
        # The cost tag `component` is a closed list: the loop is model monitoring that acts (as on AWS).
        tags = labels(args["tags"], "monitoring", APP)
        object_name = service_account_name(args["prefix"])
        lease_name = f"{object_name}-lease"

        account = k8s.core.v1.ServiceAccount(
            f"{name}-account",
            metadata=metadata(object_name, namespace, tags, args.get("service_account_annotations")),
            automount_service_account_token=True,  # the pod renews its Lease through the API
            opts=child,
        )
        lease = k8s.coordination.v1.Lease(
            f"{name}-lease",
            metadata=metadata(lease_name, namespace, tags),
            spec=k8s.coordination.v1.LeaseSpecArgs(lease_duration_seconds=ACTIVE_DEADLINE_SECONDS),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["spec"]),  # the controller writes it
        )
        role = k8s.rbac.v1.Role(
            f"{name}-role",
            metadata=metadata(object_name, namespace, tags),
            rules=[
                k8s.rbac.v1.PolicyRuleArgs(
                    api_groups=["coordination.k8s.io"],
                    resources=["leases"],
                    resource_names=[lease_name],
                    verbs=LEASE_VERBS,
                )
            ],
            opts=child,
        )
        k8s.rbac.v1.RoleBinding(
            f"{name}-binding",
            metadata=metadata(object_name, namespace, tags),
            role_ref=k8s.rbac.v1.RoleRefArgs(
                api_group="rbac.authorization.k8s.io", kind="Role", name=object_name
            ),
            subjects=[k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=object_name, namespace=namespace)],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role, account]),
        )
        config = k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata=metadata(object_name, namespace, tags),
            data={"config.json": args["config"]},
            opts=child,
        )
        pod_labels = {**tags, EGRESS_HTTPS_LABEL: "true"}
        container: dict[str, Any] = {
            "name": APP,
            "image": args["image"],
            "imagePullPolicy": "IfNotPresent",
            "command": COMMAND,
            "env": [
                {
                    "name": CONFIG_VARIABLE,
                    "valueFrom": {"configMapKeyRef": {"name": object_name, "key": "config.json"}},
                },
                {"name": LEASE_ENV["backend"], "value": "kubernetes"},
                {"name": LEASE_ENV["name"], "value": lease_name},
                {
                    "name": LEASE_ENV["namespace"],
                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                },
            ],
            "resources": resources(args.get("cpu_millis", 500), args.get("memory_mib", 1024)),
            "securityContext": container_security_context(),
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        }
        # A plain dict like the other manifests: kubernetes-validate (strict OpenAPI) checks its shape.
        cron_spec: dict[str, Any] = {
            "schedule": cron_schedule(args["schedule"]),
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 300,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "metadata": {"labels": pod_labels},
                "spec": {
                    "backoffLimit": 0,
                    "activeDeadlineSeconds": ACTIVE_DEADLINE_SECONDS,
                    "ttlSecondsAfterFinished": 86400,
                    "template": {
                        "metadata": {"labels": {**pod_labels, **selector(APP)}},
                        "spec": {
                            "serviceAccountName": object_name,
                            "automountServiceAccountToken": True,
                            "restartPolicy": "Never",
                            "securityContext": pod_security_context(),
                            "containers": [container],
                            "volumes": [scratch_volume("tmp", 1024)],
                        },
                    },
                },
            },
        }
        cron_job = k8s.batch.v1.CronJob(
            f"{name}-cronjob",
            metadata=metadata(object_name, namespace, tags),
            spec=cron_spec,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account, config, lease]),
        )
        if args.get("pushgateway"):
            self._pushgateway(name, namespace, tags)
        # Names are fixed (no auto-naming), so the outputs wait for the objects but need not read them back.
        self.cron_job_name = cron_job.id.apply(lambda _: object_name)
        self.lease_name = lease.id.apply(lambda _: lease_name)
        self.register_outputs({"cron_job_name": self.cron_job_name, "lease_name": self.lease_name})

    def _pushgateway(self, name: str, namespace: pulumi.Input[str], tags: dict[str, str]) -> None:
        """A Pushgateway (one replica, restricted pod, no token, no volume: a restart loses only figures the
        next run pushes again), its Service, and a ServiceMonitor keeping the pushed labels (``honorLabels``)
        so each figure keeps its ``stack`` and ``endpoint`` and gains the namespace of the target."""
        from ..kubernetes import custom_resource
        from ..kubernetes._workloads import container, deployment, pod_template, service

        child = pulumi.ResourceOptions(parent=self)
        app = PUSHGATEWAY_APP
        own = labels(dict(tags), "monitoring", app)
        account = k8s.core.v1.ServiceAccount(
            f"{name}-pushgateway-account",
            metadata=metadata(app, namespace, own),
            automount_service_account_token=False,
            opts=child,
        )
        template = pod_template(
            app,
            {**own, **selector(app)},
            [
                container(
                    "pushgateway",
                    PUSHGATEWAY_IMAGE,
                    cpu_millis=100,
                    memory_mib=128,
                    args=[f"--web.listen-address=:{PUSHGATEWAY_PORT}"],
                    port=PUSHGATEWAY_PORT,
                    probe_path="/-/ready",
                )
            ],
            app,
            metrics=True,
        )
        deployment(
            f"{name}-pushgateway",
            app,
            namespace,
            own,
            template,
            1,
            pulumi.ResourceOptions(parent=self, depends_on=[account]),
        )
        service(f"{name}-pushgateway-service", app, namespace, own, PUSHGATEWAY_PORT, child)
        custom_resource(
            f"{name}-pushgateway-monitor",
            MONITORING_API,
            "ServiceMonitor",
            metadata(app, namespace, own),
            {
                "selector": {"matchLabels": selector(app)},
                "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s", "honorLabels": True}],
            },
            child,
        )

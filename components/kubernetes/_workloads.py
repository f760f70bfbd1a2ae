"""Workload builders shared by the Kubernetes capabilities: one restricted pod shape for every Deployment
and StatefulSet, so the security properties cannot differ between MLflow, Feast, Redis and serving."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from . import (
    EGRESS_HTTPS_LABEL,
    METRICS_LABEL,
    container_security_context,
    metadata,
    pod_security_context,
    resources,
    scratch_volume,
    selector,
)


def container(
    name: str,
    image: str,
    *,
    cpu_millis: int,
    memory_mib: int,
    gpus: int = 0,
    args: Sequence[str] | None = None,
    command: Sequence[str] | None = None,
    env: Sequence[Mapping[str, Any]] = (),
    port: int | None = None,
    mounts: Sequence[Mapping[str, Any]] = (),
    probe_path: str | None = None,
) -> dict[str, Any]:
    """A container with requests = limits, the restricted security context and a writable ``/tmp``."""
    out: dict[str, Any] = {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "resources": resources(cpu_millis, memory_mib, gpus),
        "securityContext": container_security_context(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, *[dict(m) for m in mounts]],
    }
    if command:
        out["command"] = list(command)
    if args:
        out["args"] = list(args)
    if env:
        out["env"] = [dict(e) for e in env]
    if port is not None:
        out["ports"] = [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        probe: dict[str, Any] = (
            {"httpGet": {"path": probe_path, "port": "http"}}
            if probe_path
            else {"tcpSocket": {"port": "http"}}
        )
        out["readinessProbe"] = {**probe, "periodSeconds": 10}
        out["livenessProbe"] = {**probe, "periodSeconds": 20, "initialDelaySeconds": 30}
    return out


def pod_template(
    app: str,
    pod_labels: Mapping[str, str],
    containers: Sequence[Mapping[str, Any]],
    service_account: pulumi.Input[str],
    *,
    volumes: Sequence[Mapping[str, Any]] = (),
    egress_https: bool = False,
    metrics: bool = False,
    run_as_user: int = 65532,
    automount_token: bool = False,
    extra_labels: Mapping[str, str] | None = None,
    node_selector: Mapping[str, str] | None = None,
    tolerations: Sequence[Mapping[str, Any]] = (),
    priority_class: str | None = None,
) -> dict[str, Any]:
    """A pod template: cost labels, the allowances' labels, restricted security, no token unless asked."""
    all_labels = {**pod_labels, **(extra_labels or {})}
    if egress_https:
        all_labels[EGRESS_HTTPS_LABEL] = "true"
    if metrics:
        all_labels[METRICS_LABEL] = "true"
    spec: dict[str, Any] = {
        "serviceAccountName": service_account,
        "automountServiceAccountToken": automount_token,
        "securityContext": pod_security_context(run_as_user),
        "containers": [dict(c) for c in containers],
        "volumes": [scratch_volume(), *[dict(v) for v in volumes]],
    }
    if node_selector:
        spec["nodeSelector"] = dict(node_selector)
    if tolerations:
        spec["tolerations"] = [dict(t) for t in tolerations]
    if priority_class:
        spec["priorityClassName"] = priority_class
    return {"metadata": {"labels": all_labels}, "spec": spec}


def deployment(
    resource_name: str,
    app: str,
    namespace: pulumi.Input[str],
    object_labels: Mapping[str, str],
    template: Mapping[str, Any],
    replicas: int,
    opts: pulumi.ResourceOptions,
) -> k8s.apps.v1.Deployment:
    return k8s.apps.v1.Deployment(
        resource_name,
        metadata=metadata(app, namespace, object_labels),
        spec=cast(
            Any,
            {"replicas": replicas, "selector": {"matchLabels": selector(app)}, "template": dict(template)},
        ),
        opts=opts,
    )


def stateful_set(
    resource_name: str,
    app: str,
    namespace: pulumi.Input[str],
    object_labels: Mapping[str, str],
    template: Mapping[str, Any],
    storage: str,
    opts: pulumi.ResourceOptions,
    *,
    mount: str = "data",
) -> k8s.apps.v1.StatefulSet:
    """One replica with its own ReadWriteOnce volume (the databases behind MLflow and Feast).

    The volume claim carries the cost labels too: a disk nobody can attribute is what finance asks about.
    """
    return k8s.apps.v1.StatefulSet(
        resource_name,
        metadata=metadata(app, namespace, object_labels),
        spec=cast(
            Any,
            {
                "serviceName": app,
                "replicas": 1,
                "selector": {"matchLabels": selector(app)},
                "template": dict(template),
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": mount, "labels": dict(object_labels)},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": storage}},
                        },
                    }
                ],
            },
        ),
        opts=opts,
    )


def service(
    resource_name: str,
    app: str,
    namespace: pulumi.Input[str],
    object_labels: Mapping[str, str],
    port: int,
    opts: pulumi.ResourceOptions,
    *,
    headless: bool = False,
) -> k8s.core.v1.Service:
    """A ClusterIP Service (never LoadBalancer or NodePort: the quota forbids both)."""
    spec: dict[str, Any] = {
        "type": "ClusterIP",
        "selector": selector(app),
        "ports": [{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}],
    }
    if headless:
        spec["clusterIP"] = "None"
    return k8s.core.v1.Service(
        resource_name, metadata=metadata(app, namespace, object_labels), spec=cast(Any, spec), opts=opts
    )


def disruption_budget(
    resource_name: str,
    app: str,
    namespace: pulumi.Input[str],
    object_labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> k8s.policy.v1.PodDisruptionBudget:
    """At most one pod of the app down at a time during node drains (spot reclaims, upgrades)."""
    return k8s.policy.v1.PodDisruptionBudget(
        resource_name,
        metadata=metadata(app, namespace, object_labels),
        spec=cast(Any, {"maxUnavailable": 1, "selector": {"matchLabels": selector(app)}}),
        opts=opts,
    )

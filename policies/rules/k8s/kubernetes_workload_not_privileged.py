"""MLK_K8S_001: Kubernetes workloads run unprivileged."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, dig, truthy
from .._frameworks import AC6
from .._tokens import KUBERNETES_WORKLOADS
from ._pods import containers, pod_spec_path


class KubernetesWorkloadNotPrivileged(ResourceRule):
    meta = RuleMeta(
        id="MLK_K8S_001",
        name="kubernetes-workload-not-privileged",
        title="Ensure Kubernetes workloads run unprivileged",
        description="Pods of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs and Pods use "
        "no host network/PID/IPC, and no container is `privileged` or allows privilege escalation.",
        why="A privileged training container owns the node and every other team's pods on it.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            (
                "kubernetes:apps/v1:{Deployment,StatefulSet,DaemonSet,ReplicaSet}, "
                "kubernetes:batch/v1:{Job,CronJob}, kubernetes:core/v1:Pod"
            ): (
                "pod spec hostNetwork/hostPID/hostIPC, "
                "containers[].securityContext.{privileged,allowPrivilegeEscalation}"
            )
        },
        frameworks=(AC6,),
        remediation="Drop privileged/hostNetwork; set allowPrivilegeEscalation=false. GPU access needs only "
        "the device plugin's nvidia.com/gpu resource.",
    )
    types = KUBERNETES_WORKLOADS

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        spec = resource.get(pod_spec_path(resource.type))
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            if truthy(dig(spec, flag, False)):
                yield f"pod spec {flag} must be false or unset (found True)."
        for where, container in containers(resource):
            if truthy(dig(container, "securityContext.privileged", False)):
                yield f"{where} securityContext.privileged must be false or unset (found True)."
            if truthy(dig(container, "securityContext.allowPrivilegeEscalation", False)):
                yield f"{where} securityContext.allowPrivilegeEscalation must be false or unset (found True)."

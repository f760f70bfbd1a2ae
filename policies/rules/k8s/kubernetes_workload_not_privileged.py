"""MLK_K8S_001: Kubernetes workloads run unprivileged and share nothing with their node."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig, truthy
from .._frameworks import AC6
from ._pods import POD_OWNERS, cis_k8s, pods

#: The one capability the Pod Security "restricted" profile lets a container add.
ALLOWED_ADDED_CAPABILITIES = ("NET_BIND_SERVICE",)


class KubernetesWorkloadNotPrivileged(ResourceRule):
    meta = RuleMeta(
        id="MLK_K8S_001",
        name="kubernetes-workload-not-privileged",
        title="Ensure Kubernetes workloads run unprivileged",
        description="Pods of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, Pods and "
        "KServe InferenceServices use no host network/PID/IPC, no hostPath volume and no host port; no "
        "container is `privileged`, allows privilege escalation or adds a capability other than "
        "NET_BIND_SERVICE.",
        why="A privileged training container owns the node and every other team's pods on it; a hostPath "
        "(the container runtime's socket, the kubelet's credentials) or a host namespace is the same door.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            (
                "kubernetes:apps/v1:{Deployment,StatefulSet,DaemonSet,ReplicaSet}, "
                "kubernetes:batch/v1:{Job,CronJob}, kubernetes:core/v1:Pod, "
                "kubernetes:serving.kserve.io/v1beta1:InferenceService"
            ): (
                "pod spec hostNetwork/hostPID/hostIPC, volumes[].hostPath, containers[].ports[].hostPort, "
                "containers[].securityContext.{privileged,allowPrivilegeEscalation,capabilities.add}"
            )
        },
        frameworks=(
            AC6,
            cis_k8s("5.2.2", "Minimize the admission of privileged containers"),
            cis_k8s("5.2.3-5.2.5", "Minimize the admission of containers sharing host PID, IPC or network"),
            cis_k8s("5.2.6", "Minimize the admission of containers with allowPrivilegeEscalation"),
            cis_k8s("5.2.9", "Minimize the admission of containers with added capabilities"),
            cis_k8s("5.2.12", "Minimize the admission of HostPath volumes"),
            cis_k8s("5.2.13", "Minimize the admission of containers which use HostPorts"),
        ),
        remediation="Drop privileged/hostNetwork/hostPath/hostPort and added capabilities; set "
        "allowPrivilegeEscalation=false. GPU access needs only the device plugin's nvidia.com/gpu resource; "
        "data comes from the bucket or a PersistentVolumeClaim, not the node's disk.",
    )
    types = POD_OWNERS

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        for pod in pods(resource):
            for flag in ("hostNetwork", "hostPID", "hostIPC"):
                if truthy(dig(pod.spec, flag, False)):
                    yield f"{pod.where} {flag} must be false or unset (found True)."
            for volume in as_list(dig(pod.spec, "volumes")):
                if dig(volume, "hostPath") is not None:
                    yield (
                        f"{pod.where} volume {dig(volume, 'name', '?')} must not be a hostPath "
                        f"(found {dig(volume, 'hostPath.path', '?')!r})."
                    )
            for where, container in pod.containers:
                if truthy(dig(container, "securityContext.privileged", False)):
                    yield f"{where} securityContext.privileged must be false or unset (found True)."
                if truthy(dig(container, "securityContext.allowPrivilegeEscalation", False)):
                    yield (
                        f"{where} securityContext.allowPrivilegeEscalation must be false or unset "
                        "(found True)."
                    )
                added = [str(c) for c in as_list(dig(container, "securityContext.capabilities.add"))]
                extra = [c for c in added if c.upper().removeprefix("CAP_") not in ALLOWED_ADDED_CAPABILITIES]
                if extra:
                    yield (
                        f"{where} securityContext.capabilities.add may hold only "
                        f"{', '.join(ALLOWED_ADDED_CAPABILITIES)} (found {', '.join(extra)})."
                    )
                for port in as_list(dig(container, "ports")):
                    if dig(port, "hostPort") not in (None, 0):
                        yield f"{where} ports must not set hostPort (found {dig(port, 'hostPort')})."

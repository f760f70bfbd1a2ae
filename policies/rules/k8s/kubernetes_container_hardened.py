"""MLK_K8S_003: Kubernetes containers run as non-root on a read-only filesystem, without capabilities,
under the runtime's seccomp profile."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig, truthy
from .._frameworks import AC6
from ._pods import POD_OWNERS, cis_k8s, pods

SECCOMP_PROFILES = ("RuntimeDefault", "Localhost")


def _effective(container: Mapping[str, Any], pod_spec: Mapping[str, Any], key: str) -> Any:
    """A setting the container's securityContext may override from the pod's (as the kubelet reads it)."""
    own = dig(container, f"securityContext.{key}")
    return own if own is not None else dig(pod_spec, f"securityContext.{key}")


class KubernetesContainerHardened(ResourceRule):
    meta = RuleMeta(
        id="MLK_K8S_003",
        name="kubernetes-container-hardened",
        title="Ensure Kubernetes containers run as non-root, read-only, without capabilities, under seccomp",
        description="Every container of the workloads MLK_K8S_001 judges has (itself or from its pod) "
        "`runAsNonRoot: true` and no `runAsUser: 0`, `readOnlyRootFilesystem: true`, `capabilities.drop` "
        "holding ALL, and a `seccompProfile` of type RuntimeDefault or Localhost: the Pod Security "
        "'restricted' profile, which the team namespaces enforce.",
        why="A root process in a writable container with the default capabilities is one kernel or runtime "
        "bug away from the node; the restricted profile closes the common escape paths, and the admission "
        "controller would refuse the pods at apply time anyway, long after the plan said yes.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "Kubernetes workloads (as MLK_K8S_001)": (
                "containers[].securityContext.{runAsNonRoot,runAsUser,readOnlyRootFilesystem,capabilities.drop,"
                "seccompProfile.type}, falling back to the pod's securityContext where Kubernetes does"
            )
        },
        frameworks=(
            AC6,
            cis_k8s("5.2.7", "Minimize the admission of root containers"),
            cis_k8s("5.2.8", "Minimize the admission of containers with the NET_RAW capability"),
            cis_k8s("5.2.10", "Minimize the admission of containers with capabilities assigned"),
            cis_k8s(
                "5.7.2", "Ensure that the seccomp profile is set to docker/default in your pod definitions"
            ),
            cis_k8s("5.7.3", "Apply Security Context to Your Pods and Containers"),
        ),
        remediation="Set runAsNonRoot: true (and a non-zero runAsUser), readOnlyRootFilesystem: true with an "
        "emptyDir for scratch space, capabilities.drop: [ALL] and seccompProfile.type: RuntimeDefault.",
    )
    types = POD_OWNERS

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        for pod in pods(resource):
            for where, container in pod.containers:
                non_root = _effective(container, pod.spec, "runAsNonRoot")
                if non_root is None or not truthy(non_root):
                    yield f"{where} securityContext.runAsNonRoot must be true (found {non_root!r})."
                user = _effective(container, pod.spec, "runAsUser")
                if user is not None and not isinstance(user, bool) and str(user) in ("0", "0.0"):
                    yield f"{where} securityContext.runAsUser must not be 0 (found 0)."
                read_only = dig(container, "securityContext.readOnlyRootFilesystem")
                if read_only is None or not truthy(read_only):
                    yield (
                        f"{where} securityContext.readOnlyRootFilesystem must be true (found {read_only!r})."
                    )
                dropped = [
                    str(c).upper() for c in as_list(dig(container, "securityContext.capabilities.drop"))
                ]
                if "ALL" not in dropped:
                    yield (
                        f"{where} securityContext.capabilities.drop must include ALL "
                        f"(found {dropped or 'none'})."
                    )
                seccomp = _effective(container, pod.spec, "seccompProfile.type")
                if seccomp not in SECCOMP_PROFILES:
                    yield (
                        f"{where} seccompProfile.type (container or pod securityContext) must be one of "
                        f"{', '.join(SECCOMP_PROFILES)} (found {seccomp!r})."
                    )

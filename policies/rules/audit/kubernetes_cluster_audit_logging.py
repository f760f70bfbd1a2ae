"""MLK_AUDIT_002: Kubernetes control planes send API and audit logs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list
from .._frameworks import AU2
from .._tokens import EKS_CLUSTER, GKE_CLUSTER

REQUIRED_EKS = ("api", "audit", "authenticator")


class KubernetesClusterAuditLogging(ResourceRule):
    meta = RuleMeta(
        id="MLK_AUDIT_002",
        name="kubernetes-cluster-audit-logging",
        title="Ensure Kubernetes control planes send API and audit logs",
        description="EKS `enabledClusterLogTypes` ⊇ {api, audit, authenticator}; GKE `loggingService` is not "
        "'none' and `loggingConfig.enableComponents`, when set, includes SYSTEM_COMPONENTS or APISERVER.",
        why="Control-plane audit logs show who exec'd into a training pod or read a secret.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            EKS_CLUSTER: "enabledClusterLogTypes",
            GKE_CLUSTER: "loggingService, loggingConfig.enableComponents",
        },
        frameworks=(AU2,),
        remediation="EKS: enabledClusterLogTypes=['api','audit','authenticator']; "
        "GKE: keep Cloud Logging on.",
    )
    types = frozenset({EKS_CLUSTER, GKE_CLUSTER})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type == EKS_CLUSTER:
            enabled = {str(t) for t in as_list(resource.get("enabledClusterLogTypes"))}
            missing = [t for t in REQUIRED_EKS if t not in enabled]
            if missing:
                yield (
                    f"Cluster enabledClusterLogTypes must include {', '.join(missing)} "
                    f"(found {sorted(enabled) or 'none'})."
                )
            return
        service = resource.get("loggingService")
        if service == "none":
            yield "Cluster loggingService must not be 'none'."
        components = [str(c) for c in as_list(resource.get("loggingConfig.enableComponents"))]
        if resource.get("loggingConfig") and not {"SYSTEM_COMPONENTS", "APISERVER"} & set(components):
            yield (
                "Cluster loggingConfig.enableComponents must include SYSTEM_COMPONENTS or APISERVER "
                f"(found {components})."
            )

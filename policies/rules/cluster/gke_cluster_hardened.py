"""MLK_CLUSTER_002: GKE control planes stay supported, verified, observable and VPC-native."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, truthy
from .._frameworks import SI12, nist
from .._tokens import GKE_CLUSTER

SI7 = nist("SI-7", "Software, firmware, and information integrity")
SI2 = nist("SI-2", "Flaw remediation")

ENFORCING = frozenset({"PROJECT_SINGLETON_POLICY_ENFORCE", "POLICY_BINDINGS",
                       "POLICY_BINDINGS_AND_PROJECT_SINGLETON_POLICY_ENFORCE"})  # fmt: skip


class GkeClusterHardened(ResourceRule):
    meta = RuleMeta(
        id="MLK_CLUSTER_002",
        name="gke-cluster-hardened",
        title="Ensure GKE clusters use a release channel, Binary Authorization, VPC-native networking and "
        "monitoring, with alpha features off",
        description="`gcp:container/cluster:Cluster` sets `releaseChannel.channel` (not `UNSPECIFIED`), "
        "`binaryAuthorization.evaluationMode` to an enforcing mode, `ipAllocationPolicy` (VPC-native alias "
        "IPs), `enableIntranodeVisibility`; it does not set `enableKubernetesAlpha`, nor "
        "`monitoringService` `none`.",
        why="A release channel keeps the control plane patched; Binary Authorization admits only images the "
        "project's policy trusts; alias IPs and intranode visibility put pod traffic under firewall rules "
        "and flow logs; alpha clusters get no security patches and are deleted after 30 days.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            GKE_CLUSTER: "releaseChannel.channel, binaryAuthorization.evaluationMode, ipAllocationPolicy, "
            "enableIntranodeVisibility, enableKubernetesAlpha, monitoringService"
        },
        frameworks=(SI2, SI7, SI12),
        remediation="Plan the cluster with the training capability: it sets all of these.",
    )
    types = frozenset({GKE_CLUSTER})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        channel = resource.get("releaseChannel.channel")
        if channel in (None, "", "UNSPECIFIED"):
            yield f"Cluster releaseChannel.channel must be set (found {channel!r})."
        mode = resource.get("binaryAuthorization.evaluationMode")
        if mode not in ENFORCING and not truthy(resource.get("binaryAuthorization.enabled", False)):
            yield f"Cluster binaryAuthorization.evaluationMode must enforce a policy (found {mode!r})."
        if not resource.get("ipAllocationPolicy"):
            yield "Cluster ipAllocationPolicy must be set: VPC-native alias IPs (found none)."
        if not truthy(resource.get("enableIntranodeVisibility", False)):
            yield "Cluster enableIntranodeVisibility must be true (found it unset or false)."
        if truthy(resource.get("enableKubernetesAlpha", False)):
            yield "Cluster enableKubernetesAlpha must be false (found true)."
        if resource.get("monitoringService") == "none":
            yield "Cluster monitoringService must not be 'none' (found it)."

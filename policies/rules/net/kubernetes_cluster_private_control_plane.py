"""MLK_NET_001: Kubernetes control planes are not open to the internet."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig, truthy
from .._frameworks import SC7
from .._tokens import EKS_CLUSTER, GKE_CLUSTER

OPEN_CIDRS = ("0.0.0.0/0", "::/0")


class KubernetesClusterPrivateControlPlane(ResourceRule):
    meta = RuleMeta(
        id="MLK_NET_001",
        name="kubernetes-cluster-private-control-plane",
        title="Ensure Kubernetes control planes and nodes are not exposed to the internet",
        description="EKS: `vpcConfig.endpointPublicAccess` false, or public access limited by "
        "`publicAccessCidrs` without 0.0.0.0/0 or ::/0 (unset means open). GKE: private nodes, and either a "
        "private endpoint or master authorized networks without 0.0.0.0/0.",
        why="An API server reachable from anywhere is one leaked kubeconfig away from every training job and "
        "secret in the cluster.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            EKS_CLUSTER: "vpcConfig.endpointPublicAccess, vpcConfig.publicAccessCidrs",
            GKE_CLUSTER: "privateClusterConfig.{enablePrivateNodes,enablePrivateEndpoint}, "
            "masterAuthorizedNetworksConfig.cidrBlocks[].cidrBlock",
        },
        frameworks=(SC7,),
        remediation="EKS: endpointPublicAccess=False, endpointPrivateAccess=True. GKE: "
        "privateClusterConfig={enablePrivateNodes:True, enablePrivateEndpoint:True}.",
    )
    types = frozenset({EKS_CLUSTER, GKE_CLUSTER})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type == EKS_CLUSTER:
            public = resource.get("vpcConfig.endpointPublicAccess")
            if public is None or truthy(public):
                cidrs = [str(c) for c in as_list(resource.get("vpcConfig.publicAccessCidrs"))]
                if not cidrs or any(c in OPEN_CIDRS for c in cidrs):
                    yield (
                        "Cluster vpcConfig.endpointPublicAccess must be false, "
                        f"or publicAccessCidrs must exclude {' and '.join(OPEN_CIDRS)} "
                        f"(found public access from {cidrs or ['0.0.0.0/0 (default)']})."
                    )
            return
        if not truthy(resource.get("privateClusterConfig.enablePrivateNodes", False)):
            yield "Cluster privateClusterConfig.enablePrivateNodes must be true (found it unset or false)."
        if not truthy(resource.get("privateClusterConfig.enablePrivateEndpoint", False)):
            blocks = as_list(resource.get("masterAuthorizedNetworksConfig.cidrBlocks"))
            cidrs = [str(dig(b, "cidrBlock")) for b in blocks]
            if not resource.get("masterAuthorizedNetworksConfig") or any(c in OPEN_CIDRS for c in cidrs):
                yield (
                    "Cluster privateClusterConfig.enablePrivateEndpoint must be true, or "
                    "masterAuthorizedNetworksConfig must list networks other than 0.0.0.0/0 "
                    f"(found {cidrs or 'no authorized networks'})."
                )

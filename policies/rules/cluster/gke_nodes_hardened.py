"""MLK_CLUSTER_001: GKE nodes boot verified images, hide the node's metadata and heal themselves."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, dig, truthy
from .._frameworks import nist
from .._tokens import GKE_CLUSTER, GKE_NODE_POOL

SI7 = nist("SI-7", "Software, firmware, and information integrity")
CM6 = nist("CM-6", "Configuration settings")


def _off(value: Any) -> bool:
    """Explicitly false (these settings default to on)."""
    return value is not None and not truthy(value)


class GkeNodesHardened(ResourceRule):
    meta = RuleMeta(
        id="MLK_CLUSTER_001",
        name="gke-nodes-hardened",
        title="Ensure GKE nodes use Secure Boot, integrity monitoring, the GKE metadata server and "
        "auto-repair/upgrade",
        description="Node pools (and a cluster's own `nodeConfig`, unless it removes the default pool and "
        "declares none) set `nodeConfig.shieldedInstanceConfig.enableSecureBoot`, do not turn "
        "`enableIntegrityMonitoring` off, and set `nodeConfig.workloadMetadataConfig.mode` `GKE_METADATA`; "
        "node pools do not turn `management.autoRepair` or `management.autoUpgrade` off; clusters do not "
        "turn `enableShieldedNodes` off.",
        why="Shielded nodes with Secure Boot refuse tampered boot chains; without the GKE metadata server "
        "every pod can read the node's service account token; nodes that do not repair and upgrade drift "
        "into known vulnerabilities.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            GKE_NODE_POOL: "nodeConfig.{shieldedInstanceConfig,workloadMetadataConfig.mode}, "
            "management.{autoRepair,autoUpgrade}",
            GKE_CLUSTER: "enableShieldedNodes, nodeConfig (as node pools), removeDefaultNodePool",
        },
        frameworks=(SI7, CM6),
        remediation="Plan node pools with the training capability: it sets shielded, GKE_METADATA nodes with "
        "auto-repair and auto-upgrade.",
    )
    types = frozenset({GKE_CLUSTER, GKE_NODE_POOL})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        kind = resource.type.rsplit(":", 1)[-1]
        node_config = resource.get("nodeConfig")
        if resource.type == GKE_CLUSTER:
            if _off(resource.get("enableShieldedNodes")):
                yield "Cluster enableShieldedNodes must not be false (found false)."
            if not node_config and truthy(resource.get("removeDefaultNodePool", False)):
                return
        else:
            for setting in ("autoRepair", "autoUpgrade"):
                if _off(resource.get(f"management.{setting}")):
                    yield f"NodePool management.{setting} must not be false (found false)."
        node_config = node_config or {}
        if not truthy(dig(node_config, "shieldedInstanceConfig.enableSecureBoot", False)):
            yield f"{kind} nodeConfig.shieldedInstanceConfig.enableSecureBoot must be true (found it off)."
        if _off(dig(node_config, "shieldedInstanceConfig.enableIntegrityMonitoring")):
            yield f"{kind} nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring must not be false."
        mode = dig(node_config, "workloadMetadataConfig.mode")
        if mode != "GKE_METADATA":
            yield f"{kind} nodeConfig.workloadMetadataConfig.mode must be 'GKE_METADATA' (found {mode!r})."

"""MLK_SPOT_003: training node pools run on spot capacity with diversified instance types."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, truthy
from .._tokens import EKS_NODE_GROUP, GKE_NODE_POOL


class TrainingNodePoolsSpot(ResourceRule):
    meta = RuleMeta(
        id="MLK_SPOT_003",
        name="training-node-pools-spot",
        title="Ensure training node pools use spot capacity with diversified instance types",
        description="Node pools whose effective `component` tag (EKS) or node labels (GKE "
        "`nodeConfig.labels` / `resourceLabels`) say `training`: EKS `capacityType` SPOT with at least "
        "`minInstanceTypes` instance types; GKE `nodeConfig.spot` (or `preemptible`) true.",
        why="Training is interruptible and checkpointed; spot pools cut its compute bill, and several "
        "instance types keep capacity available when one pool is reclaimed.",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        resources={
            EKS_NODE_GROUP: "tags.component, capacityType, instanceTypes",
            GKE_NODE_POOL: (
                "nodeConfig.{labels,resourceLabels}.component, nodeConfig.spot, nodeConfig.preemptible"
            ),
        },
        config={
            "minInstanceTypes": {
                "type": "integer",
                "minimum": 1,
                "default": 2,
                "description": "Fewest instance types an EKS spot training node group lists.",
            },
            "trainingComponents": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["training"],
                "description": "component tag values that mark a training pool.",
            },
        },
        remediation="capacityType='SPOT' with two or more instance types (EKS); nodeConfig.spot=True (GKE).",
    )
    types = frozenset({EKS_NODE_GROUP, GKE_NODE_POOL})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type == EKS_NODE_GROUP:
            if resource.effective_tags().get("component") not in config["trainingComponents"]:
                return
            capacity = resource.get("capacityType")
            if capacity != "SPOT":
                yield f"NodeGroup capacityType must be 'SPOT' for training pools (found {capacity!r})."
                return  # diversification only matters for spot capacity
            types = as_list(resource.get("instanceTypes"))
            if len(types) < config["minInstanceTypes"]:
                yield (
                    f"NodeGroup instanceTypes must list at least {config['minInstanceTypes']} types "
                    f"(found {len(types)})."
                )
            return
        labels = {}
        for path in ("nodeConfig.resourceLabels", "nodeConfig.labels"):
            value = resource.get(path)
            if isinstance(value, Mapping):
                labels.update({str(k): str(value[k]) for k in value})
        if labels.get("component") not in config["trainingComponents"]:
            return
        if not truthy(resource.get("nodeConfig.spot", False)) and not truthy(
            resource.get("nodeConfig.preemptible", False)
        ):
            yield (
                "NodePool nodeConfig.spot must be true for training pools "
                "(found neither spot nor preemptible)."
            )

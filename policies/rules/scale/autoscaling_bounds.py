"""MLK_SCALE_001: autoscaling and replica bounds are set, ordered and capped."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig
from .._tokens import EKS_NODE_GROUP, GKE_NODE_POOL, SM_ENDPOINT_CONFIG, VERTEX_POOL

SCALING_TARGET = "aws:appautoscaling/target:Target"


def _bounds(kind: str, low: Any, high: Any, cap: int, desired: Any = None) -> Iterator[str]:
    if low is None or high is None:
        yield f"{kind} must set both minimum and maximum (found min={low!r}, max={high!r})."
        return
    lo, hi = float(low), float(high)
    if lo > hi:
        yield f"{kind} minimum must not exceed maximum (found {int(lo)} > {int(hi)})."
    if hi > cap:
        yield f"{kind} maximum must be at most {cap} (found {int(hi)})."
    if desired is not None and not lo <= float(desired) <= hi:
        yield f"{kind} desired size must lie between minimum and maximum (found {int(float(desired))})."


class AutoscalingBounds(ResourceRule):
    meta = RuleMeta(
        id="MLK_SCALE_001",
        name="autoscaling-bounds",
        title="Ensure autoscaling and replica bounds are set and capped",
        description="Application Auto Scaling targets, EKS node groups, GKE node pool autoscaling, SageMaker "
        "managed instance scaling and Vertex deployment resource pools set minimum ≤ (desired ≤) maximum ≤ "
        "`maxReplicas`.",
        why="An unbounded or inverted scaling range turns a traffic spike or a scaling bug into an "
        "open-ended bill.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        resources={
            SCALING_TARGET: "minCapacity, maxCapacity",
            EKS_NODE_GROUP: "scalingConfig.{minSize,desiredSize,maxSize}",
            GKE_NODE_POOL: "autoscaling.{minNodeCount,maxNodeCount} or total{Min,Max}NodeCount",
            SM_ENDPOINT_CONFIG: (
                "productionVariants[].managedInstanceScaling.{minInstanceCount,maxInstanceCount}"
            ),
            VERTEX_POOL: "dedicatedResources.{minReplicaCount,maxReplicaCount}",
        },
        config={
            "maxReplicas": {
                "type": "integer",
                "minimum": 1,
                "default": 50,
                "description": "Highest allowed maximum of any scaling range.",
            }
        },
        remediation="Set both bounds from the stack spec's min/max replicas.",
    )
    types = frozenset({SCALING_TARGET, EKS_NODE_GROUP, GKE_NODE_POOL, SM_ENDPOINT_CONFIG, VERTEX_POOL})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        cap = config["maxReplicas"]
        if resource.type == SCALING_TARGET:
            yield from _bounds(
                "Target capacity", resource.get("minCapacity"), resource.get("maxCapacity"), cap
            )
        elif resource.type == EKS_NODE_GROUP:
            yield from _bounds(
                "NodeGroup scalingConfig",
                resource.get("scalingConfig.minSize"),
                resource.get("scalingConfig.maxSize"),
                cap,
                resource.get("scalingConfig.desiredSize"),
            )
        elif resource.type == GKE_NODE_POOL:
            auto = resource.get("autoscaling")
            if not auto:
                yield "NodePool autoscaling must be set with minNodeCount and maxNodeCount (found none)."
                return
            low = dig(auto, "minNodeCount", dig(auto, "totalMinNodeCount"))
            high = dig(auto, "maxNodeCount", dig(auto, "totalMaxNodeCount"))
            yield from _bounds("NodePool autoscaling", low, high, cap)
        elif resource.type == SM_ENDPOINT_CONFIG:
            for index, variant in enumerate(as_list(resource.get("productionVariants"))):
                scaling = dig(variant, "managedInstanceScaling")
                if scaling and str(dig(scaling, "status", "ENABLED")).upper() == "ENABLED":
                    yield from _bounds(
                        f"productionVariants[{index}].managedInstanceScaling",
                        dig(scaling, "minInstanceCount"),
                        dig(scaling, "maxInstanceCount"),
                        cap,
                    )
                count = dig(variant, "initialInstanceCount")
                if count is not None and float(count) > cap:
                    yield (
                        f"productionVariants[{index}].initialInstanceCount must be at most {cap} "
                        f"(found {int(float(count))})."
                    )
        elif resource.type == VERTEX_POOL:
            yield from _bounds(
                "AiDeploymentResourcePool dedicatedResources",
                resource.get("dedicatedResources.minReplicaCount"),
                resource.get("dedicatedResources.maxReplicaCount"),
                cap,
            )

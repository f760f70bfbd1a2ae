"""MLK_SCALE_002: instance and machine types come from the allowed families."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig
from .._tokens import (
    EKS_NODE_GROUP,
    GKE_NODE_POOL,
    SM_ENDPOINT_CONFIG,
    SM_NOTEBOOK,
    SM_TRAINING_JOB,
    VERTEX_POOL,
    WORKBENCH,
)

DEFAULT_AWS = [
    "t3", "t3a", "m5", "m6i", "m7i", "c5", "c6i", "c7i", "r5", "r6i", "r7i",
    "g4dn", "g5", "g6", "g6e", "p3", "p4d", "p5", "inf2", "trn1",
]  # fmt: skip
DEFAULT_GCP = ["e2", "n1", "n2", "n2d", "c2", "c3", "g2", "a2", "a3"]
GCE_INSTANCE = "gcp:compute/instanceTemplate:InstanceTemplate"
EC2_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def family(instance_type: str) -> str:
    """``ml.g5.2xlarge`` -> ``g5``; ``m6i.large`` -> ``m6i``; ``n2-standard-8`` -> ``n2``."""
    name = instance_type.removeprefix("ml.")
    return re.split(r"[.-]", name, maxsplit=1)[0]


class InstanceFamilyAllowList(ResourceRule):
    meta = RuleMeta(
        id="MLK_SCALE_002",
        name="instance-family-allow-list",
        title="Ensure instance and machine types come from the allowed families",
        description="Instance types of EKS node groups, SageMaker training jobs, endpoint variants and "
        "notebooks, EC2 launch templates, and machine types of GKE node pools, instance templates, Workbench "
        "instances and Vertex deployment pools belong to an allowed family (`ml.` prefix ignored).",
        why="An allow-list keeps the fleet on families the team has quotas, reservations and price data for, "
        "and stops an accidental p5.48xlarge.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        resources={
            EKS_NODE_GROUP: "instanceTypes[]",
            SM_TRAINING_JOB: "resourceConfig.instanceType",
            SM_ENDPOINT_CONFIG: "productionVariants[].instanceType",
            SM_NOTEBOOK: "instanceType",
            EC2_LAUNCH_TEMPLATE: "instanceType",
            GKE_NODE_POOL: "nodeConfig.machineType",
            GCE_INSTANCE: "machineType",
            WORKBENCH: "gceSetup.machineType",
            VERTEX_POOL: "dedicatedResources.machineSpec.machineType",
        },
        config={
            "allowedFamilies": {
                "type": "object",
                "properties": {
                    "aws": {"type": "array", "items": {"type": "string"}},
                    "gcp": {"type": "array", "items": {"type": "string"}},
                },
                "default": {"aws": DEFAULT_AWS, "gcp": DEFAULT_GCP},
                "description": "Cloud -> allowed instance/machine families.",
            }
        },
        remediation="Pick a type from an allowed family or extend allowedFamilies in the policy config.",
    )
    paths: ClassVar[Mapping[str, tuple[str, ...]]] = {
        EKS_NODE_GROUP: ("instanceTypes",),
        SM_TRAINING_JOB: ("resourceConfig.instanceType",),
        SM_NOTEBOOK: ("instanceType",),
        EC2_LAUNCH_TEMPLATE: ("instanceType",),
        GKE_NODE_POOL: ("nodeConfig.machineType",),
        GCE_INSTANCE: ("machineType",),
        WORKBENCH: ("gceSetup.machineType",),
        VERTEX_POOL: ("dedicatedResources.machineSpec.machineType",),
        SM_ENDPOINT_CONFIG: (),
    }
    types = frozenset(paths)

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        allowed = set(config["allowedFamilies"].get(resource.package, []))
        found: list[tuple[str, str]] = []
        for path in self.paths[resource.type]:
            found.extend((path, str(t)) for t in as_list(resource.get(path)))
        if resource.type == SM_ENDPOINT_CONFIG:
            for index, variant in enumerate(as_list(resource.get("productionVariants"))):
                value = dig(variant, "instanceType")
                if value:  # serverless variants have no instance type
                    found.append((f"productionVariants[{index}].instanceType", str(value)))
        for path, instance_type in found:
            if family(instance_type) not in allowed:
                yield (
                    f"{path} {instance_type!r} must be from an allowed family ({', '.join(sorted(allowed))})."
                )

"""MLK_K8S_002: Kubernetes pods carry cost labels and resource requests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from mlkeel.contracts import COST_TAG_KEYS

from .._base import Resource, ResourceRule, RuleMeta, dig
from .._tokens import KUBERNETES_WORKLOADS
from ._pods import containers, pod_labels

GPU = "nvidia.com/gpu"


class KubernetesWorkloadRequestsAndCostLabels(ResourceRule):
    meta = RuleMeta(
        id="MLK_K8S_002",
        name="kubernetes-workload-requests-and-cost-labels",
        title="Ensure Kubernetes pods carry cost labels and resource requests",
        description="Pod template labels include the cost keys; every container requests cpu and memory, and "
        "containers with a GPU limit also request it.",
        why="OpenCost allocates cost by max(request, usage) and groups it by pod labels; pods without "
        "requests or labels land in an unallocated bucket nobody pays for.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "Kubernetes workloads (as MLK_K8S_001)": (
                "pod template metadata.labels, containers[].resources.{requests,limits}"
            )
        },
        config={
            "requiredLabels": {
                "type": "array",
                "items": {"type": "string"},
                "default": list(COST_TAG_KEYS),
                "description": "Label keys every pod template carries.",
            }
        },
        remediation="Add the cost labels to spec.template.metadata.labels and requests for cpu and memory.",
    )
    types = KUBERNETES_WORKLOADS

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        labels = pod_labels(resource)
        missing = [key for key in config["requiredLabels"] if not labels.get(key)]
        if missing:
            yield (
                f"pod template labels must include {', '.join(missing)} "
                f"(found {', '.join(sorted(labels)) or 'none'})."
            )
        for where, container in containers(resource):
            requests = dig(container, "resources.requests") or {}
            absent = [k for k in ("cpu", "memory") if k not in requests]
            if absent:
                yield (
                    f"{where} resources.requests must set {', '.join(absent)} "
                    f"(found {sorted(requests) or 'none'})."
                )
            limits = dig(container, "resources.limits") or {}
            if GPU in limits and GPU not in requests:
                yield f"{where} resources.requests must include {GPU} when it is limited."

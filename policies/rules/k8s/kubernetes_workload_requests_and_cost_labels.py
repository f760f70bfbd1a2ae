"""MLK_K8S_002: Kubernetes pods carry cost labels, resource requests and limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from mlkeel.contracts import COST_TAG_KEYS

from .._base import Resource, ResourceRule, RuleMeta, dig
from .._frameworks import CM8
from ._pods import GPU, INFERENCE_SERVICE, POD_OWNERS, pods


def _labels(value: Any) -> dict[str, str]:
    return {str(k): str(value[k]) for k in value} if isinstance(value, Mapping) else {}


class KubernetesWorkloadRequestsAndCostLabels(ResourceRule):
    meta = RuleMeta(
        id="MLK_K8S_002",
        name="kubernetes-workload-requests-and-cost-labels",
        title="Ensure Kubernetes pods carry cost labels, resource requests and limits",
        description="Pod template labels (an InferenceService's own labels plus its component's) include the "
        "cost keys; every container requests and limits cpu and memory, and a container with a GPU limit "
        "also requests it.",
        why="OpenCost allocates cost by max(request, usage) and groups it by pod labels; pods without "
        "requests or labels land in an unallocated bucket nobody pays for, and a pod without limits can "
        "starve every other team's pods on its node.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "Kubernetes workloads (as MLK_K8S_001)": (
                "pod template metadata.labels (InferenceService metadata.labels + spec.<component>.labels), "
                "containers[].resources.{requests,limits}"
            )
        },
        frameworks=(CM8,),
        config={
            "requiredLabels": {
                "type": "array",
                "items": {"type": "string"},
                "default": list(COST_TAG_KEYS),
                "description": "Label keys every pod template carries.",
            }
        },
        remediation="Add the cost labels to spec.template.metadata.labels, and requests and limits for cpu "
        "and memory to every container.",
    )
    types = POD_OWNERS

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        own = _labels(resource.get("metadata.labels")) if resource.type == INFERENCE_SERVICE else {}
        for pod in pods(resource):
            labels = {**own, **_labels(pod.labels)}
            missing = [key for key in config["requiredLabels"] if not labels.get(key)]
            if missing:
                yield (
                    f"{pod.where} pod labels must include {', '.join(missing)} "
                    f"(found {', '.join(sorted(labels)) or 'none'})."
                )
            for where, container in pod.containers:
                for kind in ("requests", "limits"):
                    values = dig(container, f"resources.{kind}") or {}
                    absent = [k for k in ("cpu", "memory") if k not in values]
                    if absent:
                        yield (
                            f"{where} resources.{kind} must set {', '.join(absent)} "
                            f"(found {sorted(values) or 'none'})."
                        )
                requests = dig(container, "resources.requests") or {}
                limits = dig(container, "resources.limits") or {}
                if GPU in limits and GPU not in requests:
                    yield f"{where} resources.requests must include {GPU} when it is limited."

"""Pod templates and containers of Kubernetes workloads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._base import Resource, as_list, dig


def pod_spec_path(resource_type: str) -> str:
    if resource_type.endswith(":Pod"):
        return "spec"
    if resource_type.endswith(":CronJob"):
        return "spec.jobTemplate.spec.template.spec"
    return "spec.template.spec"


def pod_labels(resource: Resource) -> dict[str, str]:
    if resource.type.endswith(":Pod"):
        path = "metadata.labels"
    elif resource.type.endswith(":CronJob"):
        path = "spec.jobTemplate.spec.template.metadata.labels"
    else:
        path = "spec.template.metadata.labels"
    labels = resource.get(path)
    return {str(k): str(labels[k]) for k in labels} if isinstance(labels, Mapping) else {}


def containers(resource: Resource) -> list[tuple[str, Any]]:
    spec = resource.get(pod_spec_path(resource.type))
    found = []
    for kind in ("initContainers", "containers"):
        for index, container in enumerate(as_list(dig(spec, kind))):
            found.append((f"{kind}[{index}] {dig(container, 'name', '?')}", container))
    return found

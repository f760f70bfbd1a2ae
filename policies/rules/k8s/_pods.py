"""Where a Kubernetes workload keeps its pod template, and what rules read from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._base import Resource, as_list, dig


def pod_template_path(resource_type: str) -> str:
    """Path of the object holding the pod's ``metadata`` and ``spec``: a Pod is its own template, a CronJob
    nests a Job template, every other workload has ``spec.template``. Empty for a Pod."""
    if resource_type.endswith(":Pod"):
        return ""
    if resource_type.endswith(":CronJob"):
        return "spec.jobTemplate.spec.template"
    return "spec.template"


def _in_template(resource_type: str, path: str) -> str:
    template = pod_template_path(resource_type)
    return f"{template}.{path}" if template else path


def pod_spec_path(resource_type: str) -> str:
    return _in_template(resource_type, "spec")


def pod_labels(resource: Resource) -> dict[str, str]:
    labels = resource.get(_in_template(resource.type, "metadata.labels"))
    return {str(k): str(labels[k]) for k in labels} if isinstance(labels, Mapping) else {}


def containers(resource: Resource) -> list[tuple[str, Any]]:
    spec = resource.get(pod_spec_path(resource.type))
    found = []
    for kind in ("initContainers", "containers"):
        for index, container in enumerate(as_list(dig(spec, kind))):
            found.append((f"{kind}[{index}] {dig(container, 'name', '?')}", container))
    return found

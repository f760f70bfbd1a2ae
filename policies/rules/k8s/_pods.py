"""Where a Kubernetes workload keeps its pods, and what rules read from them.

Built-in workloads nest one pod template (a Pod is its own, a CronJob nests a Job's). A KServe
``InferenceService`` has up to three components (predictor, transformer, explainer), each a pod spec
inlined into the component, with its containers in ``containers`` and, for the predictor, a model server
container in ``model`` (or a framework key such as ``sklearn``) that KServe turns into
``kserve-container``. Property names are the ones pulumi-kubernetes keeps in the state (camelCase).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._base import Framework, Resource, as_list, dig
from .._tokens import KUBERNETES_WORKLOADS

INFERENCE_SERVICE = "kubernetes:serving.kserve.io/v1beta1:InferenceService"

#: Every type whose pods the workload rules judge.
POD_OWNERS: frozenset[str] = KUBERNETES_WORKLOADS | {INFERENCE_SERVICE}

#: InferenceService components that run pods.
KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")

#: Keys of a KServe predictor that hold the model server's container (``model`` is the v1beta1 form;
#: the framework keys are the older shorthand, still accepted by the CRD).
KSERVE_MODEL_KEYS = (
    "model",
    "sklearn",
    "xgboost",
    "lightgbm",
    "tensorflow",
    "pytorch",
    "triton",
    "onnx",
    "pmml",
    "paddle",
    "huggingface",
)

GPU = "nvidia.com/gpu"


def cis_k8s(control: str, title: str) -> Framework:
    """A control of the CIS Kubernetes Benchmark (section 5, policies), which EKS and GKE benchmarks share."""
    return Framework("CIS Kubernetes Benchmark", "1.9.0", control, title)


@dataclass(frozen=True)
class Pod:
    """One pod shape of a workload: where it is (for messages), its spec, its labels and containers."""

    where: str
    spec: Mapping[str, Any]
    labels: Mapping[str, Any] | None
    containers: tuple[tuple[str, Mapping[str, Any]], ...]


def pod_template_path(resource_type: str) -> str:
    """Path of the object holding the pod's ``metadata`` and ``spec``: a Pod is its own template, a CronJob
    nests a Job template, every other built-in workload has ``spec.template``. Empty for a Pod."""
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


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _containers_of(spec: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Mapping[str, Any]]]:
    found = []
    for kind in ("initContainers", "containers"):
        for index, container in enumerate(as_list(dig(spec, kind))):
            found.append((f"{prefix}{kind}[{index}] {dig(container, 'name', '?')}", _mapping(container)))
    return found


def pods(resource: Resource) -> list[Pod]:
    """The pod shapes ``resource`` runs (one for built-in workloads, one per InferenceService component)."""
    if resource.type == INFERENCE_SERVICE:
        found = []
        for component in KSERVE_COMPONENTS:
            spec = resource.get(f"spec.{component}")
            if not isinstance(spec, Mapping):
                continue
            containers = _containers_of(spec, f"{component}.")
            if component == "predictor":
                for key in KSERVE_MODEL_KEYS:
                    model = spec.get(key)
                    if isinstance(model, Mapping):
                        containers.append((f"predictor.{key}", model))
            labels = spec.get("labels")
            found.append(
                Pod(
                    where=f"spec.{component}",
                    spec=spec,
                    labels=labels if isinstance(labels, Mapping) else None,
                    containers=tuple(containers),
                )
            )
        return found
    spec = _mapping(resource.get(pod_spec_path(resource.type)))
    labels = resource.get(_in_template(resource.type, "metadata.labels"))
    return [
        Pod(
            where=pod_spec_path(resource.type),
            spec=spec,
            labels=labels if isinstance(labels, Mapping) else None,
            containers=tuple(_containers_of(spec)),
        )
    ]

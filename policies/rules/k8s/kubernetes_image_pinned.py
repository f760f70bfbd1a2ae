"""MLK_K8S_004: Kubernetes containers run a pinned image, never `latest` or an untagged one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, dig
from .._frameworks import nist
from ._pods import INFERENCE_SERVICE, POD_OWNERS, pods

CM2 = nist("CM-2", "Baseline configuration")


def image_problem(image: str, require_digest: bool) -> str | None:
    """Why ``image`` is not pinned, or None. A digest pins; else the tag must exist and not be ``latest``.

    The tag is what follows the last ``:`` after the last ``/`` (``host:5000/repo`` has a port, no tag).
    """
    if "@" in image:
        return None if image.split("@", 1)[1].startswith("sha256:") else "has a malformed digest"
    if require_digest:
        return "has no @sha256 digest"
    name = image.rsplit("/", 1)[-1]
    if ":" not in name:
        return "has no tag (the runtime pulls latest)"
    tag = name.rsplit(":", 1)[1]
    if not tag:
        return "has an empty tag"
    if tag.lower() == "latest":
        return "uses the latest tag"
    return None


class KubernetesImagePinned(ResourceRule):
    meta = RuleMeta(
        id="MLK_K8S_004",
        name="kubernetes-image-pinned",
        title="Ensure Kubernetes containers run pinned images, not latest or untagged ones",
        description="Every container image of the workloads MLK_K8S_001 judges has a tag other than `latest` "
        "or an `@sha256:` digest (with `requireDigest`, a digest). An InferenceService model container "
        "without an image runs the serving runtime's pinned image and passes.",
        why="`latest` changes under a running deployment: two replicas, or a rollback, run different code, "
        "and nobody can say which model server produced a prediction.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={"Kubernetes workloads (as MLK_K8S_001)": "containers[].image"},
        frameworks=(CM2,),
        config={
            "requireDigest": {
                "type": "boolean",
                "default": False,
                "description": "Accept only images pinned by digest (image@sha256:...).",
            }
        },
        remediation="Pin the image to a release tag (or, stricter, its digest) that CI produced.",
    )
    types = POD_OWNERS

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        for pod in pods(resource):
            for where, container in pod.containers:
                image = dig(container, "image")
                if image is None:
                    if resource.type == INFERENCE_SERVICE and not where.startswith(
                        ("predictor.containers", "predictor.initContainers", "transformer.", "explainer.")
                    ):
                        continue  # the model container: the ServingRuntime supplies the image
                    yield f"{where} image must be set to a pinned image (found none)."
                    continue
                problem = image_problem(str(image), bool(config["requireDigest"]))
                if problem:
                    yield f"{where} image must be pinned; {image!r} {problem}."

"""Every object the Kubernetes components produce is one the API server would admit.

Core objects validate against the Kubernetes OpenAPI schemas in strict mode (``kubernetes-validate``: unknown
fields are errors) for every version docs/kubernetes.md supports; custom resources validate against the
``openAPIV3Schema`` of their bundled CRD (``components/kubernetes/crds``, see NOTICE.md).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import jsonschema
import kubernetes_validate
import pytest

from components.kubernetes import SUPPORTED_VERSIONS, crd_schema

from .kubernetes_plans import PLANS, is_custom, kubernetes_objects, manifest


@pytest.fixture(autouse=True, scope="module")
def _schemas_read_once() -> Iterator[None]:
    """kubernetes-validate re-reads the version's 2 MB definitions file on every call; read each file once
    (same files, same validation, 20 times faster)."""
    utils = kubernetes_validate.utils
    original = utils.schema_contents
    utils.schema_contents = functools.cache(original)  # type: ignore[assignment]
    yield
    utils.schema_contents = original  # type: ignore[assignment]


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_core_objects_validate_strictly_on_every_supported_version(plan: str) -> None:
    objects = [r for r in kubernetes_objects(PLANS[plan]()) if not is_custom(r)]
    assert objects, f"{plan}: no Kubernetes objects planned"
    failures = []
    for version in SUPPORTED_VERSIONS:
        for resource in objects:
            try:
                kubernetes_validate.validate(manifest(resource), f"{version}.0", strict=True)
            except kubernetes_validate.ValidationError as exc:
                failures.append(f"{version} {resource['urn']}: {exc.message} at {list(exc.path)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_custom_resources_validate_against_their_crd_schema(plan: str) -> None:
    customs = [r for r in kubernetes_objects(PLANS[plan]()) if is_custom(r)]
    failures = []
    for resource in customs:
        body = manifest(resource)
        validator = jsonschema.Draft7Validator(crd_schema(body["apiVersion"], body["kind"]))
        for error in validator.iter_errors(body):
            failures.append(f"{resource['urn']}: {error.message} at {list(error.absolute_path)}")
    assert not failures, "\n".join(failures)


def test_example_stack_uses_every_bundled_crd_kind_it_names() -> None:
    kinds = {manifest(r)["kind"] for r in kubernetes_objects(PLANS["search"]()) if is_custom(r)}
    assert {
        "InferenceService",
        "ServiceMonitor",
        "PrometheusRule",
        "ResourceFlavor",
        "ClusterQueue",
        "LocalQueue",
    } <= kinds

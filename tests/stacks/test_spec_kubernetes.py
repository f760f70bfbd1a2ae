"""The ``kubernetes`` spec section and ``cloud: kubernetes``: sound stacks load, bad values are refused at
spec time naming the file, the field and what is allowed, and no input escapes as anything but a SpecError."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stacks.stackspec import SpecError, StackSpec, validate_spec_data

FILE = "Pulumi.search-dev.yaml"
BASE: dict[str, Any] = {
    "team": "search",
    "environment": "dev",
    "cloud": "kubernetes",
    "region": "us-east-1",
    "residencyZone": "us",
    "dataClassification": "internal",
    "costCenter": "cc-7310",
    "owner": "mei-tanaka",
    "kubernetes": {"context": "search-cluster"},
    "training": {"enabled": True, "pools": [{"name": "cpu", "instanceTypes": ["m6i.2xlarge"]}]},
}
LIBRARY_PHRASES = ("Input should", "should match pattern", "Value error", "String should", "[key]")


def _outcome(data: dict[str, Any]) -> StackSpec | SpecError:
    try:
        return validate_spec_data(data, FILE)
    except SpecError as exc:
        return exc


def _refusal(data: dict[str, Any]) -> str:
    outcome = _outcome(data)
    assert isinstance(outcome, SpecError), "the spec was accepted"
    return str(outcome)


def _with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return data


def test_kubernetes_base_stack_is_sound() -> None:
    spec = validate_spec_data(BASE, FILE)
    assert spec.kubernetes is not None and spec.kubernetes.namespace is None
    assert spec.kubernetes.node_cloud == "aws" and spec.kubernetes.kserve is True


def test_kubernetes_gpu_quota_without_gpu_pool_is_refused() -> None:
    message = _refusal(_with(kubernetes__quota={"gpus": 1}))
    assert f"{FILE}: mlkeel:kubernetes.quota.gpus = 1: a GPU quota needs a GPU training pool" in message


def test_kubernetes_gpu_quota_with_a_gpu_instance_type_pool_is_sound() -> None:
    data = _with(kubernetes__quota={"gpus": 2})
    data["training"]["pools"].append({"name": "gpu", "instanceTypes": ["g5.2xlarge"]})
    assert isinstance(_outcome(data), StackSpec)


def test_kubernetes_canary_without_kserve_is_refused() -> None:
    data = _with(kubernetes__kserve=False)
    data["serving"] = {
        "endpoints": [
            {
                "name": "ranker",
                "instanceType": "m6i.xlarge",
                "variants": [
                    {"name": "v1", "model": {"image": "ghcr.io/x/ranker:1.0", "artifact": "s3://m/r"}}
                ],
                "rollout": {"strategy": "linear"},
            }
        ]
    }
    message = _refusal(data)
    assert (
        "mlkeel:serving.endpoints[0].rollout.strategy = 'linear': a progressive rollout needs KServe"
        in message
    )
    assert "allows only 'all-at-once'" in message


@pytest.mark.parametrize("namespace", ["Search", "search_dev", "-search", "a" * 64, ""])
def test_kubernetes_namespace_must_be_a_dns_label(namespace: str) -> None:
    message = _refusal(_with(kubernetes__namespace=namespace))
    assert f"{FILE}: mlkeel:kubernetes.namespace" in message
    assert "must be a Kubernetes DNS label" in message


def test_kubernetes_section_on_aws_needs_training_and_takes_no_kubeconfig() -> None:
    data = _with(cloud="aws", kubernetes={"kubeconfigPath": "/k"})
    data["training"] = {"enabled": False}
    message = _refusal(data)
    assert "mlkeel:kubernetes = '(section)': the in-cluster layer runs in the stack's EKS cluster" in message
    assert "mlkeel:kubernetes.kubeconfigPath = '(set)': is only read on 'cloud: kubernetes'" in message


def test_kubernetes_model_needs_an_image_and_a_storage_uri() -> None:
    data = copy.deepcopy(BASE)
    data["serving"] = {
        "endpoints": [
            {
                "name": "ranker",
                "instanceType": "m6i.xlarge",
                "variants": [{"name": "v1", "model": {"modelPackage": "arn:aws:sagemaker:x"}}],
                "rollout": {"strategy": "all-at-once"},
            }
        ]
    }
    assert "model.modelPackage" in _refusal(data) and "give 'image' and 'artifact'" in _refusal(data)


def test_kubernetes_node_type_must_be_priced_by_the_catalog() -> None:
    message = _refusal(_with(kubernetes__nodeInstanceType="m6i.huge"))
    assert (
        "mlkeel:kubernetes.nodeInstanceType = 'm6i.huge': is not a aws node type the price catalog knows"
        in message
    )


def test_kubernetes_kubeconfig_stays_secret() -> None:
    spec = validate_spec_data(_with(kubernetes__kubeconfig="apiVersion: v1\nusers: [token: abc]"), FILE)
    assert "abc" not in repr(spec) and "abc" not in str(spec.model_dump())


_scalars = st.none() | st.booleans() | st.integers(-3, 10**6) | st.floats() | st.text(max_size=12)
_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
_keys = st.sampled_from(
    [
        "kubeconfig",
        "kubeconfigPath",
        "context",
        "namespace",
        "nodeCloud",
        "nodeInstanceType",
        "kserve",
        "queueing",
        "karpenter",
        "monitoringNamespace",
        "ingressNamespaces",
        "quota",
        "limits",
        "mlflow",
        "feast",
        "serving",
        "typo",
    ]
)
_good = {
    "namespace": st.sampled_from(["search-ml", "a", "x" * 63]),
    "quota": st.fixed_dictionaries({"cpu": st.integers(-1, 20000), "gpus": st.integers(-1, 3)}),
    "limits": st.fixed_dictionaries(
        {"defaultCpuMillis": st.integers(0, 9000), "maxCpuMillis": st.integers(0, 9000)}
    ),
    "mlflow": st.fixed_dictionaries(
        {
            "backend": st.sampled_from(["postgres", "external", "sqlite"]),
            "artifacts": st.sampled_from(["pvc", "bucket"]),
        }
    ),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(_keys, _values, max_size=6), st.dictionaries(st.sampled_from(sorted(_good)), st.just(0))
)
def test_kubernetes_fuzz_section_ends_in_a_spec_or_a_spec_error_naming_file_and_field(
    section: dict[str, Any], good_keys: dict[str, int]
) -> None:
    data = copy.deepcopy(BASE)
    data["kubernetes"] = section
    outcome = _outcome(data)
    if isinstance(outcome, SpecError):
        for issue in outcome.issues:
            assert issue.file == FILE, issue
            assert issue.path.startswith("mlkeel:"), issue
            assert issue.message and not any(p in issue.message for p in LIBRARY_PHRASES), issue


@settings(max_examples=100, deadline=None)
@given(st.fixed_dictionaries({}, optional=_good))
def test_kubernetes_fuzz_shaped_values_are_checked_field_by_field(section: dict[str, Any]) -> None:
    data = copy.deepcopy(BASE)
    data["kubernetes"] = {"context": "c", **section}
    outcome = _outcome(data)
    if isinstance(outcome, StackSpec):
        k8s = outcome.kubernetes
        assert k8s is not None
        assert k8s.limits.default_cpu_millis <= k8s.limits.max_cpu_millis
        assert k8s.quota.gpus == 0  # no GPU pool in BASE: any GPU quota is refused
        assert k8s.mlflow.artifacts != "bucket"  # no bucket on cloud: kubernetes
    else:
        assert all(i.path.startswith(("mlkeel:kubernetes", "mlkeel:region")) for i in outcome.issues), outcome

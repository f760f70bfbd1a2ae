"""The in-cluster layer composes into a complete graph: on any cluster (``cloud: kubernetes``) and inside an
AWS stack's EKS cluster, every object through the stack's explicit Kubernetes provider."""

from __future__ import annotations

import json

import pytest

from components.kubernetes import PRICING_ANNOTATION

from .kubernetes_plans import PLANS, fraud, kubernetes_objects, manifest, of_kind, plain, search

LAYER = {
    "mlkeel:index:K8sTenancy",
    "mlkeel:index:K8sNetwork",
    "mlkeel:index:K8sAccess",
    "mlkeel:index:K8sModelRegistry",
    "mlkeel:index:K8sTraining",
    "mlkeel:index:K8sMonitoring",
}


def _types(plan) -> set[str]:  # type: ignore[no-untyped-def]
    return {r["type"] for r in plan.resources}


def test_standalone_stack_has_every_capability_and_no_cloud_resource() -> None:
    types = _types(search())
    assert LAYER | {"mlkeel:index:K8sFeatureStore", "mlkeel:index:K8sServing"} <= types
    assert not [
        t for t in types if t.startswith(("aws:", "gcp:", "pulumi:providers:aws", "pulumi:providers:gcp"))
    ]


def test_aws_stack_builds_the_layer_inside_its_cluster_with_pod_identity() -> None:
    result = fraud()
    assert _types(result) >= LAYER
    (namespace,) = of_kind(result, "Namespace")
    assert namespace["metadata"]["name"] == "fraud-ml"
    associations = result.by_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert {a["inputs"]["serviceAccount"] for a in associations} == {"mlflow", "training"}
    assert all(a["inputs"]["namespace"] == "fraud-ml" for a in associations)
    roles = {
        r["inputs"]["name"]: r for r in result.by_type("aws:iam/role:Role") if "k8s" in r["inputs"]["name"]
    }
    for role in roles.values():
        trust = json.loads(role["inputs"]["assumeRolePolicy"])
        assert trust["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    (mlflow,) = [d for d in of_kind(result, "Deployment") if d["metadata"]["name"] == "mlflow"]
    args = mlflow["spec"]["template"]["spec"]["containers"][0]["args"]
    assert any(a.startswith("--artifacts-destination=s3://") and a.endswith("/mlflow") for a in args), args


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_every_object_goes_through_the_stacks_explicit_kubernetes_provider(plan: str) -> None:
    result = PLANS[plan]()
    (provider,) = result.by_type("pulumi:providers:kubernetes")
    assert "default" not in provider["urn"].rsplit("::", 1)[-1]
    for resource in kubernetes_objects(result):
        assert resource["provider"].startswith(provider["urn"] + "::"), resource["urn"]


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_namespace_names_what_prices_its_requests(plan: str) -> None:
    result = PLANS[plan]()
    (namespace,) = of_kind(result, "Namespace")
    pricing = json.loads(namespace["metadata"]["annotations"][PRICING_ANNOTATION])
    assert pricing["nodeInstanceType"] and pricing["region"] and pricing["cloud"] in ("aws", "gcp")
    assert pricing["pools"], pricing


def test_standalone_pricing_marks_spot_pools_and_counts_gpus() -> None:
    (namespace,) = of_kind(search(), "Namespace")
    pools = json.loads(namespace["metadata"]["annotations"][PRICING_ANNOTATION])["pools"]
    assert pools == {
        "cpu-spot": {"instanceTypes": ["m6i.2xlarge", "m5.2xlarge"], "spot": True, "gpus": 0},
        "gpu-spot": {"instanceTypes": ["g5.2xlarge"], "spot": True, "gpus": 1},
    }


def test_feature_store_config_with_its_redis_password_is_a_secret() -> None:
    result = search()
    secrets = {
        manifest(r)["metadata"]["name"]: r
        for r in kubernetes_objects(result)
        if r["type"].endswith(":Secret")
    }
    assert {"feast-config", "feast-redis-auth", "mlflow-backend", "mlflow-postgres-auth"} <= set(secrets)
    (feast,) = [d for d in of_kind(result, "Deployment") if d["metadata"]["name"] == "feast"]
    volumes = {v["name"]: v for v in feast["spec"]["template"]["spec"]["volumes"]}
    assert volumes["config"]["secret"]["secretName"] == "feast-config"


def test_external_backend_runs_no_database() -> None:
    assert not of_kind(plain(), "StatefulSet")
    assert not plain().by_type("random:index/randomPassword:RandomPassword")

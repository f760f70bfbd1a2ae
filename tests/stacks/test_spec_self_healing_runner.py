"""``selfHealing.runner``: where the controller runs, per cloud. Each cloud admits its own runners (AWS:
lambda | kubernetes; GCP: cloud-run | kubernetes), unset means the cloud's default, the Kubernetes runner
needs the stack's own cluster, and ``cloud: kubernetes`` is refused naming the field and what is allowed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stacks.stackspec import SpecError, validate_spec_data
from stacks.stackspec._model import self_healing_runner

ENDPOINT = {
    "name": "scoring",
    "instanceType": "ml.m5.large",
    "minReplicas": 2,
    "variants": [
        {
            "name": "primary",
            "model": {
                "image": "builtin:sagemaker-scikit-learn:1.2-1",
                "artifact": "models/scoring/model.tar.gz",
            },
        }
    ],
}
COMMON: dict[str, Any] = {
    "team": "fraud",
    "environment": "dev",
    "residencyZone": "eu",
    "dataClassification": "internal",
    "costCenter": "cc-2210",
    "owner": "kim-lee",
}
AWS: dict[str, Any] = {**COMMON, "cloud": "aws", "region": "eu-west-1", "serving": {"endpoints": [ENDPOINT]}}
GCP: dict[str, Any] = {
    **COMMON,
    "cloud": "gcp",
    "region": "europe-west4",
    "project": "fraud-dev-4411",
    "billingAccount": "01A2B3-C4D5E6-F7A8B9",
    "serving": {
        "endpoints": [
            {
                "name": "scorecard",
                "instanceType": "n1-standard-4",
                "minReplicas": 1,
                "variants": [
                    {
                        "name": "gbm-v7",
                        "model": {
                            "image": "europe-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest",
                            "artifact": "models/risk/gbm-v7/",
                        },
                    }
                ],
            }
        ]
    },
}
POOLS = {"AWS": ["m6i.2xlarge", "m5.2xlarge"], "GCP": ["n2-standard-8", "n2-standard-4"]}
K8S: dict[str, Any] = {
    **COMMON,
    "cloud": "kubernetes",
    "region": "us-east-1",
    "residencyZone": "us",
    "kubernetes": {"context": "fraud-cluster"},
}
BASES = {"AWS": AWS, "GCP": GCP}


def _stack(base: str, cluster: bool = False, **healing: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASES[base])
    data["selfHealing"] = {"enabled": True, **healing}
    if cluster:
        data["training"] = {"enabled": True, "pools": [{"name": "cpu", "instanceTypes": POOLS[base]}]}
        data["kubernetes"] = {}
    return data


def _refusal(data: dict[str, Any]) -> str:
    with pytest.raises(SpecError) as caught:
        validate_spec_data(data, "Pulumi.fraud-dev.yaml")
    return str(caught.value)


@pytest.mark.parametrize(("cloud", "default"), [("aws", "lambda"), ("gcp", "cloud-run")])
def test_an_unset_runner_is_the_clouds_default(cloud: str, default: str) -> None:
    assert self_healing_runner(cloud, None) == default
    assert self_healing_runner(cloud, "kubernetes") == "kubernetes"


@pytest.mark.parametrize(
    ("base", "runner", "cluster"),
    [
        ("AWS", None, False),
        ("AWS", "lambda", False),
        ("AWS", "kubernetes", True),
        ("GCP", None, False),
        ("GCP", "cloud-run", False),
        ("GCP", "kubernetes", True),
    ],
)
def test_each_cloud_accepts_its_own_runners(base: str, runner: str | None, cluster: bool) -> None:
    spec = validate_spec_data(_stack(base, cluster, runner=runner), "Pulumi.fraud-dev.yaml")
    assert spec.self_healing.enabled and spec.self_healing.runner == runner


@pytest.mark.parametrize(("base", "runner"), [("AWS", "cloud-run"), ("GCP", "lambda")])
def test_a_runner_of_another_cloud_is_refused_naming_what_is_allowed(base: str, runner: str) -> None:
    message = _refusal(_stack(base, runner=runner))
    allowed = "lambda, kubernetes" if base == "AWS" else "cloud-run, kubernetes"
    assert f"mlkeel:selfHealing.runner = '{runner}'" in message and allowed in message


@pytest.mark.parametrize(("base", "cluster"), [("AWS", "EKS"), ("GCP", "GKE")])
def test_the_kubernetes_runner_needs_the_stacks_own_cluster(base: str, cluster: str) -> None:
    message = _refusal(_stack(base, runner="kubernetes"))
    assert "mlkeel:selfHealing.runner = 'kubernetes'" in message
    assert f"stack's {cluster} cluster" in message and "'kubernetes' section" in message


def test_an_unknown_runner_is_refused_by_the_schema() -> None:
    message = _refusal(_stack("AWS", runner="ecs"))
    assert "selfHealing.runner" in message and "ecs" in message


def test_cloud_kubernetes_refuses_the_loop_saying_where_it_can_run() -> None:
    data = copy.deepcopy(K8S)
    data["selfHealing"] = {"enabled": True, "runner": "kubernetes"}
    message = _refusal(data)
    assert "mlkeel:selfHealing.enabled" in message
    assert "SageMaker (cloud: aws) or Vertex AI (cloud: gcp)" in message and "runner: kubernetes" in message


# ---------------------------------------------------------------- retraining types are the cloud's own
def test_a_gcp_stack_names_compute_engine_machine_types_for_retraining() -> None:
    spec = validate_spec_data(
        _stack("GCP", trainingInstanceTypes=["n1-standard-4", "e2-standard-8"]), "Pulumi.fraud-dev.yaml"
    )
    assert spec.self_healing.training_instance_types == ["n1-standard-4", "e2-standard-8"]
    # Left out, the AWS default stands in the spec and the GCP runtime uses its own defaults.
    validate_spec_data(_stack("GCP"), "Pulumi.fraud-dev.yaml")


def test_a_gcp_stack_naming_sagemaker_types_is_refused_with_what_is_allowed() -> None:
    message = _refusal(_stack("GCP", trainingInstanceTypes=["ml.m5.large"]))
    assert "selfHealing.trainingInstanceTypes" in message and "ml.m5.large" in message
    assert "n1-standard-4" in message


def test_an_aws_stack_naming_machine_types_is_refused_with_what_is_allowed() -> None:
    message = _refusal(_stack("AWS", trainingInstanceTypes=["ml.m5.large", "n1-standard-4"]))
    assert "selfHealing.trainingInstanceTypes" in message and "n1-standard-4" in message
    assert "ml.m5.large" in message


@pytest.mark.parametrize("bad", ["N1-standard-4", "ml.m5", "n1_standard_4", "-n1", "ml..large"])
def test_a_type_of_neither_shape_is_refused_by_the_pattern(bad: str) -> None:
    message = _refusal(_stack("GCP", trainingInstanceTypes=[bad]))
    assert "trainingInstanceTypes" in message and bad in message

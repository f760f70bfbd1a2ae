"""AWS-only spec rules: refused at spec time with the field, the value and what is allowed (issue 8)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from stacks.stackspec import SpecError, spec_from_config
from tests.components.aws_plans import full_config


def _spec(config: dict[str, Any]):
    flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    return spec_from_config(flat, "Pulumi.payments-prod.yaml")


def _problems(mutate) -> list[str]:
    config = copy.deepcopy(full_config())
    mutate(config)
    with pytest.raises(SpecError) as caught:
        _spec(config)
    return [str(issue) for issue in caught.value.issues]


def test_aws_spec_rules_full_fixture_is_clean() -> None:
    assert _spec(full_config()).cloud == "aws"


def _set(path: list[Any], value: Any):
    def mutate(config: dict[str, Any]) -> None:
        node = config
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


POOL = ["mlkeel:training", "pools"]
ENDPOINT = ["mlkeel:serving", "endpoints", 0]


@pytest.mark.parametrize(
    ("path", "value", "field", "fragment"),
    [
        (
            [*POOL, 0, "instanceTypes"],
            ["m6i.2xlarge", "zz9.large"],
            "training.pools[0].instanceTypes[1]",
            "family 'zz9' is not offered in eu-west-1",
        ),
        (
            [*POOL, 0, "instanceTypes"],
            ["m6i.2xlarge", "m6i.3xlarge"],
            "training.pools[0].instanceTypes[1]",
            "is not offered in eu-west-1",
        ),
        (
            [*POOL, 0, "instanceTypes"],
            ["m6i.2xlarge", "ml.m5.large"],
            "training.pools[0].instanceTypes[1]",
            "training pools run EC2 instances: use 'm5.large'",
        ),
        (
            [*POOL, 1, "instanceTypes"],
            ["g5.xlarge", "m5.xlarge"],
            "training.pools[1].instanceTypes[1]",
            "has no GPU but the pool asks for one",
        ),
        (
            [*POOL, 1, "accelerator"],
            {"type": "nvidia-h100"},
            "training.pools[1].instanceTypes[0]",
            "not the pool's accelerator 'nvidia-h100'",
        ),
        (
            [*POOL, 0, "instanceTypes"],
            ["m6i.2xlarge"],
            "training.pools[0].instanceTypes",
            "a spot pool needs at least 2 instance types",
        ),
        (
            [*POOL, 0, "instanceTypes"],
            ["m6i.2xlarge", "g5.xlarge"],
            "training.pools[0].instanceTypes",
            "mixes Arm and x86, or GPU and CPU types",
        ),
        (
            [*ENDPOINT, "instanceType"],
            "m5.xlarge",
            "serving.endpoints[0].instanceType",
            "SageMaker endpoints need an 'ml.' hosting type such as 'ml.m5.xlarge'",
        ),
        ([*ENDPOINT, "instanceType"], "ml.zz9.large", "serving.endpoints[0].instanceType", "is not offered"),
        (
            [*ENDPOINT, "minReplicas"],
            1,
            "serving.endpoints[0].minReplicas",
            "a linear rollout shifts part of the fleet first, so it needs at least 2 instances",
        ),
        (
            [*ENDPOINT, "rollout"],
            {"strategy": "canary", "canaryPercent": 75},
            "serving.endpoints[0].rollout.canaryPercent",
            "at most 50%",
        ),
        (
            [*ENDPOINT, "variants", 0, "model"],
            {"image": "builtin:sagemaker-xgboost:1.7-1"},
            "serving.endpoints[0].variants[0].model.artifact",
            "serves a trained model",
        ),
        (
            [*ENDPOINT, "variants", 0, "model"],
            {"image": "docker.io/library/nginx:1", "artifact": "m/model.tar.gz"},
            "serving.endpoints[0].variants[0].model.image",
            "must be 'builtin:<repository>:<tag>'",
        ),
        (
            [*ENDPOINT, "variants", 0, "model"],
            {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"},
            "serving.endpoints[0].variants[0].model.image",
            "SageMaker pulls images only from its own region",
        ),
        (
            [*ENDPOINT, "variants", 0, "model"],
            {"image": "builtin:sagemaker-xgboost:1.7-1", "artifact": "../up/model.tar.gz"},
            "serving.endpoints[0].variants[0].model.artifact",
            "no leading '/' or '..'",
        ),
        (
            [*ENDPOINT, "variants", 0, "model"],
            {"modelPackage": "payments-prod-models/v2"},
            "serving.endpoints[0].variants[0].model.modelPackage",
            "with a version number from 1",
        ),
        (
            ["mlkeel:featureStore", "groups", 0, "features", 1, "type"],
            "integer",
            "featureStore.groups[0].features[1].type",
            "must be 'string' (ISO-8601) or 'fractional'",
        ),
        (
            ["mlkeel:featureStore", "groups", 0, "features", 3, "name"],
            "write_time",
            "featureStore.groups[0].features[3].name",
            "reserved by SageMaker Feature Store",
        ),
        (["mlkeel:network", "flowLogRetentionDays"], 100, "network.flowLogRetentionDays", "nearest: 90"),
        (
            ["mlkeel:access", "personas", "auditor"],
            ["arn:aws:iam::*:role/*"],
            "access.personas.auditor[0]",
            "must be an IAM role or user ARN",
        ),
        (
            ["mlkeel:budget", "alertThresholds"],
            [10, 20, 30, 40, 50],
            "budget.alertThresholds",
            "at most 4 thresholds",
        ),
    ],
)
def test_aws_spec_rules_refuse_bad_values(path: list[Any], value: Any, field: str, fragment: str) -> None:
    problems = _problems(_set(path, value))
    matching = [
        p for p in problems if f"mlkeel:{field} " in p or f"mlkeel:{field}:" in p or f"mlkeel:{field} =" in p
    ]
    assert matching, f"no problem on {field}: {problems}"
    assert any(fragment in p for p in matching), matching
    assert all("Pulumi.payments-prod.yaml" in p for p in matching)


def test_aws_spec_rules_endpoint_min_above_max_is_refused() -> None:
    problems = _problems(_set([*ENDPOINT, "minReplicas"], 12))
    assert any("minReplicas (12) must be ≤ maxReplicas (10)" in p for p in problems)


def test_aws_spec_rules_region_missing_from_catalog_names_the_refresh_command() -> None:
    def mutate(config: dict[str, Any]) -> None:
        config["mlkeel:region"] = config["aws:region"] = "eu-south-2"

    problems = _problems(mutate)
    assert any("keel cost refresh-prices --region eu-south-2" in p for p in problems)


def test_aws_spec_rules_log_retention_is_checked_even_without_a_network() -> None:
    """Endpoint, cluster and trail log groups keep logs this long too, so the value must suit CloudWatch
    whether or not the stack has a network of its own."""

    def mutate(config: dict[str, Any]) -> None:
        config["mlkeel:network"] = {"enabled": False, "flowLogRetentionDays": 100}

    found = _problems(mutate)
    assert any("network.flowLogRetentionDays" in p and "nearest: 90" in p for p in found), found

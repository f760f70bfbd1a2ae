"""The ``selfHealing`` spec section: off by default, its policy checked, what it needs from the stack."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stacks.stackspec import SpecError, validate_spec_data

FILE = "Pulumi.fraud-dev.yaml"
BASE: dict[str, Any] = {
    "team": "fraud",
    "environment": "dev",
    "cloud": "aws",
    "region": "eu-west-1",
    "residencyZone": "eu",
    "dataClassification": "internal",
    "costCenter": "cc-2210",
    "owner": "kim-lee",
    "serving": {
        "endpoints": [
            {
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
        ]
    },
}


def _with(**section: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["selfHealing"] = section
    return data


def test_self_healing_is_off_by_default_with_the_documented_policy() -> None:
    spec = validate_spec_data(BASE, FILE)
    assert spec.self_healing.enabled is False
    assert (spec.self_healing.windows_in_a_row, spec.self_healing.cooldown_hours) == (2, 24)


def test_self_healing_on_a_sound_aws_stack_is_accepted() -> None:
    spec = validate_spec_data(_with(enabled=True, schedule="cron(0 * * * ? *)", autoPromote=True), FILE)
    assert spec.self_healing.auto_promote is True


@pytest.mark.parametrize(
    ("section", "field", "message"),
    [
        ({"schedule": "every tuesday"}, "selfHealing.schedule", "EventBridge Scheduler expression"),
        ({"maxRuntimeMinutes": 90, "maxWaitMinutes": 60}, "selfHealing", "maxWaitMinutes (60)"),
        ({"trainingInstanceTypes": ["m5.large"]}, "selfHealing.trainingInstanceTypes", ""),
        ({"fairness": {"sensitiveFeature": "group"}}, "selfHealing.fairness", "at least one limit"),
        ({"windowsInARow": 0}, "selfHealing.windowsInARow", ""),
    ],
)
def test_self_healing_bad_policy_is_refused_naming_the_field(section: dict, field: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        validate_spec_data(_with(**section), FILE)
    assert field in str(caught.value) and message in str(caught.value)


def test_self_healing_needs_an_endpoint_and_monitoring() -> None:
    data = _with(enabled=True)
    data["serving"] = {"endpoints": []}
    data["monitoring"] = {"enabled": False}
    with pytest.raises(SpecError) as caught:
        validate_spec_data(data, FILE)
    text = str(caught.value)
    assert "serving.endpoints" in text and "monitoring.enabled" in text

"""The controller's configuration: refused with the field and what is allowed; found in a stack's state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlkeel.files import InputError
from runtime.self_healing import ControllerConfig, config_from_state, load_config

VALID = {
    "stack": "fraud-dev",
    "region": "eu-west-1",
    "bucket": "fraud-dev-registry-123456789012",
    "endpoints": ["fraud-dev-scoring"],
    "model_package_group": "fraud-dev-models",
    "lease_table": "fraud-dev-self-healing-lease",
    "training_role_arn": "arn:aws:iam::123456789012:role/fraud-dev-training-jobs",
    "model_role_arn": "arn:aws:iam::123456789012:role/fraud-dev-sagemaker-execution",
}


def test_load_config_accepts_the_contract_document() -> None:
    config = load_config(json.dumps(VALID))
    assert config.policy.enabled is False and config.policy.windows_in_a_row == 2
    assert config.training_image().startswith("141502667606.dkr.ecr.eu-west-1.amazonaws.com/")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bucket": "x"}, "bucket"),
        ({"policy": {"max_runtime_minutes": 90, "max_wait_minutes": 60}}, "policy"),
        (
            {"policy": {"fairness": {"sensitive_feature": "g", "max_demographic_parity_difference": 2}}},
            "policy.fairness",
        ),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_load_config_refuses_bad_values_naming_the_field(change: dict, field: str) -> None:
    with pytest.raises(InputError) as caught:
        load_config(json.dumps({**VALID, **change}))
    assert caught.value.field.startswith(field)


def test_load_config_without_the_variable_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLKEEL_SELF_HEALING_CONFIG", raising=False)
    with pytest.raises(InputError, match="MLKEEL_SELF_HEALING_CONFIG is not set"):
        load_config()


def test_training_image_for_an_unknown_region_asks_for_one() -> None:
    config = ControllerConfig.model_validate({**VALID, "region": "sa-east-1"})
    with pytest.raises(InputError, match="set trainingImage"):
        config.training_image()


def _state(tmp_path: Path, variables: dict) -> Path:
    state = {
        "version": 3,
        "deployment": {
            "resources": [
                {
                    "urn": "urn:pulumi:fraud-dev::mlkeel::aws:lambda/function:Function::self-healing",
                    "custom": True,
                    "type": "aws:lambda/function:Function",
                    "inputs": {"environment": {"variables": variables}},
                    "outputs": {},
                }
            ]
        },
    }
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    return path


def test_config_from_state_reads_the_functions_environment(tmp_path: Path) -> None:
    path = _state(tmp_path, {"MLKEEL_SELF_HEALING_CONFIG": json.dumps(VALID)})
    assert config_from_state(path).endpoints == ["fraud-dev-scoring"]


def test_config_from_state_without_the_function_says_what_to_enable(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"selfHealing\.enabled"):
        config_from_state(_state(tmp_path, {}))


def test_the_spec_section_is_the_runtime_policy_field_for_field() -> None:
    """The stack hands ``selfHealing`` to the controller as it is (snake_case): the two models must agree."""
    from runtime.self_healing import HealingPolicy
    from stacks.stackspec._model import SelfHealingSpec

    assert set(SelfHealingSpec.model_fields) == set(HealingPolicy.model_fields)
    spec = SelfHealingSpec.model_validate(
        {
            "enabled": True,
            "autoPromote": True,
            "fairness": {"sensitiveFeature": "group", "maxDemographicParityDifference": 0.1},
        }
    )
    policy = HealingPolicy.model_validate(spec.model_dump())
    assert policy.auto_promote and policy.fairness is not None
    assert policy.fairness.limits() == {"max_demographic_parity_difference": 0.1}


GCP_VALID = {
    "cloud": "gcp",
    "stack": "fraud-dev",
    "project": "fraud-ml-prod",
    "region": "europe-west4",
    "residency_zone": "eu",
    "bucket": "fraud-dev-registry",
    "endpoints": {"scoring": "4242"},
    "prediction_log_dataset": "fraud_dev_logs",
    "training_service_account": "fraud-training@fraud-ml-prod.iam.gserviceaccount.com",
    "training_image": "europe-west4-docker.pkg.dev/fraud-ml-prod/fraud/mlkeel-runtime:self-healing-0.1.0",
}


def test_a_gcp_document_gives_the_gcp_configuration_and_an_aws_entry_point_refuses_it() -> None:
    from runtime.self_healing import GcpControllerConfig, load_any_config

    config = load_any_config(json.dumps(GCP_VALID))
    assert isinstance(config, GcpControllerConfig)
    assert config.log_table() == "fraud-ml-prod.fraud_dev_logs.request_response_logging"
    with pytest.raises(InputError, match="cloud"):
        load_config(json.dumps(GCP_VALID))
    with pytest.raises(InputError, match="lease_table"):
        load_any_config(json.dumps({**GCP_VALID, "lease_table": "x"}))  # an AWS field on GCP is refused


def test_config_from_state_reads_the_cloud_run_jobs_container_env(tmp_path: Path) -> None:
    env = [{"name": "MLKEEL_SELF_HEALING_CONFIG", "value": json.dumps(GCP_VALID)}]
    state = {
        "version": 3,
        "deployment": {
            "resources": [
                {
                    "urn": "urn:pulumi:fraud-dev::mlkeel::gcp:cloudrunv2/job:Job::self-healing",
                    "custom": True,
                    "type": "gcp:cloudrunv2/job:Job",
                    "inputs": {"template": {"template": {"containers": [{"envs": env}]}}},
                    "outputs": {},
                }
            ]
        },
    }
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    assert config_from_state(path).endpoints == {"scoring": "4242"}

"""``keel check`` as a user meets it: exit codes, report files, configuration, exemptions and bad input.

The report formats themselves are tested against the library in ``tests/policies/test_reports.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from stacks.cli import _register_all, app
from tests.policies._kit import STATES, load_cases, mutate, resource_urn, write_failing_state

RUNNER = CliRunner()
AWS = str(STATES / "aws_good.json")


def keel(*args: str) -> Result:
    if not any(info.name == "check" for info in app.registered_commands):
        _register_all()  # registering again would add every verb a second time
    return RUNNER.invoke(app, ["check", *args])


@pytest.fixture(scope="module")
def failing_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mandatory (public ACL) and one advisory (on-demand training) finding."""
    return write_failing_state(tmp_path_factory.mktemp("failing"))


def test_check_good_state_exits_zero() -> None:
    result = keel(AWS)
    assert result.exit_code == 0, result.output
    assert "passed" in result.output


def test_check_summary_lists_findings_and_exits_one(failing_state: Path) -> None:
    result = keel(str(failing_state))
    assert result.exit_code == 1
    assert "MLK_PUB_002" in result.output and "MLK_SPOT_001" in result.output
    assert "1 mandatory, 1 advisory" in result.output


def test_check_sarif_is_2_1_0_with_rules_and_levels(failing_state: Path, tmp_path: Path) -> None:
    out = tmp_path / "check.sarif"
    result = keel(str(failing_state), "--format", "sarif", "--output", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    assert (
        result.stderr
        == f"keel check: 1 mandatory violation in 1 stack, 1 advisory; report written to {out}\n"
    )
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"MLK_PUB_002": "error", "MLK_SPOT_001": "warning"}
    for r in run["results"]:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        assert r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].startswith("urn:pulumi:")


def test_check_exemption_by_urn_with_reason(failing_state: Path, tmp_path: Path) -> None:
    urn = resource_urn(json.loads(failing_state.read_text()), "fraud-dev-registry-artifacts")
    config = tmp_path / "policy-config.json"
    config.write_text(
        json.dumps(
            {"MLK_PUB_002": {"exemptions": [{"urn": urn, "reason": "public docs site, ticket SEC-12"}]}}
        )
    )
    result = keel(str(failing_state), "--config", str(config), "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)["findings"]
    assert {(f["rule_id"], f["status"]) for f in findings} == {
        ("MLK_PUB_002", "exempted"),
        ("MLK_SPOT_001", "violation"),
    }
    assert "SEC-12" in next(f["message"] for f in findings if f["status"] == "exempted")


def test_check_enforcement_override_from_config(failing_state: Path, tmp_path: Path) -> None:
    config = tmp_path / "policy-config.yaml"
    config.write_text("all: advisory\n")
    assert keel(str(failing_state), "--config", str(config)).exit_code == 0
    config.write_text("aws-s3-no-public-grants: disabled\nMLK_SPOT_001: mandatory\n")
    data = json.loads(keel(str(failing_state), "--config", str(config), "--format", "json").output)
    assert {(f["rule_id"], f["enforcement"]) for f in data["findings"]} == {("MLK_SPOT_001", "mandatory")}


def test_check_rule_settings_from_config(tmp_path: Path) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(
        json.dumps(
            {
                "MLK_SCALE_002": {
                    "enforcementLevel": "mandatory",
                    "allowedFamilies": {"aws": ["t3"], "gcp": []},
                }
            }
        )
    )
    result = keel(AWS, "--config", str(config), "--format", "json")
    assert result.exit_code == 1
    assert {f["rule_id"] for f in json.loads(result.output)["findings"]} == {"MLK_SCALE_002"}


def test_check_former_rule_name_still_configures_and_says_it_is_deprecated(tmp_path: Path) -> None:
    """Rules renamed cmk -> cmek keep their old names working in users' policy configs, with a note."""
    config = tmp_path / "policy-config.yaml"
    config.write_text("registry-encryption-cmk: disabled\n")
    state = tmp_path / "state.json"  # MLK_ENC_005 (registry-encryption-cmek) fails on it
    state.write_text(json.dumps(mutate(next(c for c in load_cases() if c.id == "MLK_ENC_005-ecr-aes256"))))
    result = keel(str(state), "--config", str(config), "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert (
        "'registry-encryption-cmk' is the former name of policy 'registry-encryption-cmek'" in result.output
    )
    config.write_text("registry-encryption-cmek: mandatory\nregistry-encryption-cmk: disabled\n")
    result = keel(str(state), "--config", str(config))
    assert result.exit_code == 2
    assert (
        f"{config}: registry-encryption-cmk = 'disabled': names policy 'registry-encryption-cmek'"
        in result.output
    )


def test_check_bad_config_exits_two(tmp_path: Path) -> None:
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps({"MLK_KMS_001": {"maxRotationDays": 10}}))
    result = keel(AWS, "--config", str(path))
    assert result.exit_code == 2
    assert (
        "maxRotationDays: 10 is less than the minimum of 90" in result.output and str(path) in result.output
    )


def _aws(mutator: Callable[[Any], Any]) -> str:
    data = json.loads(Path(AWS).read_text())
    mutator(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not valid JSON (line 1"),
        (json.dumps({"version": 2, "deployment": {}}), "version = 2: must be the number 3"),
        (json.dumps({"version": 3}), "deployment: is missing"),
        (
            _aws(lambda d: d["deployment"]["resources"][3].pop("type")),
            "deployment.resources[3].type: is missing",
        ),
        (
            _aws(lambda d: d["deployment"]["resources"][3].__setitem__("inputs", [])),
            "deployment.resources[3].inputs = []: must be an object",
        ),
        (
            _aws(lambda d: d["deployment"]["resources"][5].__setitem__("type", "aws:s3/buckt:Bucket")),
            "unknown resource types (not in the installed aws, gcp, kubernetes SDKs): aws:s3/buckt:Bucket",
        ),
        (_aws(lambda d: d["deployment"]["resources"].pop(1)), "must name a provider resource of this state"),
    ],
)  # fmt: skip
def test_check_bad_state_exits_two(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(text)
    result = keel(str(path))
    assert result.exit_code == 2
    assert message in result.output and str(path) in result.output


def test_check_missing_file_exits_two(tmp_path: Path) -> None:
    result = keel(str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "nope.json: state file not found" in result.output


def test_check_pack_that_crashes_gives_clear_error(tmp_path: Path) -> None:
    pack = tmp_path / "broken-pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (pack / "__main__.py").write_text("raise ImportError('policies module missing in this venv')\n")
    result = keel(AWS, "--pack", str(pack))
    assert result.exit_code == 2
    assert "exited with code 1 before serving" in result.output and "policies module missing" in result.output


def test_check_not_a_pack_dir(tmp_path: Path) -> None:
    result = keel(AWS, "--pack", str(tmp_path))
    assert result.exit_code == 2 and "no PulumiPolicy.yaml" in result.output


def test_check_example_policy_config_is_valid() -> None:
    result = keel(AWS, str(STATES / "gcp_good.json"), "--config", "policies/policy-config.json")
    assert result.exit_code == 0, result.output

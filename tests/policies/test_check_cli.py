"""``keel check`` as a user meets it: reports, configuration, exemptions and every kind of bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from policies import DEFAULT_PACK, check_files, render
from policies.analyzer import AnalyzerSession, PackError, PolicyConfigError, check_states, parse_state
from stacks.cli import _register_all, app

from ._kit import STATES, Case, load_cases, mutate, resource_urn

RUNNER = CliRunner()
AWS = str(STATES / "aws_good.json")


def keel(*args: str):
    _register_all()
    return RUNNER.invoke(app, ["check", *args])


@pytest.fixture(scope="module")
def failing_state(tmp_path_factory) -> Path:
    """The AWS base with a public ACL (mandatory, critical) and on-demand training (advisory, low)."""
    case = next(c for c in load_cases() if c.id == "MLK_PUB_002-public-read-acl")
    data = mutate(case)
    spot = Case("MLK_SPOT_001", "x", "aws_good.json", "fraud-dev-training-job", "violation", {}, {})
    assert spot.resource is not None
    for r in data["deployment"]["resources"]:
        if r["urn"] == resource_urn(data, spot.resource):
            r["inputs"]["enableManagedSpotTraining"] = False
    path = tmp_path_factory.mktemp("failing") / "fraud-dev.json"
    path.write_text(json.dumps(data))
    return path


def test_check_good_state_exits_zero():
    result = keel(AWS)
    assert result.exit_code == 0, result.output
    assert "passed" in result.output


def test_check_summary_lists_findings_and_exits_one(failing_state):
    result = keel(str(failing_state))
    assert result.exit_code == 1
    assert "MLK_PUB_002" in result.output and "MLK_SPOT_001" in result.output
    assert "1 mandatory, 1 advisory" in result.output


@pytest.fixture(scope="module")
def failing_result(failing_state):
    """The library call behind ``keel check``, run once; the renderers below all read it."""
    return check_files([failing_state])


def test_check_markdown_groups_by_severity(failing_result):
    text = render(failing_result, "markdown")
    assert text.index("#### Critical") < text.index("#### Low")
    assert "`fraud-dev-registry-artifacts`" in text and "How to fix" in text


def test_check_sarif_is_2_1_0_with_rules_and_levels(failing_state, tmp_path):
    out = tmp_path / "check.sarif"
    result = keel(str(failing_state), "--format", "sarif", "--output", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"keel check: 1 mandatory violation in 1 stack, 1 advisory; report written to {out}\n"
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"MLK_PUB_002": "error", "MLK_SPOT_001": "warning"}
    for r in run["results"]:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        assert r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].startswith("urn:pulumi:")


def test_check_junit_fails_only_mandatory(failing_result):
    root = ET.fromstring(render(failing_result, "junit").split("\n", 1)[1])
    assert root.get("failures") == "1"
    failed = [c.get("classname") for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed == ["mlkeel.MLK_PUB_002"]


def test_check_json_summary(failing_result):
    data = json.loads(render(failing_result, "json"))
    assert data["summary"]["mandatoryViolations"] == 1 and data["summary"]["advisoryViolations"] == 1
    assert data["summary"]["passed"] is False
    assert data["pack"] == {"name": "mlkeel", "version": "0.1.0"}


def test_check_exemption_by_urn_with_reason(failing_state, tmp_path):
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


def test_check_enforcement_override_from_config(failing_state, tmp_path):
    config = tmp_path / "policy-config.yaml"
    config.write_text("all: advisory\n")
    assert keel(str(failing_state), "--config", str(config)).exit_code == 0
    config.write_text("aws-s3-no-public-grants: disabled\nMLK_SPOT_001: mandatory\n")
    data = json.loads(keel(str(failing_state), "--config", str(config), "--format", "json").output)
    assert {(f["rule_id"], f["enforcement"]) for f in data["findings"]} == {("MLK_SPOT_001", "mandatory")}


def test_check_rule_settings_from_config(tmp_path):
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


@pytest.fixture(scope="module")
def session():
    with AnalyzerSession(DEFAULT_PACK, workers=1) as running:
        yield running


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"MLK_NOPE_001": "advisory"}, "no policy 'MLK_NOPE_001'"),
        ({"all": "strict"}, "enforcementLevel must be one of"),
        ({"MLK_KMS_001": {"maxRotationDays": "long"}}, "maxRotationDays"),
        ({"MLK_KMS_001": {"maxRotationDay": 30}}, "no setting 'maxRotationDay'"),
        ({"MLK_PUB_001": {"exemptions": [{"urn": "urn:x"}]}}, "'reason' is a required property"),
    ],
)
def test_configure_rejects_bad_config(session, config, message):
    with pytest.raises(PolicyConfigError, match=re.escape(message)):
        session.configure(config, "policy-config.json")


def test_check_bad_config_exits_two(tmp_path):
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps({"MLK_KMS_001": {"maxRotationDays": 10}}))
    result = keel(AWS, "--config", str(path))
    assert result.exit_code == 2
    assert (
        "maxRotationDays: 10 is less than the minimum of 90" in result.output and str(path) in result.output
    )


def _bad_state(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "state.json"
    path.write_text(text)
    return path


def _aws(mutator) -> str:
    data = json.loads(Path(AWS).read_text())
    mutator(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not valid JSON (line 1"),
        (json.dumps({"version": 2, "deployment": {}}), "version = 2: must be the number 3"),
        (json.dumps({"version": 3}), "deployment: is missing"),
        (_aws(lambda d: d["deployment"]["resources"][3].pop("type")), "deployment.resources[3].type: is missing"),
        (_aws(lambda d: d["deployment"]["resources"][3].__setitem__("inputs", [])), "deployment.resources[3].inputs = []: must be an object"),
        (
            _aws(lambda d: d["deployment"]["resources"][5].__setitem__("type", "aws:s3/buckt:Bucket")),
            "unknown resource types (not in the installed aws, gcp, kubernetes SDKs): aws:s3/buckt:Bucket",
        ),
        (_aws(lambda d: d["deployment"]["resources"].pop(1)), "must name a provider resource of this state"),
    ],
)
def test_check_bad_state_exits_two(tmp_path, text, message):
    path = _bad_state(tmp_path, text)
    result = keel(str(path))
    assert result.exit_code == 2
    assert message in result.output and str(path) in result.output


def test_check_missing_file_exits_two(tmp_path):
    result = keel(str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "nope.json: state file not found" in result.output


def test_check_pack_that_crashes_gives_clear_error(tmp_path):
    pack = tmp_path / "broken-pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (pack / "__main__.py").write_text("raise ImportError('policies module missing in this venv')\n")
    result = keel(AWS, "--pack", str(pack))
    assert result.exit_code == 2
    assert "exited with code 1 before serving" in result.output and "policies module missing" in result.output


def test_check_pack_that_hangs_times_out(tmp_path):
    pack = tmp_path / "hanging-pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("import time\ntime.sleep(600)\n")
    state = parse_state(Path(AWS).read_text(), Path(AWS))
    with pytest.raises(PackError, match="did not print its port within 2s"):
        check_states([state], pack, workers=1, start_timeout=2)


def test_check_not_a_pack_dir(tmp_path):
    result = keel(AWS, "--pack", str(tmp_path))
    assert result.exit_code == 2 and "no PulumiPolicy.yaml" in result.output


def test_check_example_policy_config_is_valid():
    result = keel(AWS, str(STATES / "gcp_good.json"), "--config", "policies/policy-config.json")
    assert result.exit_code == 0, result.output

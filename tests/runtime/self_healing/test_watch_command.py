"""``keel watch``: the stack's loop from the command line, dry run and real run, against moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stacks.cli import _register_all, app
from tests.runtime.self_healing._stack import ENDPOINT, Stack


@pytest.fixture
def cli_env(stack: Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("MLKEEL_AWS_ENDPOINT_URL", stack.url)
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    stack.clock.now = datetime.now(UTC)
    stack.capture("drifted", minutes_ago=5)
    path = tmp_path / "controller.json"
    path.write_text(stack.config().model_dump_json())
    return path


def test_keel_watch_dry_run_prints_the_decision_and_changes_nothing(stack: Stack, cli_env: Path) -> None:
    _register_all()
    result = CliRunner().invoke(app, ["watch", "--config", str(cli_env), "--dry-run"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["endpoints"][ENDPOINT]["decision"] == "retrain"
    assert stack.training_jobs() == [] and stack.audit() == []


def test_keel_watch_runs_one_cycle(stack: Stack, cli_env: Path) -> None:
    _register_all()
    result = CliRunner().invoke(app, ["watch", "--config", str(cli_env)])
    assert result.exit_code == 0, result.output
    assert len(stack.training_jobs()) == 1
    assert [r["step"] for r in stack.audit()][-1] == "run-end"


def test_keel_watch_needs_a_stack_a_state_or_a_configuration() -> None:
    _register_all()
    result = CliRunner().invoke(app, ["watch"])
    assert result.exit_code == 2
    assert "--stack NAME" in result.output and "--state STATE.json" in result.output


def _state(stack: Stack, path: Path) -> Path:
    """An exported state holding the self-healing function, as `pulumi stack export` prints it."""
    function = {
        "urn": "urn:pulumi:fraud-dev::mlkeel::mlkeel:index:AwsSelfHealing$aws:lambda/function:Function::fn",
        "type": "aws:lambda/function:Function",
        "custom": True,
        "inputs": {
            "environment": {"variables": {"MLKEEL_SELF_HEALING_CONFIG": stack.config().model_dump_json()}}
        },
    }
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": [function]}}), encoding="utf-8")
    return path


def test_keel_watch_reads_an_exported_state_file(stack: Stack, cli_env: Path, tmp_path: Path) -> None:
    _register_all()
    state = _state(stack, tmp_path / "fraud-dev.json")
    result = CliRunner().invoke(app, ["watch", "--state", str(state), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["endpoints"][ENDPOINT]["decision"] == "retrain"


def test_keel_watch_stack_name_runs_pulumi_stack_export(
    stack: Stack, cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in `pulumi` on PATH (test support: prints the state and records its arguments)."""
    state = _state(stack, tmp_path / "exported.json")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pulumi"
    fake.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\ncat {state}\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    _register_all()
    result = CliRunner().invoke(app, ["watch", "--stack", "fraud-dev", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "args").read_text().split() == ["stack", "export", "--stack", "fraud-dev"]
    assert json.loads(result.stdout)["endpoints"][ENDPOINT]["decision"] == "retrain"


def test_keel_watch_stack_name_without_pulumi_on_path_exits_2_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    _register_all()
    result = CliRunner().invoke(app, ["watch", "--stack", "fraud-dev"])
    assert result.exit_code == 2
    assert "needs the pulumi CLI on PATH" in result.output and "--state STATE.json" in result.output


def test_keel_watch_stack_name_that_is_a_state_file_points_to_state(tmp_path: Path) -> None:
    state = tmp_path / "fraud-dev.json"
    state.write_text("{}", encoding="utf-8")
    _register_all()
    result = CliRunner().invoke(app, ["watch", "--stack", str(state)])
    assert result.exit_code == 2
    assert f"use --state {state}" in result.output


def test_keel_watch_stack_export_failure_exits_2_with_pulumis_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "pulumi"
    fake.write_text(
        "#!/bin/sh\necho 'error: no stack named fraud-prod found' >&2\nexit 255\n", encoding="utf-8"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    _register_all()
    result = CliRunner().invoke(app, ["watch", "--stack", "fraud-prod"])
    assert result.exit_code == 2
    assert "no stack named fraud-prod found" in result.output

"""The keel command line: verbs, exit codes and messages (issue 2)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stacks.cli import _register_all, app, main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "spec"
runner = CliRunner()
_register_all()


def test_cli_help_lists_every_verb() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for verb in ("new-team", "plan"):
        assert verb in result.output


def test_cli_typo_suggests_the_nearest_verb(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["plna"])
    assert info.value.code == 2
    assert "Did you mean 'plan'?" in capsys.readouterr().err


def test_cli_plan_bad_spec_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "state.json"
    result = runner.invoke(app, ["plan", str(FIXTURES / "bad" / "Pulumi.typo-key.yaml"), "--output", str(out)])
    assert result.exit_code == 2
    assert "Did you mean 'training'" in result.output
    assert not out.exists()


def test_cli_plan_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", str(tmp_path / "Pulumi.nope.yaml")])
    assert result.exit_code == 2 and "no such stack file" in result.output


def test_cli_plan_writes_state_in_export_format(tmp_path: Path) -> None:
    out = tmp_path / "fraud-dev.json"
    result = runner.invoke(app, ["plan", str(ROOT / "stacks/config/Pulumi.fraud-dev.yaml"), "-o", str(out), "--no-tree"])
    assert result.exit_code == 0, result.output
    state = json.loads(out.read_text())
    assert state["version"] == 3 and state["deployment"]["resources"][0]["type"] == "pulumi:pulumi:Stack"
    assert "fraud-dev:" in result.output


def test_cli_plan_several_stacks_in_parallel_processes(tmp_path: Path) -> None:
    stacks = [str(ROOT / "stacks/config" / f"Pulumi.{s}.yaml") for s in ("fraud-dev", "risk-prod")]
    proc = subprocess.run(
        [sys.executable, "-m", "stacks.cli", "plan", *stacks, "-o", str(tmp_path), "--no-tree", "-j", "2"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fraud-dev.json", "risk-prod.json"]


def test_cli_new_team_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    monkeypatch.chdir(tmp_path)
    args = ["new-team", "payments", "--template", "small-aws", "--env", "prod", "--cost-center", "cc-9", "--owner", "kim"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert (tmp_path / "stacks/config/Pulumi.payments-prod.yaml").exists()
    second = runner.invoke(app, args)
    assert second.exit_code == 2 and "already exists" in second.output
    bad = runner.invoke(app, ["new-team", "payments", "--template", "nope", "--cost-center", "c", "--owner", "o"])
    assert bad.exit_code == 2 and "no such template" in bad.output

"""The keel command line: verbs, exit codes and messages (issue 2)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stacks.cli import _register_all, app, main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "spec"
runner = CliRunner()
_register_all()


def test_cli_help_lists_every_verb() -> None:
    from stacks.cli import VERB_MODULES

    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    listed = set(re.findall(r"^[│|]\s+([a-z][a-z-]*)\s", result.output, re.M))
    assert {module.replace("_", "-") for module in VERB_MODULES} <= listed, result.output


def test_cli_typo_suggests_the_nearest_verb(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["plna"])
    assert info.value.code == 2
    assert "Did you mean 'plan'?" in capsys.readouterr().err


def test_cli_plan_bad_spec_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "state.json"
    result = runner.invoke(
        app, ["plan", str(FIXTURES / "bad" / "Pulumi.typo-key.yaml"), "--output", str(out)]
    )
    assert result.exit_code == 2
    assert "Did you mean 'training'" in result.output
    assert not out.exists()


def test_cli_plan_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", str(tmp_path / "Pulumi.nope.yaml")])
    assert result.exit_code == 2 and "no such stack file" in result.output


def test_cli_plan_writes_state_in_export_format(tmp_path: Path) -> None:
    out = tmp_path / "fraud-dev.json"
    result = runner.invoke(
        app, ["plan", str(ROOT / "stacks/config/Pulumi.fraud-dev.yaml"), "-o", str(out), "--no-tree"]
    )
    assert result.exit_code == 0, result.output
    state = json.loads(out.read_text())
    assert state["version"] == 3 and state["deployment"]["resources"][0]["type"] == "pulumi:pulumi:Stack"
    assert "fraud-dev:" in result.output


def test_cli_plan_several_stacks_in_parallel_processes(tmp_path: Path) -> None:
    stacks = [str(ROOT / "stacks/config" / f"Pulumi.{s}.yaml") for s in ("fraud-dev", "risk-prod")]
    proc = subprocess.run(
        [sys.executable, "-m", "stacks.cli", "plan", *stacks, "-o", str(tmp_path), "--no-tree", "-j", "2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fraud-dev.json", "risk-prod.json"]


def test_cli_new_team_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    monkeypatch.chdir(tmp_path)
    args = [
        "new-team",
        "payments",
        "--template",
        "small-aws",
        "--env",
        "prod",
        "--cost-center",
        "cc-9",
        "--owner",
        "kim",
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert (tmp_path / "stacks/config/Pulumi.payments-prod.yaml").exists()
    second = runner.invoke(app, args)
    assert second.exit_code == 2 and "already exists" in second.output
    bad = runner.invoke(
        app, ["new-team", "payments", "--template", "nope", "--cost-center", "c", "--owner", "o"]
    )
    assert bad.exit_code == 2 and "no such template" in bad.output


# -- every bad input ends in exit 2 with the file, the field, the value and what is allowed ----------------
BAD = FIXTURES / "bad"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("Pulumi.duplicate-key.yaml", "mlkeel:team (line 4): is given twice"),
        ("Pulumi.region-trailing-space.yaml", "mlkeel:region = 'us-east-1 ': must be an AWS region code"),
        ("Pulumi.region-availability-zone.yaml", "did you mean 'us-east-1'?"),
        ("Pulumi.canary-percent-bool.yaml", "canaryPercent = true: must be a number"),
        ("Pulumi.infinite-number.yaml", "minGpuMemoryGib = Infinity: must be a finite number"),
        ("Pulumi.binary-value.yaml", "mlkeel:tags.blob: is !!binary data"),
        ("Pulumi.region-date.yaml", "mlkeel:region = '2000-01-01': must be an AWS region code"),
    ],
)
def test_cli_plan_bad_input_exits_2_naming_file_and_field(
    tmp_path: Path, fixture: str, expected: str
) -> None:
    result = runner.invoke(app, ["plan", str(BAD / fixture), "-o", str(tmp_path / "s.json"), "--no-tree"])
    assert result.exit_code == 2, result.output
    assert fixture in result.output and expected in " ".join(result.output.split()), result.output
    assert not (tmp_path / "s.json").exists()


def test_cli_plan_non_utf8_stack_file_exits_2_naming_it(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_bytes(b"config:\n  mlkeel:team: \xff\xfe\n")
    proc = subprocess.run(
        [sys.executable, "-m", "stacks.cli", "plan", str(stack)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Pulumi.dev.yaml" in proc.stderr and "is not UTF-8 text" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_plan_fifo_named_like_a_stack_file_exits_2_without_hanging(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    os.mkfifo(tmp_path / "Pulumi.dev.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", "stacks.cli", "plan", str(tmp_path / "Pulumi.dev.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2 and "is not a regular file" in proc.stderr, proc.stderr


def _new_team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str):  # type: ignore[no-untyped-def]
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    monkeypatch.chdir(tmp_path)
    return runner.invoke(app, ["new-team", *args])


def test_cli_new_team_list_needs_no_team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _new_team(tmp_path, monkeypatch, "--list")
    assert result.exit_code == 0, result.output
    assert "small-aws" in result.output and "-p monthlyLimitUsd=..." in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], "missing the TEAM argument"),
        (["pay", "--owner", "kim"], "new-team: --cost-center: is required"),
        (["pay", "--cost-center", "cc-1"], "new-team: --owner: is required"),
        (
            ["pay", "--cost-center", "cc-1", "--owner", "kim", "-p", "regoin=us-east-2"],
            "--param regoin = 'us-east-2': template 'small-aws' has no such parameter; "
            "did you mean 'region'?",
        ),
        (["pay", "--cost-center", "cc-1", "--owner", "kim", "-p", "region"], "expected KEY=VALUE"),
        (["pay", "--cost-center", "cc-1", "--owner", "kim", "-p", "team=x"], "set by keel new-team itself"),
        (
            ["pay", "--cost-center", "cc-1", "--owner", "kim", "--region", "US-EAST-2"],
            "mlkeel:region = 'US-EAST-2': must be an AWS region code such as 'eu-west-1'",
        ),
        (
            ["pay", "--cost-center", "cc-1", "--owner", "kim", "--region", "eu-west-1"],
            "is outside residency zone 'us'; "
            "regions in residency zone 'us' this stack can use: us-east-1, us-west-2",
        ),
        (
            ["pay", "--cost-center", "cc-1", "--owner", "kim", "--stack-dir", "/nonexistent/stacks"],
            "--stack-dir /nonexistent/stacks: no such folder",
        ),
        (
            ["pay", "--cost-center", "cc-1", "--owner", "kim", "--env", "qa"],
            "--env = 'qa': must be one of dev",
        ),
        (
            ["pay", "--cost-center", "cc-1", "--owner", "kim", "-p", "monthlyLimitUsd=inf"],
            "--param monthlyLimitUsd = 'inf': must be a finite number",
        ),
    ],
)
def test_cli_new_team_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    result = _new_team(tmp_path, monkeypatch, *args)
    assert result.exit_code == 2, result.output
    assert expected in " ".join(result.output.split()), result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.yaml"]
    assert not Path("/nonexistent").exists()


def test_cli_new_team_missing_options_reported_together_without_follow_on_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _new_team(tmp_path, monkeypatch, "pay")
    assert result.exit_code == 2
    assert "2 problems:" in result.output and "e-mail" not in result.output and "''" not in result.output


# -- SIGTERM stops keel plan -j and all its workers ---------------------------------------------------------
def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _start_plan(tmp_path: Path) -> tuple[subprocess.Popen[str], set[int]]:
    """``keel plan -j 2`` on four stacks, once both its workers are running."""
    stacks = [
        str(ROOT / "stacks/config" / f"Pulumi.{s}.yaml") for s in ("fraud-dev", "risk-prod", "vision-prod")
    ]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stacks.cli",
            "plan",
            *stacks,
            *stacks[:1],
            "-o",
            str(tmp_path),
            "--no-tree",
            "-j",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.05)
    if len(workers) < 2:
        proc.kill()
        pytest.fail("keel plan -j 2 started no workers")
    time.sleep(0.5)  # let them start planning
    return proc, workers


def _wait_gone(workers: set[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    return [pid for pid in workers if _alive(pid)]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the workers")
def test_cli_plan_sigterm_stops_keel_and_every_worker_at_once(tmp_path: Path) -> None:
    proc, workers = _start_plan(tmp_path)
    try:
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err  # 128 + SIGTERM, as a shell reports a terminated job
    assert "keel: stopped" in err, err
    assert "Traceback" not in err, err
    assert took < 3, f"keel waited {took:.1f}s for its workers to finish instead of stopping them"
    assert not _wait_gone(workers, 3), "workers outlived keel plan"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_cli_plan_workers_die_even_when_keel_is_killed(tmp_path: Path) -> None:
    """SIGKILL runs no clean-up in keel: the kernel must stop the workers (die_with_parent)."""
    proc, workers = _start_plan(tmp_path)
    proc.kill()
    proc.communicate(timeout=60)
    assert not _wait_gone(workers, 10), "workers outlived a killed keel plan"

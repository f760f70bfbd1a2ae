"""``keel schedule``: the command on the real catalog with a small EU stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stacks.cli import app

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "runtime" / "scheduling" / "fixtures"  # shared with the scheduling tests
STACK = FIXTURES / "Pulumi.fraud-dev.yaml"
EXAMPLE = ROOT / "stacks" / "config" / "jobs.example.yaml"


def test_schedule_json_places_each_job_within_residency(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["schedule", str(FIXTURES / "jobs-ok.yaml"), "--stack", str(STACK), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["residency_zone"] == "eu" and report["home_region"] == "eu-west-1"
    jobs = {j["job"]: j for j in report["jobs"]}
    assert jobs["relaxed"]["plan"]["purchase"] == "spot"
    assert jobs["urgent"]["plan"]["purchase"] == "on-demand"
    for job in jobs.values():
        assert job["plan"]["region"] in {"eu-west-1", "eu-central-1"}  # EU regions of the catalog
        assert job["runner_up"] is not None
        assert job["baseline_on_demand_home"]["region"] == "eu-west-1"
    relaxed = jobs["relaxed"]
    assert relaxed["savings_usd"] == pytest.approx(
        relaxed["baseline_on_demand_home"]["expected_cost"] - relaxed["plan"]["expected_cost"], abs=1e-5
    )
    assert relaxed["plan"]["checkpoint_interval_hours"] > 0


def test_schedule_table_shows_plan_runner_up_savings_and_checkpoint(
    runner: CliRunner, tmp_path: Path
) -> None:
    chart = tmp_path / "cost.html"
    result = runner.invoke(
        app,
        [
            "schedule",
            str(EXAMPLE),
            "--stack",
            str(STACK),
            "--now",
            "2026-11-22T04:00:00Z",
            "--chart",
            str(chart),
        ],
    )
    assert result.exit_code == 0, result.output
    for heading in ("runner-up", "on-demand home", "savings", "checkpoint", "exp. cost"):
        assert heading in result.stdout
    assert "Shared quotas solved together: ilp, status optimal" in result.stdout
    assert (
        "fraud-hotfix-retrain" in result.stdout
        and "on-demand because no spot plan meets the deadline" in result.stdout
    )
    assert "plotly" in chart.read_text(encoding="utf-8")


def test_schedule_impossible_jobs_exit_2_naming_the_constraint(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schedule", str(FIXTURES / "jobs-impossible.yaml"), "--stack", str(STACK)])
    assert result.exit_code == 2
    assert (
        "job 'giant': no offer in aws/eu-central-1, aws/eu-west-1 meets minGpuMemoryGib ≥ 200"
        in result.stderr
    )
    assert "job 'hurried': deadline 2 h is shorter than the fastest run: 10.00 h" in result.stderr


def test_schedule_bad_jobs_file_exits_2_with_file_field_value(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schedule", str(FIXTURES / "jobs-bad-fields.yaml"), "--stack", str(STACK)])
    assert result.exit_code == 2
    assert "jobs[0].deadlineHours = -1: must be greater than 0" in result.stderr


def test_schedule_bad_stack_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.bad.yaml"
    stack.write_text("config:\n  mlkeel:team: fraud\n  mlkeel:cloud: azure\n", encoding="utf-8")
    result = runner.invoke(app, ["schedule", str(FIXTURES / "jobs-ok.yaml"), "--stack", str(stack)])
    assert result.exit_code == 2
    assert "mlkeel:cloud = 'azure'" in result.stderr
    missing = runner.invoke(
        app, ["schedule", str(FIXTURES / "jobs-ok.yaml"), "--stack", str(tmp_path / "none.yaml")]
    )
    assert missing.exit_code == 2 and "none.yaml: stack file not found" in missing.stderr


def test_schedule_bad_now_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["schedule", str(FIXTURES / "jobs-ok.yaml"), "--stack", str(STACK), "--now", "noon"]
    )
    assert result.exit_code == 2 and "--now = 'noon'" in result.stderr


def test_schedule_interruption_scale_sends_fragile_jobs_on_demand(runner: CliRunner) -> None:
    args = ["schedule", str(EXAMPLE), "--stack", str(STACK), "--format", "json", "--time-limit", "20"]
    calm = json.loads(runner.invoke(app, args).stdout)
    stormy = json.loads(runner.invoke(app, [*args, "--interruption-scale", "1000"]).stdout)

    def purchase(report: dict, name: str) -> str:
        return next(j["plan"]["purchase"] for j in report["jobs"] if j["job"] == name)

    assert purchase(calm, "fraud-feature-backfill") == "spot"
    assert purchase(stormy, "fraud-feature-backfill") == "on-demand"  # 30 h without checkpoints

"""``keel review`` end to end on a real git repository: a pull request that adds a GPU endpoint and stops
encrypting the buckets must get one comment showing the new violation and the cost increase, and exit 1."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from stacks.cli import _register_all, app
from stacks.review import MARKER

from .conftest import STACK_FILE, PullRequestRepo, git


@dataclass(frozen=True)
class Reviewed:
    exit_code: int
    stderr: str
    comment: str
    document: dict
    sarif: dict
    junit: ET.Element


@pytest.fixture(scope="module")
def reviewed(pr_repo: PullRequestRepo, tmp_path_factory: pytest.TempPathFactory) -> Reviewed:
    _register_all()
    out = tmp_path_factory.mktemp("review-out")
    result = CliRunner().invoke(
        app,
        [
            "review", "main", pr_repo.head, "--project", str(pr_repo.path),
            "--output", str(out / "comment.md"), "--json", str(out / "review.json"),
            "--sarif", str(out / "review.sarif"), "--junit", str(out / "review.xml"),
        ],
    )  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return Reviewed(
        result.exit_code,
        result.stderr,
        (out / "comment.md").read_text(),
        json.loads((out / "review.json").read_text()),
        json.loads((out / "review.sarif").read_text()),
        ET.fromstring((out / "review.xml").read_text().split("\n", 1)[1]),
    )


def test_review_exits_1_on_a_new_mandatory_violation(reviewed: Reviewed) -> None:
    assert reviewed.exit_code == 1, reviewed.stderr
    assert "3 new violation(s)" in reviewed.stderr and "(exit 1)" in reviewed.stderr


def test_comment_shows_the_new_violation_with_why_and_remediation(reviewed: Reviewed) -> None:
    comment = reviewed.comment
    assert comment.startswith(MARKER + "\n")
    assert "## ❌ mlkeel review" in comment
    assert "#### New violations (3)" in comment
    row = next(line for line in comment.splitlines() if "`fraud-dev-registry-artifacts`" in line)
    assert "⛔ mandatory" in row and "MLK_STACK_001" in row
    assert "BucketServerSideEncryptionConfiguration" in row  # the finding
    assert "separate resources" in row  # why (the rule's reason)
    assert "Create both side resources" in row  # how to fix


def test_comment_shows_the_cost_increase_driven_by_the_gpu_endpoint(reviewed: Reviewed) -> None:
    comment = reviewed.comment
    delta = reviewed.document["summary"]["monthlyDelta"]
    assert delta > 1000  # two ml.g5.2xlarge replicas around the clock
    assert f"**+${delta:,.2f} / month**" in comment
    for key in ("By team", "By cost-center", "By component"):
        assert f"#### {key}" in comment
    assert "| fraud | " in comment and "| cc-4411 | " in comment and "| serving | " in comment
    drivers = comment.split("#### What drives it", 1)[1]
    first = next(line for line in drivers.splitlines() if line.startswith("| added"))
    assert "`fraud-dev-serving-genai-endpoint`" in first  # the most expensive change first
    assert "### Budget" in comment and "| fraud-dev | $4,000.00 |" in comment


def test_json_document_carries_everything(reviewed: Reviewed) -> None:
    doc = reviewed.document
    assert doc["kind"] == "review" and doc["exitCode"] == 1 and doc["passed"] is False
    [stack] = doc["stacks"]
    assert stack["stack"] == "fraud-dev" and stack["status"] == "modified"
    assert stack["headFile"] == STACK_FILE
    assert {f["resource_name"] for f in stack["policy"]["new"]} == {
        "fraud-dev-registry-artifacts",
        "fraud-dev-features-offline",
        "fraud-dev-audit-logs",
    }
    assert all(f["why"] and f["remediation"] and f["blocking"] for f in stack["policy"]["new"])
    assert stack["cost"]["kind"] == "diff" and stack["cost"]["totalDelta"] > 1000
    assert stack["budget"]["limit"] == 4000 and stack["overBudget"] is False
    added = {r["name"] for r in stack["cost"]["resources"] if r["change"] == "added"}
    assert "fraud-dev-serving-genai-endpoint" in added


def test_sarif_annotates_the_head_stack_file_and_marks_new_results(reviewed: Reviewed) -> None:
    run = reviewed.sarif["runs"][0]
    results = run["results"]
    assert len(results) == 3
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {STACK_FILE}
    assert {r["baselineState"] for r in results} == {"new"}
    assert {r["level"] for r in results} == {"error"}


def test_junit_fails_the_policy_and_records_the_budget(reviewed: Reviewed) -> None:
    failures = [case for case in reviewed.junit.iter("testcase") if case.find("failure") is not None]
    assert [case.get("classname") for case in failures] == ["mlkeel.MLK_STACK_001"]
    budget = [case for case in reviewed.junit.iter("testcase") if case.get("classname") == "mlkeel.budget"]
    assert len(budget) == 1 and budget[0].find("system-out") is not None


def test_review_leaves_the_working_tree_and_the_repository_alone(
    pr_repo: PullRequestRepo, reviewed: Reviewed
) -> None:
    assert reviewed.exit_code == 1
    assert git(pr_repo.path, "status", "--porcelain") == ""
    assert len(git(pr_repo.path, "worktree", "list").splitlines()) == 1
    assert git(pr_repo.path, "rev-parse", "--abbrev-ref", "HEAD").strip() == "gpu-endpoint"


def test_a_change_that_touches_no_stack_plans_nothing_and_passes(pr_repo: PullRequestRepo) -> None:
    from stacks.review import render_markdown, review_change

    review = review_change(pr_repo.head, pr_repo.docs_only, project=pr_repo.path)
    assert review.stacks == [] and review.exit_code == 0 and review.plan_seconds == 0.0
    comment = render_markdown(review)
    assert comment.startswith(MARKER) and "no stack changed" in comment


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["review", "no-such-branch"], "BASE_REF = 'no-such-branch': no such commit"),
        (["review", "main", "--program", "nightly"], "--program has bad value 'nightly'"),
        (["review", "main", "--format", "html"], "--format has bad value 'html'"),
    ],
)
def test_bad_input_exits_2_naming_what_is_wrong(
    pr_repo: PullRequestRepo, args: list[str], message: str
) -> None:
    _register_all()
    result = CliRunner().invoke(app, [*args, "--project", str(pr_repo.path)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_outside_a_git_repository_exits_2(tmp_path: Path) -> None:
    _register_all()
    result = CliRunner().invoke(app, ["review", "main", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.stderr


def test_reverting_the_change_lists_the_fixed_violations_and_the_saving(pr_repo: PullRequestRepo) -> None:
    from stacks.review import render_markdown, review_change

    review = review_change(pr_repo.head, pr_repo.base, project=pr_repo.path, use_merge_base=False)
    assert review.exit_code == 0 and review.new_violations == []
    assert {f.resource_name for f in review.fixed_violations} == {
        "fraud-dev-registry-artifacts",
        "fraud-dev-features-offline",
        "fraud-dev-audit-logs",
    }
    assert review.cost is not None and review.cost.total_delta < -1000
    comment = render_markdown(review)
    assert "## ✅ mlkeel review: 3 fixed · -$" in comment
    assert "<details><summary><b>✅ Fixed by this change (3)</b></summary>" in comment

"""The review comment stays within GitHub's and GitLab's size limits by folding and cutting long sections."""

from __future__ import annotations

import json

import pytest

from policies.analyzer import CheckResult, Finding, PolicyInfo
from runtime.cost import CostDiff, Estimate, ResourceDelta
from stacks.review import (
    GITHUB_COMMENT_LIMIT,
    GITLAB_NOTE_LIMIT,
    MARKER,
    Review,
    Revision,
    StackChange,
    StackReview,
    render_json,
    render_markdown,
)

STACK_FILE = "stacks/config/Pulumi.big-prod.yaml"
POLICY = PolicyInfo(
    name="aws-s3-bucket-encryption-cmek",
    rule_id="MLK_ENC_001",
    title="Ensure S3 buckets are encrypted with the stack's KMS key",
    severity="high",
    enforcement="mandatory",
    kind="resource",
    remediation="Set sseAlgorithm aws:kms and kmsMasterKeyId to the stack key.",
)


def _finding(i: int) -> Finding:
    return Finding(
        state="stacks/config/Pulumi.big-prod.yaml",
        policy=POLICY.name,
        rule_id=POLICY.rule_id,
        title=POLICY.title,
        severity="high",
        enforcement="mandatory",
        status="violation",
        urn=f"urn:pulumi:big-prod::mlkeel::aws:s3/bucket:Bucket::bucket-{i}",
        resource_type="aws:s3/bucket:Bucket",
        resource_name=f"big-prod-bucket-{i}",
        message=f"bucket big-prod-bucket-{i} is encrypted with AES256, not the stack's KMS key " + "x" * 200,
    )


def _review(violations: int, resources: int) -> Review:
    findings = [_finding(i) for i in range(violations)]
    deltas = [
        ResourceDelta(
            urn=f"urn:pulumi:big-prod::mlkeel::aws:sagemaker/endpoint:Endpoint::endpoint-{i}",
            name=f"big-prod-endpoint-{i}",
            type="aws:sagemaker/endpoint:Endpoint",
            change="added",
            base=0.0,
            head=100.0 + i,
            base_status="",
            head_status="priced",
            tags={"team": f"team-{i % 40}", "cost-center": f"cc-{i % 30}", "component": "serving"},
            summary=f"added at ${100 + i:,.2f}/month " + "y" * 150,
        )
        for i in range(resources)
    ]
    empty = Estimate(stacks=["big-prod"], resources=[], catalog_source="test", catalog_as_of="2025-05-01")
    diff = CostDiff(base=empty, head=empty, resources=deltas)
    check = CheckResult(pack="mlkeel", pack_version="0.1.0", policies={POLICY.name: POLICY}, states=[])
    check.findings = findings
    stack = StackReview(
        change=StackChange("big-prod", "modified", STACK_FILE, STACK_FILE),
        new=findings,
        diff=diff,
    )  # fmt: skip
    return Review(
        base=Revision("main", "a" * 40),
        head=Revision("feature", "b" * 40),
        stacks=[stack],
        check=check,
        cost=diff,
    )


def test_a_huge_review_fits_a_github_comment() -> None:
    review = _review(violations=5000, resources=5000)
    comment = render_markdown(review, GITHUB_COMMENT_LIMIT)
    assert len(comment) <= GITHUB_COMMENT_LIMIT
    assert comment.startswith(MARKER)
    assert "## ❌ mlkeel review: 5000 new violations (mandatory)" in comment  # counts are never cut
    assert "<details><summary><b>New violations (5000)</b></summary>" in comment
    assert "more (all in the JSON report)" in comment
    assert comment.rstrip().endswith("</sub>")  # cut by rows, not in the middle of the footer


def test_a_gitlab_note_keeps_more_rows_within_its_larger_limit() -> None:
    review = _review(violations=5000, resources=5000)
    github = render_markdown(review, GITHUB_COMMENT_LIMIT)
    gitlab = render_markdown(review, GITLAB_NOTE_LIMIT)
    assert GITHUB_COMMENT_LIMIT < len(gitlab) <= GITLAB_NOTE_LIMIT
    assert gitlab.count("| ⛔ mandatory |") > github.count("| ⛔ mandatory |")


def test_a_small_review_is_neither_cut_nor_folded() -> None:
    comment = render_markdown(_review(violations=3, resources=4))
    assert "more (all in the JSON report)" not in comment
    assert "#### New violations (3)" in comment and "#### What drives it (4 resources)" in comment
    assert comment.count("| ⛔ mandatory |") == 3


def test_the_hard_cut_applies_when_rows_alone_cannot_make_it_fit() -> None:
    review = _review(violations=50, resources=50)
    review.stacks[0].errors["head"] = "Traceback: " + "a long plan error " * 200  # shown, not a table row
    comment = render_markdown(review, max_chars=2_000)
    assert len(comment) <= 2_000
    assert comment.startswith(MARKER) and "comment cut to fit" in comment


@pytest.mark.parametrize("violations", [0, 7])
def test_the_json_document_is_never_cut(violations: int) -> None:
    document = json.loads(render_json(_review(violations=violations, resources=3)))
    assert len(document["stacks"][0]["policy"]["new"]) == violations
    assert document["summary"]["newViolations"] == violations
    assert document["exitCode"] == (1 if violations else 0)

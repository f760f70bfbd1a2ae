"""AwsAudit: a validated, encrypted, multi-region CloudTrail trail with S3 data events on the stack's data
buckets, logging into its own private bucket kept as long as the spec says (issue 2)."""

from __future__ import annotations

import json

from stacks.engine import PlanResult

from .aws_plans import PLANS, full, full_config, key_arn, one


def _audited(plan: PlanResult) -> bool:
    return bool(plan.by_type("mlkeel:index:AwsAudit"))


def test_audit_aws_every_stack_with_audit_keeps_a_validated_encrypted_trail(aws_plan: PlanResult) -> None:
    if not _audited(aws_plan):  # audit off: no trail and no audit bucket at all
        assert not aws_plan.by_type("aws:cloudtrail/trail:Trail")
        assert not [b for b in aws_plan.by_type("aws:s3/bucket:Bucket") if b["urn"].endswith("-audit-logs")]
        return
    trail = one(aws_plan, "aws:cloudtrail/trail:Trail", "-audit-trail")
    inputs = trail["inputs"]
    assert inputs["enableLogFileValidation"] is True and inputs["enableLogging"] is True
    assert inputs["isMultiRegionTrail"] is True and inputs["includeGlobalServiceEvents"] is True
    assert inputs["kmsKeyId"] == key_arn(aws_plan)
    bucket = one(aws_plan, "aws:s3/bucket:Bucket", "-audit-logs")
    assert inputs["s3BucketName"] == bucket["outputs"]["bucket"]
    sse = next(
        s["inputs"]
        for s in aws_plan.by_type(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
        )
        if s["inputs"]["bucket"] == inputs["s3BucketName"]
    )
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"] == {
        "kmsMasterKeyId": key_arn(aws_plan),
        "sseAlgorithm": "aws:kms",
    }
    # CloudTrail checks the bucket policy when the trail is created: the policy must exist first.
    policy = one(aws_plan, "aws:s3/bucketPolicy:BucketPolicy", "-audit-logs-policy")
    assert policy["urn"] in trail["dependencies"]


def test_audit_aws_write_management_events_are_always_recorded(aws_plan: PlanResult) -> None:
    if not _audited(aws_plan):
        return  # covered above: nothing is created
    selectors = one(aws_plan, "aws:cloudtrail/trail:Trail", "-audit-trail")["inputs"][
        "advancedEventSelectors"
    ]
    management = [
        s for s in selectors if {"field": "eventCategory", "equals": ["Management"]} in s["fieldSelectors"]
    ]
    assert len(management) == 1
    assert {"field": "readOnly", "equals": ["false"]} in management[0]["fieldSelectors"]


def test_audit_aws_data_events_cover_exactly_the_data_buckets() -> None:
    for name in ("full", "small_aws", "gpu_training"):
        plan = PLANS[name]()
        trail = one(plan, "aws:cloudtrail/trail:Trail", "-audit-trail")["inputs"]
        data_buckets = sorted(
            b["outputs"]["arn"] + "/"
            for b in plan.by_type("aws:s3/bucket:Bucket")
            if b["urn"].endswith(("-registry-artifacts", "-features-offline"))
        )
        data = [s for s in trail["advancedEventSelectors"] if "data events" in s["name"]]
        if not data_buckets:
            assert data == [], name
            continue
        arns = next(f for f in data[0]["fieldSelectors"] if f["field"] == "resources.ARN")["startsWiths"]
        assert sorted(arns) == data_buckets, name
        assert {"field": "resources.type", "equals": ["AWS::S3::Object"]} in data[0]["fieldSelectors"]


def test_audit_aws_trail_validated_encrypted_with_bucket_data_events() -> None:
    plan = full()
    trail = plan.by_type("aws:cloudtrail/trail:Trail")[0]["inputs"]
    data = next(s for s in trail["advancedEventSelectors"] if "data events" in s["name"])
    arns = next(f for f in data["fieldSelectors"] if f["field"] == "resources.ARN")["startsWiths"]
    assert sorted(arns) == [
        "arn:aws:s3:::payments-prod-features-123456789012/",
        "arn:aws:s3:::payments-prod-registry-123456789012/",
    ]
    policy = json.loads(
        next(
            p
            for p in plan.by_type("aws:s3/bucketPolicy:BucketPolicy")
            if p["inputs"]["bucket"] == trail["s3BucketName"]
        )["inputs"]["policy"]
    )
    write = next(s for s in policy["Statement"] if s["Sid"] == "CloudTrailWrite")
    assert (
        write["Condition"]["StringEquals"]["aws:SourceArn"]
        == "arn:aws:cloudtrail:eu-west-1:123456789012:trail/payments-prod-audit"
    )
    assert write["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"
    assert write["Resource"] == ["arn:aws:s3:::payments-prod-audit-123456789012/AWSLogs/123456789012/*"]


def test_audit_aws_logs_are_kept_as_long_as_the_spec_says() -> None:
    plan = full()
    bucket = one(plan, "aws:s3/bucket:Bucket", "-audit-logs")["outputs"]["bucket"]
    lifecycle = next(
        r["inputs"]
        for r in plan.by_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        if r["inputs"]["bucket"] == bucket
    )
    rules = {r["id"]: r for r in lifecycle["rules"]}
    assert rules["expire-audit-logs"]["filter"] == {"prefix": "AWSLogs/"}
    assert (
        rules["expire-audit-logs"]["expiration"]["days"]
        == full_config()["mlkeel:audit"]["retentionDays"]
        == 2557
    )


def test_audit_aws_trail_streams_to_an_encrypted_log_group_through_a_role_of_its_own(
    aws_plan: PlanResult,
) -> None:
    """API events reach CloudWatch Logs, where alarms can watch them (Checkov CKV2_AWS_10)."""
    if not _audited(aws_plan):
        return
    trail = one(aws_plan, "aws:cloudtrail/trail:Trail", "-audit-trail")["inputs"]
    group = one(aws_plan, "aws:cloudwatch/logGroup:LogGroup", "-audit-trail-logs")
    assert trail["cloudWatchLogsGroupArn"] == group["outputs"]["arn"] + ":*"
    assert group["inputs"]["kmsKeyId"] == key_arn(aws_plan)
    assert group["inputs"]["retentionInDays"] >= 365  # the default; one of CloudWatch's retention values
    role = one(aws_plan, "aws:iam/role:Role", "-audit-trail-logs-role")
    assert trail["cloudWatchLogsRoleArn"] == role["outputs"]["arn"]
    trust = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": ["cloudtrail.amazonaws.com"]}]
    policy = json.loads(
        one(aws_plan, "aws:iam/rolePolicy:RolePolicy", "-audit-trail-logs-policy")["inputs"]["policy"]
    )
    (grant,) = policy["Statement"]
    assert sorted(grant["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert grant["Resource"] == [group["outputs"]["arn"] + ":log-stream:*"]

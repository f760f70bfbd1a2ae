"""Buckets (registry, feature store, audit) and the image repository:
private, versioned, TLS-only, kept tidy."""

from __future__ import annotations

import json

import pytest

from .aws_plans import PLANS, full, name_of

PAB = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _side(plan, token: str) -> dict[str, dict]:
    return {r["inputs"]["bucket"]: r["inputs"] for r in plan.by_type(token)}


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_registry_aws_every_bucket_blocks_public_access_and_is_versioned(plan: str) -> None:
    result = PLANS[plan]()
    buckets = [b["outputs"]["bucket"] for b in result.by_type("aws:s3/bucket:Bucket")]
    assert buckets
    blocks = _side(result, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    versioning = _side(result, "aws:s3/bucketVersioning:BucketVersioning")
    lifecycle = _side(result, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    ownership = _side(result, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    for bucket in buckets:
        assert all(blocks[bucket][flag] is True for flag in PAB), bucket
        assert versioning[bucket]["versioningConfiguration"]["status"] == "Enabled"
        rules = {r["id"]: r for r in lifecycle[bucket]["rules"]}
        assert rules["abort-incomplete-uploads"]["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7
        assert "expire-noncurrent-versions" in rules
        assert ownership[bucket]["rule"]["objectOwnership"] == "BucketOwnerEnforced"


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_registry_aws_bucket_policies_deny_plain_http(plan: str) -> None:
    result = PLANS[plan]()
    for policy in result.by_type("aws:s3/bucketPolicy:BucketPolicy"):
        doc = json.loads(policy["inputs"]["policy"])
        tls = [s for s in doc["Statement"] if s["Sid"] == "DenyInsecureTransport"]
        assert len(tls) == 1, name_of(policy)
        assert tls[0]["Effect"] == "Deny"
        assert tls[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        bucket_arn = f"arn:aws:s3:::{policy['inputs']['bucket']}"
        assert tls[0]["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
        assert all(s["Principal"] != "*" for s in doc["Statement"] if s["Effect"] == "Allow")


def test_registry_aws_bucket_names_are_deterministic_and_account_scoped() -> None:
    names = sorted(b["inputs"]["bucket"] for b in full().by_type("aws:s3/bucket:Bucket"))
    assert names == [
        "payments-prod-audit-123456789012",
        "payments-prod-features-123456789012",
        "payments-prod-registry-123456789012",
    ]


def test_registry_aws_lifecycle_keeps_models_and_expires_the_rest() -> None:
    plan = full()
    bucket = "payments-prod-registry-123456789012"
    rules = {
        r["id"]: r
        for r in _side(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[bucket][
            "rules"
        ]
    }
    assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"]["noncurrentDays"] == 60
    assert rules["models-intelligent-tiering"]["transitions"][0]["storageClass"] == "INTELLIGENT_TIERING"
    assert "expiration" not in rules["models-intelligent-tiering"]
    for prefix in ("data-capture/", "monitoring/", "checkpoints/", "training-output/"):
        rule = next(r for r in rules.values() if r["filter"].get("prefix") == prefix)
        assert rule["expiration"]["days"] == 400


def test_registry_aws_image_repository_is_immutable_scanned_and_pruned() -> None:
    plan = full()
    repo = plan.by_type("aws:ecr/repository:Repository")[0]["inputs"]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["name"] == "mlkeel/payments-prod/models"
    lifecycle = json.loads(plan.by_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")[0]["inputs"]["policy"])
    keep = next(r for r in lifecycle["rules"] if r["selection"]["countType"] == "imageCountMoreThan")
    assert keep["selection"]["countNumber"] == 30


def test_registry_aws_model_package_group_named_for_the_stack() -> None:
    group = full().by_type("aws:sagemaker/modelPackageGroup:ModelPackageGroup")[0]
    assert group["inputs"]["modelPackageGroupName"] == "payments-prod-models"

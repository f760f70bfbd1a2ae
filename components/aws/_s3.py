"""A private, encrypted, versioned S3 bucket with its side resources (pulumi-aws 7 bucket shape).

pulumi-aws 7 configures a bucket through separate resources; a bucket missing one of them is public,
unencrypted or kept forever. :func:`secure_bucket` creates all of them together so no capability can forget
one: SSE-KMS with the stack key and a bucket key (fewer KMS calls, lower cost), all four public-access
blocks, versioning, a TLS-only bucket policy (plus any statements the caller adds, e.g. CloudTrail's) and
lifecycle rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ._iam import document, statement


def tls_only_statement(bucket_arn: pulumi.Input[str]) -> dict[str, Any]:
    """Deny every request that does not use TLS (checklist rule 3); a Deny to everyone is the only form."""
    return statement(
        "DenyInsecureTransport",
        ["s3:*"],
        [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        effect="Deny",
        principal="*",
        conditions={"Bool": {"aws:SecureTransport": "false"}},
    )


def secure_bucket(
    parent: pulumi.Resource,
    name: str,
    *,
    bucket: pulumi.Input[str],
    key_arn: pulumi.Input[str],
    lifecycle_rules: Sequence[aws.s3.BucketLifecycleConfigurationRuleArgs],
    extra_statements: Callable[[pulumi.Output[str]], list[dict[str, Any]]] | None = None,
) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
    """Create the bucket ``bucket`` and its side resources as children of ``parent``;
    return bucket and policy."""
    opts = pulumi.ResourceOptions(parent=parent)
    created = aws.s3.Bucket(name, bucket=bucket, force_destroy=False, opts=opts)
    child = pulumi.ResourceOptions(parent=parent, depends_on=[created])
    block = aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=created.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=created.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=child,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=created.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms",
                    kms_master_key_id=key_arn,
                ),
                bucket_key_enabled=True,
            )
        ],
        opts=child,
    )
    versioning = aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=created.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        opts=child,
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=created.id,
        rules=list(lifecycle_rules),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[versioning]),
    )
    statements = [tls_only_statement(created.arn)]
    if extra_statements is not None:
        statements.extend(extra_statements(created.arn))
    policy = aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=created.id,
        policy=document(statements),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[block]),
    )
    return created, policy


def abort_multipart_rule(days: int = 7) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    """Delete parts of uploads that never completed (they are billed and invisible)."""
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="abort-incomplete-uploads",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=days
        ),
    )


def noncurrent_rule(days: int) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    """Expire overwritten/deleted object versions after ``days`` (versioning keeps them otherwise forever)."""
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="expire-noncurrent-versions",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=days
        ),
    )


def expire_prefix_rule(rule_id: str, prefix: str, days: int) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    """Expire current objects under ``prefix`` after ``days``."""
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=rule_id,
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=prefix),
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
    )


def tiering_rule(rule_id: str, prefix: str, days: int = 0) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    """Move objects under ``prefix`` to Intelligent-Tiering (cheaper for rarely read artifacts)."""
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=rule_id,
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=prefix),
        transitions=[
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                days=days, storage_class="INTELLIGENT_TIERING"
            )
        ],
    )

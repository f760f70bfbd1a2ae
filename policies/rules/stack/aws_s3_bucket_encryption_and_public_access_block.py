"""MLK_STACK_001: every S3 bucket has its encryption configuration and public access block."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from .._base import RuleMeta, StackRule
from .._frameworks import AC3, SC28
from .._stack import bucket_side_resources
from .._tokens import S3_BUCKETS, S3_PAB, S3_SSE


class AwsS3BucketEncryptionAndPublicAccessBlock(StackRule):
    meta = RuleMeta(
        id="MLK_STACK_001",
        name="aws-s3-bucket-encryption-and-public-access-block",
        title="Ensure every S3 bucket has an encryption configuration and a public access block",
        description="Each `aws:s3/bucket:Bucket` / `BucketV2` is the target (by property dependency or name) "
        "of a BucketServerSideEncryptionConfiguration (or inline `serverSideEncryptionConfiguration`) and of "
        "a BucketPublicAccessBlock.",
        why="With the V2 bucket shape, encryption and public access blocks are separate resources; "
        "forgetting one leaves a bucket that resource rules never see.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "aws:s3/bucket:Bucket (+V2)": "targeted by BucketServerSideEncryptionConfiguration (+V2) and "
            "BucketPublicAccessBlock `bucket`"
        },
        frameworks=(SC28, AC3),
        remediation="Create both side resources with bucket=<bucket>.id (mlkeel's storage components do).",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        sse = bucket_side_resources(resources, S3_SSE)
        pab = bucket_side_resources(resources, S3_PAB)
        for r in resources:
            if r.resource_type not in S3_BUCKETS:
                continue
            inline = (
                r.props.get("serverSideEncryptionConfiguration")
                if "serverSideEncryptionConfiguration" in r.props
                else None
            )
            if r.urn not in sse and not inline:
                yield (
                    f"bucket {r.name} must have a BucketServerSideEncryptionConfiguration (found none).",
                    r.urn,
                )
            if r.urn not in pab:
                yield (f"bucket {r.name} must have a BucketPublicAccessBlock (found none).", r.urn)

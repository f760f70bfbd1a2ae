"""MLK_PUB_001: S3 public access blocks turn on all four switches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import AC3, cis_aws

PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"


class AwsS3PublicAccessBlock(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_PUB_001",
        name="aws-s3-public-access-block",
        title="Ensure S3 public access blocks enable all four settings",
        description="`blockPublicAcls`, `blockPublicPolicy`, `ignorePublicAcls` "
        "and `restrictPublicBuckets` are true.",
        why="One switch left off is enough for an ACL or policy to expose a training data set.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        resources={PAB: "blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets"},
        frameworks=(
            AC3,
            cis_aws("2.1.4", "Ensure that S3 Buckets are configured with 'Block public access'"),
        ),
        remediation="Set all four properties to True.",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        PAB: tuple(
            Expect(p, "true")
            for p in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        )
    }

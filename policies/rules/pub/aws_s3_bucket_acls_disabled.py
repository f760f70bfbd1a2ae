"""MLK_PUB_006: S3 access control lists are off; bucket policies alone decide access."""

from __future__ import annotations

from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import AC3

OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"


class AwsS3BucketAclsDisabled(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_PUB_006",
        name="aws-s3-bucket-acls-disabled",
        title="Ensure S3 bucket ownership controls disable access control lists",
        description="`aws:s3/bucketOwnershipControls:BucketOwnershipControls` sets `rule.objectOwnership` "
        "`BucketOwnerEnforced`.",
        why="With ACLs on, an object written by another account (or with a public-read ACL) escapes the "
        "bucket policy; enforced ownership makes the policy the single place access is decided.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={OWNERSHIP: "rule.objectOwnership"},
        frameworks=(AC3,),
        remediation="rule={objectOwnership:'BucketOwnerEnforced'} (mlkeel's storage components set it).",
    )
    expectations: ClassVar = {OWNERSHIP: (Expect("rule.objectOwnership", "equals", "BucketOwnerEnforced"),)}

"""MLK_PUB_003: Cloud Storage buckets enforce public access prevention and uniform access."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import AC3, cis_gcp
from .._tokens import GCS_BUCKET


class GcpStorageBucketPublicAccessPrevention(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_PUB_003",
        name="gcp-storage-bucket-public-access-prevention",
        title="Ensure Cloud Storage buckets enforce public access prevention and uniform access",
        description="`publicAccessPrevention` is `enforced` and `uniformBucketLevelAccess` is true.",
        why="Public access prevention stops allUsers grants at the bucket; uniform access removes per-object "
        "ACLs that bypass IAM.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        resources={GCS_BUCKET: "publicAccessPrevention, uniformBucketLevelAccess"},
        frameworks=(
            AC3,
            cis_gcp("5.1", "Ensure that Cloud Storage bucket is not anonymously or publicly accessible"),
        ),
        remediation="Set publicAccessPrevention='enforced' and uniformBucketLevelAccess=True.",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        GCS_BUCKET: (
            Expect("publicAccessPrevention", "equals", "enforced"),
            Expect("uniformBucketLevelAccess", "true"),
        )
    }

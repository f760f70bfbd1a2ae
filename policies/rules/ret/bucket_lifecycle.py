"""MLK_RET_002: every bucket has a lifecycle: expiry or tiering, and cleanup of failed uploads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from .._base import RuleMeta, StackRule, as_list, dig
from .._frameworks import SI12
from .._stack import bucket_side_resources
from .._tokens import GCS_BUCKET, S3_BUCKETS, S3_LIFECYCLE


class BucketLifecycle(StackRule):
    meta = RuleMeta(
        id="MLK_RET_002",
        name="bucket-lifecycle",
        title="Ensure every bucket has a lifecycle policy",
        description="Each S3 bucket has a BucketLifecycleConfiguration (or V2) with at least one Enabled "
        "rule; each GCS bucket has `lifecycleRules`, a `retentionPolicy` or `softDeletePolicy`.",
        why="Checkpoints, intermediate data sets and failed multipart uploads pile up silently; lifecycle "
        "rules are the cheapest cost control there is.",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        resources={
            "aws:s3/bucket:Bucket (+V2)": (
                "a BucketLifecycleConfiguration (+V2) whose bucket is this bucket, rules[].status"
            ),
            GCS_BUCKET: "lifecycleRules, retentionPolicy",
        },
        frameworks=(SI12,),
        remediation="Add a lifecycle configuration (expire or transition, abortIncompleteMultipartUpload).",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        lifecycles = bucket_side_resources(resources, S3_LIFECYCLE)
        for r in resources:
            if r.resource_type in S3_BUCKETS:
                configs = lifecycles.get(r.urn, [])
                enabled = [
                    rule
                    for c in configs
                    for rule in as_list(dig(c.props, "rules"))
                    if str(dig(rule, "status", "Enabled")) == "Enabled"
                ]
                if not enabled:
                    yield (
                        f"bucket {r.name} must have a lifecycle configuration with an Enabled rule "
                        "(found none).",
                        r.urn,
                    )
            elif (
                r.resource_type == GCS_BUCKET
                and not as_list(dig(r.props, "lifecycleRules"))
                and not dig(r.props, "retentionPolicy")
            ):
                yield (f"bucket {r.name} must set lifecycleRules or retentionPolicy (found neither).", r.urn)

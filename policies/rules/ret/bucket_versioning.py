"""MLK_RET_003: object stores keep earlier versions; MFA delete, once required, stays on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from .._base import RuleMeta, StackRule, dig, truthy
from .._frameworks import SI12, nist
from .._stack import bucket_side_resources
from .._tokens import GCS_BUCKET, S3_BUCKETS

CP9 = nist("CP-9", "System backup")

S3_VERSIONING = frozenset(
    {"aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"}
)


class BucketVersioning(StackRule):
    meta = RuleMeta(
        id="MLK_RET_003",
        name="bucket-versioning",
        title="Ensure object storage keeps versions and MFA delete is not removed",
        description="Every S3 bucket is the `bucket` of a `BucketVersioning` (+V2) whose "
        "`versioningConfiguration.status` is `Enabled` (a `Suspended` or `Disabled` one fails wherever it "
        "is); no versioning resource sets `mfaDelete` `Disabled` (that only removes it), and buckets whose "
        "`data-classification` tag is in `mfaDeleteClassifications` need `mfaDelete` `Enabled`. Every GCS "
        "bucket sets `versioning.enabled`.",
        why="Model artifacts, features and audit logs are overwritten or deleted by one bad job or one "
        "stolen key; versions are what a restore comes from, and suspending versioning is the first step "
        "of a destructive attack.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "aws:s3/bucket:Bucket (+V2)": "targeted by a BucketVersioning (+V2); tags.data-classification",
            "aws:s3/bucketVersioning:BucketVersioning (+V2)": "versioningConfiguration.{status,mfaDelete}",
            GCS_BUCKET: "versioning.enabled",
        },
        frameworks=(CP9, SI12),
        config={
            "mfaDeleteClassifications": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "default": [],
                "description": "Data classifications whose S3 buckets must require MFA delete (it needs the "
                "root user's MFA device to set, so it is opt-in).",
            }
        },
        remediation="Use mlkeel's storage components: every bucket gets versioning Enabled. Never suspend "
        "it to empty a bucket: expire noncurrent versions with a lifecycle rule.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        mfa_classes = set(config.get("mfaDeleteClassifications") or ())
        for r in resources:
            if r.resource_type in S3_VERSIONING:
                status = dig(r.props, "versioningConfiguration.status")
                if status != "Enabled":
                    yield (f"BucketVersioning versioningConfiguration.status must be 'Enabled' "
                           f"(found {status!r}).", r.urn)  # fmt: skip
                if dig(r.props, "versioningConfiguration.mfaDelete") == "Disabled":
                    yield ("BucketVersioning versioningConfiguration.mfaDelete must not be set to 'Disabled' "
                           "(found it: that removes MFA delete).", r.urn)  # fmt: skip
            elif r.resource_type == GCS_BUCKET and not truthy(dig(r.props, "versioning.enabled", False)):
                yield ("Bucket versioning.enabled must be true (found it unset or false).", r.urn)
        versioning = bucket_side_resources(resources, S3_VERSIONING)
        for r in resources:
            if r.resource_type not in S3_BUCKETS:
                continue
            sides = versioning.get(r.urn, [])
            if not sides:
                yield (
                    f"bucket {r.name} must have a BucketVersioning with status 'Enabled' (found none).",
                    r.urn,
                )
                continue
            classification = dig(r.props, "tags.data-classification")
            if classification in mfa_classes and not any(
                dig(s.props, "versioningConfiguration.mfaDelete") == "Enabled" for s in sides
            ):
                yield (
                    f"bucket {r.name} is {classification}: its BucketVersioning must set mfaDelete 'Enabled' "
                    "(found it off).",
                    r.urn,
                )

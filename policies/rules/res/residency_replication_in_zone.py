"""MLK_RES_002: bucket replication stays inside the source bucket's residency zone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from mlkeel.contracts import ANY_ZONE, location_in_zone

from .._base import CouldNotCheck, Resource, RuleMeta, StackRule, as_list, dig
from .._frameworks import GDPR44
from .._tokens import S3_BUCKETS, S3_REPLICATION
from ._zones import ZONES_SCHEMA


def _bucket_keys(resource: PolicyResource) -> set[str]:
    props = resource.props
    keys = set()
    for path in ("bucket", "arn", "id"):
        value = dig(props, path)
        if isinstance(value, str) and value:
            keys.add(value)
            keys.add(value.removeprefix("arn:aws:s3:::"))
    return keys


class ResidencyReplicationInZone(StackRule):
    meta = RuleMeta(
        id="MLK_RES_002",
        name="residency-replication-in-zone",
        title="Ensure bucket replication destinations stay in the source's residency zone",
        description="For each S3 replication configuration, every destination bucket must be a bucket of the "
        "stack whose region lies in the source bucket's residency zone. Destinations outside the stack "
        "cannot be checked and are reported as such.",
        why="Replication silently copies every object to another region; a destination across the border "
        "breaks residency as surely as the source would.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "bucket, rules[].destination.bucket",
            "aws:s3/bucket:Bucket (+V2)": "bucket / arn, region (or provider region), tags",
        },
        frameworks=(GDPR44,),
        config={"zones": ZONES_SCHEMA},
        remediation="Replicate to a bucket in a region of the same zone.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        buckets: dict[str, PolicyResource] = {}
        for r in resources:
            if r.resource_type in S3_BUCKETS:
                for key in _bucket_keys(r):
                    buckets[key] = r
        unresolved: list[str] = []
        for r in resources:
            if r.resource_type not in S3_REPLICATION:
                continue
            source = buckets.get(str(dig(r.props, "bucket") or ""))
            if source is None:
                unresolved.append(str(dig(r.props, "bucket")))
                continue
            source_view = Resource.from_args(source)
            zone = source_view.effective_tags().get("data-residency")
            if not zone or zone == ANY_ZONE:
                continue
            for index, rule in enumerate(as_list(dig(r.props, "rules"))):
                target = str(dig(rule, "destination.bucket") or "")
                dest = buckets.get(target) or buckets.get(target.removeprefix("arn:aws:s3:::"))
                if dest is None:
                    unresolved.append(target)
                    continue
                region = Resource.from_args(dest).location()
                if not region or not location_in_zone("aws", str(region), zone, config["zones"]):
                    yield (
                        f"rules[{index}].destination.bucket {target!r} is in {region!r}, "
                        f"which must be inside residency zone {zone!r} of the source bucket.",
                        r.urn,
                    )
        if unresolved:
            raise CouldNotCheck(
                "replication bucket(s) "
                + ", ".join(sorted(set(unresolved)))
                + " are not buckets of this stack, so their region could not be checked"
            )

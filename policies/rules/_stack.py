"""Linking side resources (encryption, public access block, lifecycle) to their bucket in a stack."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pulumi_policy import PolicyResource

from ._base import dig
from ._tokens import S3_BUCKETS


def _bucket_index(resources: Sequence[PolicyResource]) -> dict[str, str]:
    """Bucket name / id / ARN -> bucket URN."""
    index: dict[str, str] = {}
    for r in resources:
        if r.resource_type not in S3_BUCKETS:
            continue
        for path in ("bucket", "id", "arn"):
            value = dig(r.props, path)
            if isinstance(value, str) and value:
                index[value] = r.urn
    return index


def bucket_side_resources(
    resources: Sequence[PolicyResource], types: Iterable[str]
) -> dict[str, list[PolicyResource]]:
    """Bucket URN -> side resources of ``types`` that target it.

    A side resource targets a bucket when its ``bucket`` property depends on the bucket (engine
    property dependencies, the reliable link in a real stack) or names the bucket by name/id/ARN.
    """
    wanted = set(types)
    by_name = _bucket_index(resources)
    buckets = {r.urn for r in resources if r.resource_type in S3_BUCKETS}
    found: dict[str, list[PolicyResource]] = {}
    for r in resources:
        if r.resource_type not in wanted:
            continue
        targets = {d.urn for d in r.property_dependencies.get("bucket", []) if d.urn in buckets}
        name = dig(r.props, "bucket")
        if isinstance(name, str) and name in by_name:
            targets.add(by_name[name])
        for urn in targets:
            found.setdefault(urn, []).append(r)
    return found

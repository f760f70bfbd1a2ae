"""MLK_PUB_002: no S3 ACL or bucket policy grants access to everyone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_json
from .._frameworks import AC3
from .._iam_docs import is_public_principal, statements
from .._tokens import S3_ACL, S3_BUCKETS, S3_POLICY

PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")


class AwsS3NoPublicGrants(ResourceRule):
    meta = RuleMeta(
        id="MLK_PUB_002",
        name="aws-s3-no-public-grants",
        title="Ensure no S3 ACL or bucket policy grants access to everyone",
        description="Bucket and BucketAcl `acl` is not a public canned ACL; bucket policies have no Allow to "
        "Principal `*` without a condition.",
        why="Canned public ACLs and open bucket policies are the classic leak "
        "of model artifacts and data sets.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "aws:s3/bucket:Bucket, aws:s3/bucketV2:BucketV2, aws:s3/bucketAcl:BucketAcl (+V2)": "acl",
            "aws:s3/bucketPolicy:BucketPolicy": "policy (JSON) Statement[].Principal",
        },
        frameworks=(AC3,),
        remediation="Use 'private' ACLs (or none, with object ownership enforced) "
        "and name principals explicitly.",
    )
    types = S3_BUCKETS | S3_ACL | S3_POLICY

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type in S3_POLICY:
            document = as_json(resource.get("policy"), "policy")
            if any(is_public_principal(s) for s in statements(document)):
                yield (
                    "BucketPolicy must not Allow Principal '*' without a condition (found such a statement)."
                )
            return
        acl = resource.get("acl")
        if acl in PUBLIC_ACLS:
            yield f"acl must not be a public canned ACL ({', '.join(PUBLIC_ACLS)}) (found {acl!r})."

"""MLK_TLS_002: S3 bucket policies deny requests that do not use TLS."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_json, as_list
from .._frameworks import SC8, cis_aws
from .._iam_docs import statements
from .._tokens import S3_POLICY


def _denies_insecure_transport(document: Any) -> bool:
    for statement in statements(document):
        if statement.get("Effect") != "Deny":
            continue
        condition = statement.get("Condition")
        if not isinstance(condition, Mapping):
            continue
        for operator in ("Bool", "BoolIfExists"):
            block = condition.get(operator)
            if isinstance(block, Mapping) and "false" in [
                str(v).lower() for v in as_list(block.get("aws:SecureTransport"))
            ]:
                return True
    return False


class AwsS3BucketPolicyDenyInsecureTransport(ResourceRule):
    meta = RuleMeta(
        id="MLK_TLS_002",
        name="aws-s3-bucket-policy-deny-insecure-transport",
        title="Ensure S3 bucket policies deny requests without TLS",
        description="Each bucket policy has a Deny statement conditioned on `aws:SecureTransport` = false.",
        why="S3 still accepts plain HTTP; only a bucket policy forces every client, SDK and tool to use TLS.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={"aws:s3/bucketPolicy:BucketPolicy": "policy (JSON)"},
        frameworks=(SC8, cis_aws("2.1.1", "Ensure S3 Bucket Policy is set to deny HTTP requests")),
        remediation='Add {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":[bucket, bucket/*],'
        '"Condition":{"Bool":{"aws:SecureTransport":"false"}}}.',
    )
    types = S3_POLICY

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        document = as_json(resource.get("policy"), "policy")
        if not _denies_insecure_transport(document):
            yield (
                "BucketPolicy policy must deny requests with aws:SecureTransport 'false' "
                "(found no such Deny)."
            )

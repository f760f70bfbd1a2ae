"""MLK_ENC_001: S3 buckets encrypt objects with a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig
from .._frameworks import SC28, cis_aws
from .._tokens import S3_BUCKETS, S3_SSE

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _rules_failures(rules: list[Any], where: str) -> Iterator[str]:
    if not rules:
        yield f"{where} has no rules; set one with applyServerSideEncryptionByDefault.sseAlgorithm 'aws:kms'."
        return
    for index, rule in enumerate(rules):
        algorithm = dig(rule, "applyServerSideEncryptionByDefault.sseAlgorithm")
        if algorithm not in KMS_ALGORITHMS:
            yield (
                f"{where}.rules[{index}].applyServerSideEncryptionByDefault.sseAlgorithm must be one of "
                f"{', '.join(KMS_ALGORITHMS)} (found {algorithm!r})."
            )
        elif not dig(rule, "applyServerSideEncryptionByDefault.kmsMasterKeyId"):
            yield (
                f"{where}.rules[{index}].applyServerSideEncryptionByDefault.kmsMasterKeyId must name a "
                "customer-managed KMS key (found none: the AWS-managed key cannot be scoped or audited)."
            )


class AwsS3BucketEncryptionCmek(ResourceRule):
    meta = RuleMeta(
        id="MLK_ENC_001",
        name="aws-s3-bucket-encryption-cmek",
        formerly=("aws-s3-bucket-encryption-cmk",),
        title="Ensure S3 buckets encrypt objects with a customer-managed KMS key",
        description="Server-side encryption configurations (and inline bucket encryption, when present) use "
        "SSE-KMS or DSSE-KMS with an explicit customer-managed key.",
        why="Training data, features and model artifacts are the most sensitive data a platform holds; a "
        "customer-managed key lets you scope, audit and revoke access independently of bucket policies.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration (+V2)": (
                "rules[].applyServerSideEncryptionByDefault.{sseAlgorithm,kmsMasterKeyId}"
            ),
            "aws:s3/bucket:Bucket, aws:s3/bucketV2:BucketV2": (
                "serverSideEncryptionConfiguration (inline, if set)"
            ),
        },
        frameworks=(SC28, cis_aws("2.1.1", "Ensure S3 bucket encryption at rest")),
        remediation="Add a BucketServerSideEncryptionConfiguration with sseAlgorithm 'aws:kms' and "
        "kmsMasterKeyId set to the platform key's ARN.",
    )
    types = S3_SSE | S3_BUCKETS

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type in S3_SSE:
            yield from _rules_failures(as_list(resource.get("rules")), "serverSideEncryptionConfiguration")
            return
        inline = resource.get("serverSideEncryptionConfiguration")
        if inline:
            rule = dig(inline, "rule")
            rules = as_list(rule) if rule is not None else as_list(dig(inline, "rules"))
            yield from _rules_failures(rules, "serverSideEncryptionConfiguration")

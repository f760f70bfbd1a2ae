"""MLK_KMS_001: KMS keys rotate, keep the lockout safety check and are not open to everyone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_json, truthy
from .._frameworks import SC12, cis_aws
from .._iam_docs import is_public_principal, statements
from .._tokens import KMS_KEY


class AwsKmsKeyRotation(ResourceRule):
    meta = RuleMeta(
        id="MLK_KMS_001",
        name="aws-kms-key-rotation",
        title="Ensure KMS keys rotate automatically and are not open to everyone",
        description="Symmetric keys set `enableKeyRotation` with `rotationPeriodInDays` at most the "
        "configured maximum; `bypassPolicyLockoutSafetyCheck` is not true; the key policy grants nothing to "
        "`*` without a condition.",
        why="Rotation limits how much data one key version protects; a public key policy would let any "
        "account decrypt the platform's data.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            KMS_KEY: (
                "enableKeyRotation, rotationPeriodInDays, customerMasterKeySpec, "
                "bypassPolicyLockoutSafetyCheck, policy"
            )
        },
        frameworks=(SC12, cis_aws("3.6", "Ensure rotation for customer-created symmetric CMKs is enabled")),
        config={
            "maxRotationDays": {
                "type": "integer",
                "minimum": 90,
                "maximum": 2560,
                "default": 365,
                "description": "Longest allowed rotationPeriodInDays.",
            }
        },
        remediation="Set enableKeyRotation=True (rotationPeriodInDays defaults to 365).",
    )
    types = frozenset({KMS_KEY})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        spec = resource.get("customerMasterKeySpec") or resource.get("keySpec") or "SYMMETRIC_DEFAULT"
        if spec == "SYMMETRIC_DEFAULT":
            if not truthy(resource.get("enableKeyRotation", False)):
                yield f"Key enableKeyRotation must be true (found {resource.get('enableKeyRotation')!r})."
            period = resource.get("rotationPeriodInDays")
            if period is not None and float(period) > config["maxRotationDays"]:
                yield (
                    f"Key rotationPeriodInDays must be at most {config['maxRotationDays']} "
                    f"(found {int(float(period))})."
                )
        if truthy(resource.get("bypassPolicyLockoutSafetyCheck", False)):
            yield "Key bypassPolicyLockoutSafetyCheck must be false or unset (found True)."
        document = as_json(resource.get("policy"), "policy")
        if any(is_public_principal(s) for s in statements(document)):
            yield "Key policy must not allow Principal '*' without a condition (found such a statement)."

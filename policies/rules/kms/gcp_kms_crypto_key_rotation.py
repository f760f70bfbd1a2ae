"""MLK_KMS_002: Cloud KMS keys rotate at least every 90 days (configurable)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta
from .._frameworks import SC12, cis_gcp
from .._tokens import GCP_CRYPTO_KEY


class GcpKmsCryptoKeyRotation(ResourceRule):
    meta = RuleMeta(
        id="MLK_KMS_002",
        name="gcp-kms-crypto-key-rotation",
        title="Ensure Cloud KMS keys rotate within the allowed period",
        description="Encryption keys (purpose ENCRYPT_DECRYPT or unset) set `rotationPeriod` (seconds, e.g. "
        "'7776000s') no longer than the configured maximum.",
        why="Unrotated keys grow the blast radius of a leaked key version; CIS asks for at most 90 days.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={GCP_CRYPTO_KEY: "rotationPeriod, purpose"},
        frameworks=(
            SC12,
            cis_gcp("1.10", "Ensure KMS encryption keys are rotated within a period of 90 days"),
        ),
        config={
            "maxRotationSeconds": {
                "type": "integer",
                "minimum": 86400,
                "default": 7776000,
                "description": "Longest allowed rotation period in seconds (90 days).",
            }
        },
        remediation="Set rotationPeriod='7776000s' (or shorter).",
    )
    types = frozenset({GCP_CRYPTO_KEY})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        purpose = resource.get("purpose") or "ENCRYPT_DECRYPT"
        if purpose != "ENCRYPT_DECRYPT":
            return
        period = resource.get("rotationPeriod")
        limit = config["maxRotationSeconds"]
        if not period:
            yield f"CryptoKey rotationPeriod must be set to at most '{limit}s' (found none)."
            return
        text = str(period)
        try:
            seconds = float(text[:-1] if text.endswith("s") else text)
        except ValueError:
            yield f"CryptoKey rotationPeriod must be seconds like '{limit}s' (found {text!r})."
            return
        if seconds > limit:
            yield f"CryptoKey rotationPeriod must be at most '{limit}s' (found {text!r})."

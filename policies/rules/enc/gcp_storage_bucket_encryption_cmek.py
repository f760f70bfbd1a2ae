"""MLK_ENC_002: Cloud Storage buckets encrypt objects with a customer-managed Cloud KMS key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import SC28
from .._tokens import GCS_BUCKET


class GcpStorageBucketEncryptionCmek(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_ENC_002",
        name="gcp-storage-bucket-encryption-cmek",
        title="Ensure Cloud Storage buckets encrypt objects with a customer-managed key",
        description="`encryption.defaultKmsKeyName` names a Cloud KMS key.",
        why="Google-managed keys cannot be revoked or scoped per team; CMEK puts data access under the "
        "platform's key ring and its audit logs.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={GCS_BUCKET: "encryption.defaultKmsKeyName"},
        frameworks=(SC28,),
        remediation="Set encryption.defaultKmsKeyName to the team key and grant the Cloud Storage service "
        "agent roles/cloudkms.cryptoKeyEncrypterDecrypter on it.",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        GCS_BUCKET: (Expect("encryption.defaultKmsKeyName"),)
    }

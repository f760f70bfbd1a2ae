"""MLK_ENC_006: Log groups, log buckets and alert topics encrypt with a customer-managed key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import AU11, SC28

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SNS_TOPIC = "aws:sns/topic:Topic"
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"


class LogsEncryptionCmek(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_ENC_006",
        name="logs-encryption-cmek",
        formerly=("logs-encryption-cmk",),
        title="Ensure logs and alert topics encrypt with a customer-managed key",
        description="CloudWatch log groups set `kmsKeyId`, SNS topics `kmsMasterKeyId`, GCP log buckets "
        "`cmekSettings.kmsKeyName`.",
        why="Inference and training logs routinely contain features and predictions; alert payloads name "
        "resources and metrics. Both belong under the platform key.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={LOG_GROUP: "kmsKeyId", SNS_TOPIC: "kmsMasterKeyId", LOG_BUCKET: "cmekSettings.kmsKeyName"},
        frameworks=(SC28, AU11),
        remediation="Pass the platform key to kmsKeyId / kmsMasterKeyId / cmekSettings.kmsKeyName.",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        LOG_GROUP: (Expect("kmsKeyId"),),
        SNS_TOPIC: (Expect("kmsMasterKeyId"),),
        LOG_BUCKET: (Expect("cmekSettings.kmsKeyName"),),
    }

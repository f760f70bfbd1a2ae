"""MLK_AUDIT_004: API events stream to CloudWatch Logs, where alarms can watch them."""

from __future__ import annotations

from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import AU2, nist

SI4 = nist("SI-4", "System monitoring")
TRAIL = "aws:cloudtrail/trail:Trail"


class AwsCloudtrailToCloudwatch(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_AUDIT_004",
        name="aws-cloudtrail-to-cloudwatch",
        title="Ensure CloudTrail trails deliver to CloudWatch Logs",
        description="`aws:cloudtrail/trail:Trail` sets `cloudWatchLogsGroupArn` and `cloudWatchLogsRoleArn`.",
        why="Files in S3 are read after the fact; events in CloudWatch Logs can raise an alarm while a "
        "stolen key is still being used.",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.MANDATORY,
        resources={TRAIL: "cloudWatchLogsGroupArn, cloudWatchLogsRoleArn"},
        frameworks=(AU2, SI4),
        remediation="Turn on the audit capability: its trail streams to an encrypted log group.",
    )
    expectations: ClassVar = {TRAIL: (Expect("cloudWatchLogsGroupArn"), Expect("cloudWatchLogsRoleArn"))}

"""MLK_AUDIT_001: CloudTrail trails log everywhere, validate log files and encrypt them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, Resource, RuleMeta, truthy
from .._frameworks import AU2, cis_aws

TRAIL = "aws:cloudtrail/trail:Trail"


class AwsCloudtrailSecure(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_AUDIT_001",
        name="aws-cloudtrail-secure",
        title="Ensure CloudTrail trails log all regions, validate and encrypt their logs",
        description="`enableLogging` is not false, `isMultiRegionTrail` and `enableLogFileValidation` are "
        "true and `kmsKeyId` is set.",
        why="The audit trail is the only record of who read training data or changed an endpoint; it must "
        "cover every region and be tamper-evident.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={TRAIL: "enableLogging, isMultiRegionTrail, enableLogFileValidation, kmsKeyId"},
        frameworks=(
            AU2,
            cis_aws("3.1", "Ensure CloudTrail is enabled in all regions"),
            cis_aws("3.2", "Ensure CloudTrail log file validation is enabled"),
            cis_aws("3.5", "Ensure CloudTrail logs are encrypted at rest using KMS CMKs"),
        ),
        remediation="Set isMultiRegionTrail=True, enableLogFileValidation=True and kmsKeyId.",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        TRAIL: (
            Expect("isMultiRegionTrail", "true"),
            Expect("enableLogFileValidation", "true"),
            Expect("kmsKeyId"),
        )
    }

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        enabled = resource.get("enableLogging")
        if enabled is not None and not truthy(enabled):
            yield "Trail enableLogging must not be false (found False)."
        yield from super().check(resource, config)

"""MLK_ENC_008: launch templates encrypt every EBS volume with a customer-managed key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig, truthy
from .._frameworks import SC28

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


class AwsLaunchTemplateRootVolumeCmek(ResourceRule):
    meta = RuleMeta(
        id="MLK_ENC_008",
        name="aws-launch-template-root-volume-cmek",
        title="Ensure launch templates encrypt their volumes with a customer-managed key",
        description="Launch templates declare `blockDeviceMappings`, and every mapping with `ebs` sets "
        "`ebs.encrypted = true` and `ebs.kmsKeyId`.",
        why="Without it a node's root volume is encrypted only if the account's EBS default says so, and "
        "then with the AWS-managed key, which the stack's key policy and audit trail do not govern.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={LAUNCH_TEMPLATE: "blockDeviceMappings[].ebs.{encrypted,kmsKeyId}"},
        frameworks=(SC28,),
        remediation="Plan node pools with the training capability: their templates use the stack key.",
    )
    types = frozenset({LAUNCH_TEMPLATE})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        mappings = as_list(resource.get("blockDeviceMappings"))
        if not mappings:
            yield (
                "Launch template must declare blockDeviceMappings with an encrypted root volume (found none)."
            )
        for i, mapping in enumerate(mappings):
            ebs = dig(mapping, "ebs")
            if not ebs:
                continue
            if not truthy(dig(ebs, "encrypted", False)):
                found = dig(ebs, "encrypted")
                yield f"blockDeviceMappings[{i}].ebs.encrypted must be true (found {found!r})."
            if not dig(ebs, "kmsKeyId"):
                yield f"blockDeviceMappings[{i}].ebs.kmsKeyId must name the stack's key (found none)."

"""MLK_IAM_002: no AWS-managed administrator or *FullAccess policy is attached."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list
from .._frameworks import AC6

ATTACHMENTS = frozenset(
    {
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
    }
)
ROLE = "aws:iam/role:Role"


class AwsIamNoBroadManagedPolicies(ResourceRule):
    meta = RuleMeta(
        id="MLK_IAM_002",
        name="aws-iam-no-broad-managed-policies",
        title="Ensure no administrator or FullAccess managed policy is attached",
        description="Policy attachments and Role `managedPolicyArns` do not use AWS-managed policies whose "
        "name matches the deny patterns (`AdministratorAccess`, `PowerUserAccess`, `*FullAccess`).",
        why="AWS-managed FullAccess policies (AmazonSageMakerFullAccess, AmazonS3FullAccess) grant far more "
        "than any ML persona needs, across every team's resources.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "aws:iam/{role,user,group}PolicyAttachment, aws:iam/policyAttachment:PolicyAttachment": (
                "policyArn"
            ),
            ROLE: "managedPolicyArns[]",
        },
        frameworks=(AC6,),
        config={
            "deniedPolicyPatterns": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["AdministratorAccess", "PowerUserAccess", "*FullAccess"],
                "description": "Glob patterns on the managed policy name (after 'policy/').",
            }
        },
        remediation="Attach the persona policies mlkeel generates instead.",
    )
    types = ATTACHMENTS | {ROLE}

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        arns = (
            as_list(resource.get("managedPolicyArns"))
            if resource.type == ROLE
            else as_list(resource.get("policyArn"))
        )
        for arn in (str(a) for a in arns):
            if ":aws:policy/" not in arn:  # customer-managed policies are checked by MLK_IAM_001
                continue
            name = arn.rsplit("/", 1)[-1]
            if any(fnmatch.fnmatchcase(name, p) for p in config["deniedPolicyPatterns"]):
                yield (
                    f"policy {arn} must not be attached "
                    f"(matches {', '.join(config['deniedPolicyPatterns'])})."
                )

"""MLK_IAM_008: IAM policies allow on every resource (`*`) only the actions AWS cannot scope to one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_json, as_list, dig
from .._frameworks import AC6
from .._iam_docs import actions, resources, statements
from .aws_iam_no_wildcard_admin import POLICY_TYPES

#: Actions with no resource-level permissions (or read-only discovery calls) the platform's components
#: need on ``*``; each pattern is matched case-insensitively against the whole action.
DEFAULT_UNSCOPED_ACTIONS = [
    "autoscaling:Describe*",
    "cloudtrail:LookupEvents",
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "cloudwatch:PutMetricData",
    "ec2:Describe*",
    "ecr:BatchImportUpstreamImage",
    "ecr:GetAuthorizationToken",
    "elasticloadbalancing:Describe*",
    "sagemaker:List*",
    "sts:GetCallerIdentity",
]


def _allowed(action: str, patterns: list[str]) -> bool:
    lowered = action.lower()
    return any(fnmatchcase(lowered, p.lower()) for p in patterns)


def _left_to_iam_001(action: str) -> bool:
    """Wildcard actions and PassRole on ``*`` are MLK_IAM_001's findings: one finding per fault."""
    return action == "*" or action.endswith(":*") or action.lower() == "iam:passrole"


class AwsIamScopedResources(ResourceRule):
    meta = RuleMeta(
        id="MLK_IAM_008",
        name="aws-iam-scoped-resources",
        title="Ensure IAM policies allow on Resource '*' only actions that cannot be scoped",
        description="In managed, inline role/user/group policies and Role `inlinePolicies`, every action "
        "of an Allow statement on Resource `*` matches the `unscopedActions` setting (actions without "
        "resource-level permissions and read-only discovery); everything else names its resources. "
        "(Wildcard actions and `iam:PassRole` on `*` are MLK_IAM_001's findings.)",
        why="Write, permission-management and data-read actions on `*` are how one role's compromise "
        "becomes privilege escalation, credential exposure or data exfiltration across the account; "
        "naming the platform's ARNs keeps a role to its own stack.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "aws:iam/policy:Policy, aws:iam/rolePolicy:RolePolicy, aws:iam/userPolicy:UserPolicy, "
            "aws:iam/groupPolicy:GroupPolicy": "policy (JSON)",
            "aws:iam/role:Role": "inlinePolicies[].policy",
        },
        frameworks=(AC6,),
        config={
            "unscopedActions": {
                "type": "array",
                "items": {"type": "string", "minLength": 3},
                "default": DEFAULT_UNSCOPED_ACTIONS,
                "description": "Action patterns (`*` wildcards) allowed on Resource '*'.",
            }
        },
        remediation="Scope Resource to the stack's ARNs (buckets, keys, endpoints, roles); add an action "
        "to unscopedActions only when AWS offers no resource-level permission for it.",
    )
    types = POLICY_TYPES

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        patterns = [str(p) for p in config.get("unscopedActions") or ()]
        if resource.type == "aws:iam/role:Role":
            for index, inline in enumerate(as_list(resource.get("inlinePolicies"))):
                document = as_json(dig(inline, "policy"), f"inlinePolicies.{index}.policy")
                yield from self._document(document, f"Role inlinePolicies[{index}]", patterns)
            return
        document = as_json(resource.get("policy"), "policy")
        yield from self._document(document, resource.type.rsplit(":", 1)[-1], patterns)

    @staticmethod
    def _document(document: Any, where: str, patterns: list[str]) -> Iterator[str]:
        for index, statement in enumerate(statements(document)):
            if statement.get("Effect") != "Allow" or "*" not in resources(statement):
                continue
            unscoped = [
                a for a in actions(statement) if not _left_to_iam_001(a) and not _allowed(a, patterns)
            ]
            if unscoped:
                shown = ", ".join(unscoped[:5]) + (
                    f" and {len(unscoped) - 5} more" if len(unscoped) > 5 else ""
                )
                yield f"{where} Statement[{index}] must name resources for {shown} (found Resource '*')."

"""MLK_IAM_001: AWS IAM policies grant no wildcard actions on all resources and no PassRole on ``*``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_json, as_list, dig
from .._frameworks import AC6, cis_aws
from .._iam_docs import actions, resources, statements

POLICY_TYPES = frozenset(
    {
        "aws:iam/policy:Policy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
        "aws:iam/role:Role",
    }
)


def _violations(document: Any, where: str) -> Iterator[str]:
    for index, statement in enumerate(statements(document)):
        if statement.get("Effect") != "Allow":
            continue
        on_everything = "*" in resources(statement)
        if not on_everything:
            continue
        wild = [a for a in actions(statement) if a == "*" or a.endswith(":*")]
        if wild:
            yield (
                f"{where} Statement[{index}] must not allow wildcard actions on Resource '*' "
                f"(found {', '.join(wild)})."
            )
        passrole = [a for a in actions(statement) if a.lower() in ("iam:passrole", "iam:*")]
        if passrole and not wild:
            yield f"{where} Statement[{index}] must not allow iam:PassRole on Resource '*' (name the roles)."
        if "NotAction" in statement:
            yield f"{where} Statement[{index}] must not use Allow with NotAction on Resource '*'."


class AwsIamNoWildcardAdmin(ResourceRule):
    meta = RuleMeta(
        id="MLK_IAM_001",
        name="aws-iam-no-wildcard-admin",
        title="Ensure IAM policies grant no wildcard actions or PassRole on all resources",
        description="Policy documents (managed, inline role/user/group policies and Role `inlinePolicies`) "
        "have no Allow of `*` or `service:*` on Resource `*`, no `iam:PassRole` on `*`, and no "
        "Allow+NotAction on `*`.",
        why="Wildcards on `*` turn one compromised training container into an account takeover; PassRole on "
        "`*` lets it hand itself any role.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "aws:iam/policy:Policy, aws:iam/rolePolicy:RolePolicy, aws:iam/userPolicy:UserPolicy, "
            "aws:iam/groupPolicy:GroupPolicy": "policy (JSON)",
            "aws:iam/role:Role": "inlinePolicies[].policy",
        },
        frameworks=(
            AC6,
            cis_aws(
                "1.16", "Ensure IAM policies that allow full '*:*' administrative privileges are not attached"
            ),
        ),
        remediation="List the actions the persona needs and scope Resource to the platform's ARNs.",
    )
    types = POLICY_TYPES

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type == "aws:iam/role:Role":
            for index, inline in enumerate(as_list(resource.get("inlinePolicies"))):
                document = as_json(dig(inline, "policy"), f"inlinePolicies.{index}.policy")
                yield from _violations(document, f"Role inlinePolicies[{index}]")
            return
        yield from _violations(as_json(resource.get("policy"), "policy"), resource.type.rsplit(":", 1)[-1])

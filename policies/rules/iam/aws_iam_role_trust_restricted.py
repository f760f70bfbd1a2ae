"""MLK_IAM_005: who may assume a role is named and bounded: nobody's `*`, no other account without an
external id or organisation condition, no federated identity without an audience condition."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from .._base import RuleMeta, StackRule, as_json, as_list, dig
from .._frameworks import AC3, AC6
from .._iam_docs import actions, statements

ROLE = "aws:iam/role:Role"

_ACCOUNT_ARN = re.compile(r"^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):")
_ACCOUNT = re.compile(r"^\d{12}$")

#: Condition keys (lower case: IAM condition keys are case-insensitive) that bound another account's
#: principals: a shared secret with the third party, or membership of this organisation.
CROSS_ACCOUNT_KEYS = frozenset({"sts:externalid", "aws:principalorgid", "aws:principalorgpaths"})

#: Conditions the stack's own components write with the caller's account (service trust, endpoint and
#: topic policies): the accounts they name are the stack's.
OWN_ACCOUNT_KEYS = frozenset({"aws:sourceaccount", "aws:principalaccount"})

#: Identity providers whose tokens say who the subject is in ``sub`` and must be narrowed by it too.
SUBJECT_REQUIRED = ("token.actions.githubusercontent.com", "oidc.eks.")

_NARROWING_OPERATORS = frozenset(
    {
        "StringEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "ForAnyValue:StringEquals",
        "ForAnyValue:StringLike",
        "ForAllValues:StringEquals",
        "ForAllValues:StringLike",
    }
)


def _conditions(statement: Mapping[str, Any]) -> dict[str, list[str]]:
    """Lower-cased condition key -> values, over the narrowing string operators."""
    found: dict[str, list[str]] = {}
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return found
    for operator, keys in condition.items():
        if str(operator) not in _NARROWING_OPERATORS or not isinstance(keys, Mapping):
            continue
        for key, value in keys.items():
            found.setdefault(str(key).lower(), []).extend(str(v) for v in as_list(value))
    return found


def _principal_values(statement: Mapping[str, Any], kind: str) -> list[str]:
    principal = statement.get("Principal")
    if isinstance(principal, str):
        return [principal] if kind == "AWS" else []
    if isinstance(principal, Mapping):
        return [str(v) for v in as_list(principal.get(kind))]
    return []


def _account_of(principal: str) -> str | None:
    if _ACCOUNT.match(principal):
        return principal
    match = _ACCOUNT_ARN.match(principal)
    return match.group(1) if match else None


def _bounded(values: list[str]) -> bool:
    return bool(values) and not any(v.strip() in ("", "*") for v in values)


class AwsIamRoleTrustRestricted(StackRule):
    meta = RuleMeta(
        id="MLK_IAM_005",
        name="aws-iam-role-trust-restricted",
        title="Ensure role trust policies name who may assume them and bound other accounts and federation",
        description="In every `aws:iam/role:Role` `assumeRolePolicy`, no Allow statement has Principal `*` "
        "(or AWS `*`) or Action `*`; an AWS principal of another account requires a `sts:ExternalId`, "
        "`aws:PrincipalOrgID` or `aws:PrincipalOrgPaths` condition with named values; a `Federated` "
        "principal requires an audience condition (`<provider>:aud`, `SAML:aud` or "
        "`cognito-identity.amazonaws.com:aud`) with named values, and GitHub Actions and EKS OIDC "
        "providers also a `<provider>:sub` condition. The stack's own accounts are the `trustedAccounts` "
        "setting, the AWS provider's `allowedAccountIds` and the accounts the stack's components name in "
        "`aws:SourceAccount` / `aws:PrincipalAccount` conditions (they write them from the caller's "
        "identity).",
        why="The trust policy decides who can become the role: `*` hands it to any AWS customer, another "
        "account without an external id is the confused-deputy hole, and an OIDC provider without an "
        "audience condition lets any workload that can get a token from that issuer (any GitHub "
        "repository, any cluster's service account) take the role's data access.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        resources={ROLE: "assumeRolePolicy (JSON): Principal, Action, Condition"},
        frameworks=(AC3, AC6),
        config={
            "trustedAccounts": {
                "type": "array",
                "items": {"type": "string", "pattern": "^[0-9]{12}$"},
                "default": [],
                "description": "Accounts of this organisation whose principals may assume the stack's roles "
                "without an external id or organisation condition.",
            }
        },
        remediation="Trust services with an aws:SourceAccount condition, this account's persona roles by "
        "ARN, other accounts only with sts:ExternalId or aws:PrincipalOrgID, and OIDC providers only with "
        "aud and sub conditions.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        roles = [r for r in resources if r.resource_type == ROLE]
        if not roles:
            return
        documents = {r.urn: as_json(dig(r.props, "assumeRolePolicy"), "assumeRolePolicy") for r in roles}
        own = {str(a) for a in config.get("trustedAccounts") or ()}
        for r in resources:
            if r.resource_type == "pulumi:providers:aws":
                own |= {str(a) for a in as_list(dig(r.props, "allowedAccountIds"))}
        for document in documents.values():
            for statement in statements(document):
                for key, values in _conditions(statement).items():
                    if key in OWN_ACCOUNT_KEYS:
                        own |= {v for v in values if _ACCOUNT.match(v)}
        for role in roles:
            for index, statement in enumerate(statements(documents[role.urn])):
                if statement.get("Effect") != "Allow":
                    continue
                for message in self._statement(statement, own):
                    yield (f"Role assumeRolePolicy Statement[{index}] {message}", role.urn)

    @staticmethod
    def _statement(statement: Mapping[str, Any], own: set[str]) -> Iterator[str]:
        conditions = _conditions(statement)
        if "*" in actions(statement) or "sts:*" in actions(statement):
            yield f"must name the assume action, not {', '.join(a for a in actions(statement) if '*' in a)}."
        aws = _principal_values(statement, "AWS")
        if "*" in aws:
            yield "must not trust Principal '*' (found it: any AWS account could assume the role)."
        foreign = sorted({a for p in aws if (a := _account_of(p)) is not None and a not in own})
        if foreign and not any(_bounded(conditions.get(k, [])) for k in CROSS_ACCOUNT_KEYS):
            yield (
                f"trusts account(s) {', '.join(foreign)} without a sts:ExternalId or aws:PrincipalOrgID "
                "condition (found none)."
            )
        for provider in _principal_values(statement, "Federated"):
            name = provider.split(":oidc-provider/", 1)[-1].split(":saml-provider/", 1)[0]
            if ":saml-provider/" in provider:
                audience_keys = ["saml:aud"]
            elif provider == "cognito-identity.amazonaws.com":
                audience_keys = ["cognito-identity.amazonaws.com:aud"]
            else:
                audience_keys = [f"{name.lower()}:aud"]
            if not any(_bounded(conditions.get(k, [])) for k in audience_keys):
                yield f"trusts federated {provider} without a {audience_keys[0]} condition (found none)."
            if any(name.startswith(p) for p in SUBJECT_REQUIRED) and not _bounded(
                conditions.get(f"{name.lower()}:sub", [])
            ):
                yield f"trusts federated {provider} without a {name}:sub condition naming subjects."

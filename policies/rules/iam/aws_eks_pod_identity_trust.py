"""MLK_IAM_012: a role handed to pods through EKS Pod Identity trusts the Pod Identity agent only, bounded to
this account."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from .._base import CouldNotCheck, RuleMeta, StackRule, as_json, dig
from .._frameworks import AC3, AC6
from .._iam_docs import actions, principals, statements
from .aws_iam_role_trust_restricted import ROLE, _conditions

ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
#: What the Pod Identity agent calls: the role, then session tags (cluster, namespace, service account).
POD_IDENTITY_ACTIONS = frozenset({"sts:AssumeRole", "sts:TagSession"})

_ACCOUNT = re.compile(r"^\d{12}$")


def _role_index(resources: Sequence[PolicyResource]) -> tuple[dict[str, PolicyResource], dict[str, str]]:
    """Roles by URN, and role ARN -> URN for roles whose ARN the state records."""
    by_urn = {r.urn: r for r in resources if r.resource_type == ROLE}
    by_arn: dict[str, str] = {}
    for role in by_urn.values():
        arn = dig(role.props, "arn")
        if isinstance(arn, str) and arn:
            by_arn[arn] = role.urn
    return by_urn, by_arn


def trust_problems(document: Any) -> Iterator[str]:
    """What makes a trust policy more than "the Pod Identity agent, for this account, nothing else"."""
    allows = [(i, s) for i, s in enumerate(statements(document)) if s.get("Effect") == "Allow"]
    if not allows:
        yield f"must allow {POD_IDENTITY_SERVICE} to assume it (found no Allow statement)."
        return
    for index, statement in allows:
        where = f"Statement[{index}]"
        found = principals(statement)
        principal = statement.get("Principal")
        only_services = isinstance(principal, Mapping) and set(principal) == {"Service"}
        if not only_services or found != [POD_IDENTITY_SERVICE]:
            yield f"{where} must trust exactly Service {POD_IDENTITY_SERVICE} (found {found})."
        granted = set(actions(statement))
        if granted != POD_IDENTITY_ACTIONS:
            yield (
                f"{where} must allow exactly {', '.join(sorted(POD_IDENTITY_ACTIONS))} "
                f"(found {', '.join(sorted(granted)) or 'none'})."
            )
        accounts = _conditions(statement).get("aws:sourceaccount", [])
        if not accounts or not all(_ACCOUNT.match(a) for a in accounts):
            yield (
                f"{where} must carry an aws:SourceAccount condition naming this account "
                f"(found {accounts or 'none'})."
            )


class AwsEksPodIdentityTrust(StackRule):
    meta = RuleMeta(
        id="MLK_IAM_012",
        name="aws-eks-pod-identity-trust",
        title="Ensure EKS Pod Identity roles trust only the Pod Identity agent of this account",
        description="For every `aws:eks/podIdentityAssociation:PodIdentityAssociation`, the role it names "
        "(`roleArn`, matched to a role of the stack by dependency or ARN) has an `assumeRolePolicy` whose "
        "every Allow statement trusts exactly Service `pods.eks.amazonaws.com`, allows exactly "
        "`sts:AssumeRole` and `sts:TagSession`, and carries an `aws:SourceAccount` condition with "
        "account ids. A role the stack does not declare could not be checked.",
        why="The role's credentials go to one service account of one namespace; a second principal in its "
        "trust (another service, an account, an OIDC provider) is a second way to the same data that the "
        "association does not show. Without aws:SourceAccount any account's Pod Identity agent may ask for "
        "the role (the confused deputy); without sts:TagSession the agent cannot pass the cluster, "
        "namespace and service account tags that session policies and CloudTrail rely on.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            ASSOCIATION: "roleArn",
            ROLE: "assumeRolePolicy (JSON): Principal, Action, Condition",
        },
        frameworks=(AC3, AC6),
        remediation="Trust {'Service': 'pods.eks.amazonaws.com'} with Action [sts:AssumeRole, "
        "sts:TagSession] and Condition StringEquals aws:SourceAccount = the stack's account, in one "
        "statement, and use a separate role for any other principal.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        associations = [r for r in resources if r.resource_type == ASSOCIATION]
        if not associations:
            return
        by_urn, by_arn = _role_index(resources)
        unresolved: list[str] = []
        for association in associations:
            arn = str(dig(association.props, "roleArn") or "")
            targets = {d.urn for d in association.property_dependencies.get("roleArn", []) if d.urn in by_urn}
            if arn in by_arn:
                targets.add(by_arn[arn])
            if not targets:
                unresolved.append(f"{association.urn} (roleArn {arn or 'unset'})")
                continue
            for urn in sorted(targets):
                document = as_json(dig(by_urn[urn].props, "assumeRolePolicy"), "assumeRolePolicy")
                for problem in trust_problems(document):
                    yield (f"Role assumeRolePolicy (used by Pod Identity {association.name}) {problem}", urn)
        if unresolved:
            raise CouldNotCheck(
                f"MLK_IAM_012: the role of {', '.join(unresolved)} is not declared in this stack, so its "
                "trust policy could not be checked."
            )

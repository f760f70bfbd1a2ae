"""IAM policy documents built from Outputs, and the checks every document must pass.

Policies reference ARNs that only exist once resources do, so documents are assembled with
``pulumi.Output.json_dumps`` (Outputs inside plain dicts and lists resolve in place). The same module holds
:func:`wildcard_problems`, the least-privilege check the components' tests run over every planned policy:
no wildcard action on a wildcard resource, no ``iam:PassRole`` on ``*``, no ``Principal: "*"`` in an Allow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

VERSION = "2012-10-17"


def statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[Any] | Any,
    *,
    effect: str = "Allow",
    conditions: Mapping[str, Any] | None = None,
    principal: Any = None,
) -> dict[str, Any]:
    """One policy statement; ``resources`` may hold Outputs."""
    out: dict[str, Any] = {"Sid": sid, "Effect": effect}
    if principal is not None:
        out["Principal"] = principal
    out["Action"] = sorted(set(actions))
    out["Resource"] = list(resources) if isinstance(resources, (list, tuple)) else resources
    if conditions:
        out["Condition"] = dict(conditions)
    return out


def document(statements: Sequence[Mapping[str, Any]]) -> pulumi.Output[str]:
    """A policy document as a JSON string Output."""
    return pulumi.Output.json_dumps({"Version": VERSION, "Statement": list(statements)})


def service_trust(services: Sequence[str], account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """A trust policy for AWS services acting for this account only (confused-deputy guard)."""
    return document(
        [
            {
                "Sid": "TrustService",
                "Effect": "Allow",
                "Principal": {"Service": sorted(services)},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )


def principal_trust(principals: Sequence[str]) -> pulumi.Output[str]:
    """A trust policy for the IAM principals (role/user ARNs) a persona maps to."""
    return document(
        [
            {
                "Sid": "TrustPersonaPrincipals",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(principals)},
                "Action": "sts:AssumeRole",
            }
        ]
    )


def arn(
    partition: pulumi.Input[str],
    service: str,
    region: pulumi.Input[str],
    account: pulumi.Input[str],
    resource: pulumi.Input[str],
) -> pulumi.Output[str]:
    """``arn:<partition>:<service>:<region>:<account>:<resource>`` from Outputs
    (account/region from invokes)."""
    return pulumi.Output.format("arn:{0}:{1}:{2}:{3}:{4}", partition, service, region, account, resource)


# ------------------------------------------------------------------------------------------ checks
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def wildcard_problems(policy: str | Mapping[str, Any]) -> list[str]:
    """Least-privilege problems of one policy document (empty when it is clean).

    Flags an Allow with a wildcard action (``*`` or ``service:*``) on resource ``*``, ``iam:PassRole`` on
    ``*``, ``NotAction``/``NotResource`` in an Allow, and ``Principal: "*"`` in an Allow.
    """
    doc = json.loads(policy) if isinstance(policy, str) else dict(policy)
    problems: list[str] = []
    for index, stmt in enumerate(_as_list(doc.get("Statement"))):
        if stmt.get("Effect") != "Allow":
            continue
        sid = stmt.get("Sid", f"#{index}")
        actions = [str(a) for a in _as_list(stmt.get("Action"))]
        resources = [str(r) for r in _as_list(stmt.get("Resource"))]
        if "NotAction" in stmt or "NotResource" in stmt:
            problems.append(f"{sid}: Allow with NotAction/NotResource")
        if "*" in resources and any(_is_wildcard_action(a) for a in actions):
            problems.append(f"{sid}: wildcard action on resource '*'")
        if "*" in resources and any(a.lower() in ("iam:passrole", "iam:*") for a in actions):
            problems.append(f"{sid}: iam:PassRole on resource '*'")
        principal = stmt.get("Principal")
        if principal == "*" or (isinstance(principal, Mapping) and "*" in _as_list(principal.get("AWS"))):
            problems.append(f"{sid}: Allow to Principal '*'")
    return problems

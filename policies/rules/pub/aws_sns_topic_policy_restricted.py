"""MLK_PUB_005: topics accept messages only from named services and this account."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_json, as_list
from .._frameworks import AC3
from .._iam_docs import statements

TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
TOPIC = "aws:sns/topic:Topic"

#: Condition keys that bound a statement to this account or organisation (lower case).
BOUNDING_KEYS = frozenset(
    {"aws:sourceaccount", "aws:sourceowner", "aws:sourcearn", "aws:principalaccount", "aws:principalorgid"}
)


def _bounded(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for keys in condition.values():
        if not isinstance(keys, Mapping):
            continue
        for key, value in keys.items():
            values = [str(v) for v in as_list(value)]
            if str(key).lower() in BOUNDING_KEYS and values and not any(v == "*" for v in values):
                return True
    return False


class AwsSnsTopicPolicyRestricted(ResourceRule):
    meta = RuleMeta(
        id="MLK_PUB_005",
        name="aws-sns-topic-policy-restricted",
        title="Ensure SNS topic policies are not public and admit no other account",
        description="In `aws:sns/topicPolicy:TopicPolicy` `policy` (and a Topic's inline `policy`), every "
        "Allow statement whose principal is `*` or an AWS account principal is bounded by an "
        "`aws:SourceAccount`, `aws:SourceOwner`, `aws:SourceArn`, `aws:PrincipalAccount` or "
        "`aws:PrincipalOrgID` condition; service principals are fine.",
        why="Alert topics trigger rollbacks and pages; a public or cross-account topic lets anyone publish "
        "fake alarms or subscribe to read what the platform reports.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={TOPIC_POLICY: "policy (JSON)", TOPIC: "policy (JSON)"},
        frameworks=(AC3,),
        remediation="Grant sns:Publish to the publishing services with an aws:SourceAccount condition.",
    )
    types = frozenset({TOPIC_POLICY, TOPIC})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        document = as_json(resource.get("policy"), "policy")
        kind = resource.type.rsplit(":", 1)[-1]
        for index, statement in enumerate(statements(document)):
            if statement.get("Effect") != "Allow" or _bounded(statement):
                continue
            principal = statement.get("Principal")
            aws = (
                [principal]
                if isinstance(principal, str)
                else [str(p) for p in as_list(principal.get("AWS"))]
                if isinstance(principal, Mapping)
                else []
            )
            if aws:
                yield (
                    f"{kind} Statement[{index}] grants to {', '.join(aws)} without an aws:SourceAccount or "
                    "aws:PrincipalOrgID condition (found none)."
                )

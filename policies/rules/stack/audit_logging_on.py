"""MLK_STACK_003: a stack that deploys cloud resources turns audit logging on."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from .._base import RuleMeta, StackRule, as_list, dig
from .._frameworks import AU2

TRAIL = "aws:cloudtrail/trail:Trail"
AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig"


class AuditLoggingOn(StackRule):
    meta = RuleMeta(
        id="MLK_STACK_003",
        name="audit-logging-on",
        title="Ensure every stack with cloud resources turns audit logging on",
        description="A stack with `aws:*` resources has a CloudTrail trail with logging not disabled; a "
        "stack with `gcp:*` resources has an IAMAuditConfig logging DATA_READ and DATA_WRITE. Organisations "
        "that run audit logging centrally keep this advisory or disable it.",
        why="Per-resource audit settings mean nothing without a trail to receive them; the stack is where a "
        "team can see that its data access is recorded.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        resources={TRAIL: "(exists), enableLogging", AUDIT_CONFIG: "(exists), auditLogConfigs[].logType"},
        frameworks=(AU2,),
        remediation="Turn on the audit capability in the stack spec, or disable this rule where audit "
        "logging is organisation-wide.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        clouds = {r.resource_type.split(":", 1)[0] for r in resources} & {"aws", "gcp"}
        stack_urn = next((r.urn for r in resources if r.resource_type == "pulumi:pulumi:Stack"), "")
        if "aws" in clouds:
            trails = [r for r in resources if r.resource_type == TRAIL]
            if not any(dig(t.props, "enableLogging", True) not in (False, "false") for t in trails):
                yield ("stack must have a CloudTrail trail with logging on (found none).", stack_urn)
        if "gcp" in clouds:
            configs = [r for r in resources if r.resource_type == AUDIT_CONFIG]
            kinds = {
                str(dig(c, "logType")) for r in configs for c in as_list(dig(r.props, "auditLogConfigs"))
            }
            if not {"DATA_READ", "DATA_WRITE"} <= kinds:
                yield (
                    "stack must have an IAMAuditConfig logging DATA_READ and DATA_WRITE (found none).",
                    stack_urn,
                )

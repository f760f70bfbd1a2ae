"""MLK_AUDIT_003: GCP audit configs record data reads and writes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig
from .._frameworks import AU2

AUDIT_CONFIGS = frozenset(
    {
        "gcp:projects/iAMAuditConfig:IAMAuditConfig",
        "gcp:organizations/iAMAuditConfig:IAMAuditConfig",
        "gcp:folder/iAMAuditConfig:IAMAuditConfig",
    }
)


class GcpAuditConfigDataAccess(ResourceRule):
    meta = RuleMeta(
        id="MLK_AUDIT_003",
        name="gcp-audit-config-data-access",
        title="Ensure GCP audit configs record data reads and writes",
        description="IAMAuditConfig `auditLogConfigs[].logType` includes DATA_READ and DATA_WRITE.",
        why="Admin activity is logged by default; reads of training data and predictions are not unless "
        "data-access logs are on.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "gcp:projects/iAMAuditConfig:IAMAuditConfig (and org/folder)": (
                "service, auditLogConfigs[].logType"
            )
        },
        frameworks=(AU2,),
        remediation="auditLogConfigs=[{logType:'DATA_READ'},{logType:'DATA_WRITE'}] "
        "for allServices or the ML services.",
    )
    types = AUDIT_CONFIGS

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        kinds = {str(dig(c, "logType")) for c in as_list(resource.get("auditLogConfigs"))}
        missing = [k for k in ("DATA_READ", "DATA_WRITE") if k not in kinds]
        if missing:
            yield (
                f"IAMAuditConfig auditLogConfigs must include {', '.join(missing)} "
                f"(found {sorted(kinds) or 'none'})."
            )

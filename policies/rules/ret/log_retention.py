"""MLK_RET_001: logs have a bounded retention period."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta
from .._frameworks import AU11, SI12

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"


class LogRetention(ResourceRule):
    meta = RuleMeta(
        id="MLK_RET_001",
        name="log-retention",
        title="Ensure logs keep a bounded retention period",
        description="CloudWatch log groups set `retentionInDays` and GCP log buckets `retentionDays` between "
        "`minDays` and `maxDays`.",
        why="Never-expiring logs grow cost without bound and keep personal data longer than allowed; too "
        "short a period loses the audit trail.",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        resources={LOG_GROUP: "retentionInDays", LOG_BUCKET: "retentionDays"},
        frameworks=(AU11, SI12),
        config={
            "minDays": {"type": "integer", "minimum": 1, "default": 7, "description": "Shortest retention."},
            "maxDays": {
                "type": "integer",
                "minimum": 1,
                "default": 3653,
                "description": "Longest retention.",
            },
        },
        remediation="Set retentionInDays (AWS) / retentionDays (GCP) from the team's retention policy.",
    )
    types = frozenset({LOG_GROUP, LOG_BUCKET})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        path = "retentionInDays" if resource.type == LOG_GROUP else "retentionDays"
        days = resource.get(path)
        if days is None or float(days) <= 0:
            yield (
                f"{path} must be set between {config['minDays']} and {config['maxDays']} "
                f"(found {days!r}: kept forever)."
            )
        elif not config["minDays"] <= float(days) <= config["maxDays"]:
            yield (
                f"{path} must be between {config['minDays']} and {config['maxDays']} "
                f"(found {int(float(days))})."
            )

"""MLK_AUDIT_005: alarms reach someone."""

from __future__ import annotations

from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import nist

SI4 = nist("SI-4", "System monitoring")
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


class AwsCloudwatchAlarmActions(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_AUDIT_005",
        name="aws-cloudwatch-alarm-actions",
        title="Ensure CloudWatch alarms have their actions enabled and name an action",
        description="`aws:cloudwatch/metricAlarm:MetricAlarm` does not set `actionsEnabled` false and sets "
        "`alarmActions`.",
        why="The rollback and drift alarms are how a bad model or a cost spike reaches a person or the "
        "deployment guardrail; an alarm without actions changes colour on a dashboard nobody watches.",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.MANDATORY,
        resources={ALARM: "actionsEnabled, alarmActions"},
        frameworks=(SI4,),
        remediation="Point alarmActions at the stack's alert topic (the monitoring capability does).",
    )
    expectations: ClassVar = {
        ALARM: (Expect("actionsEnabled", "one_of", [True, "true", None]), Expect("alarmActions"))
    }

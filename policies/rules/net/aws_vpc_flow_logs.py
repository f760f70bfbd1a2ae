"""MLK_NET_010: every VPC logs its traffic."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from .._base import RuleMeta, StackRule, dig
from .._frameworks import AU2, cis_aws

VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"


class AwsVpcFlowLogs(StackRule):
    meta = RuleMeta(
        id="MLK_NET_010",
        name="aws-vpc-flow-logs",
        title="Ensure every VPC has flow logging of all traffic",
        description="Each `aws:ec2/vpc:Vpc` in the stack is the `vpcId` of an `aws:ec2/flowLog:FlowLog` "
        "whose `trafficType` is `ALL` (unset is not accepted: the provider has no default).",
        why="Flow logs are the only record of which node talked to which address; without them an "
        "exfiltration or a lateral move inside the training network leaves no trace to investigate.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={VPC: "(the VPC itself)", FLOW_LOG: "vpcId, trafficType"},
        frameworks=(AU2, cis_aws("3.7", "Ensure VPC flow logging is enabled in all VPCs")),
        remediation="Turn on the network capability: it logs every VPC's traffic to an encrypted log group.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        covered: set[str] = set()
        for r in resources:
            if r.resource_type != FLOW_LOG:
                continue
            traffic = dig(r.props, "trafficType")
            if traffic != "ALL":
                yield (f"FlowLog trafficType must be 'ALL' (found {traffic!r}).", r.urn)
                continue
            covered |= {d.urn for d in r.property_dependencies.get("vpcId", [])}
        for r in resources:
            if r.resource_type == VPC and r.urn not in covered:
                yield ("VPC must have a flow log of ALL traffic (found none).", r.urn)

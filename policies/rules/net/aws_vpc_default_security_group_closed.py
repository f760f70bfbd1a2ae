"""MLK_NET_004: every VPC's default security group is owned by the stack and allows nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from .._base import RuleMeta, StackRule, as_list, dig
from .._frameworks import SC7, cis_aws

VPC = "aws:ec2/vpc:Vpc"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"


class AwsVpcDefaultSecurityGroupClosed(StackRule):
    meta = RuleMeta(
        id="MLK_NET_004",
        name="aws-vpc-default-security-group-closed",
        title="Ensure every VPC's default security group is managed and restricts all traffic",
        description="Each `aws:ec2/vpc:Vpc` in the stack has an `aws:ec2/defaultSecurityGroup` whose `vpcId` "
        "comes from it, and that group has no `ingress` and no `egress` rules.",
        why="AWS gives every VPC a default group that lets its members talk to each other and reach "
        "anywhere; anything launched without an explicit group lands in it. Owning it with no rules "
        "closes that door.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={VPC: "(the VPC itself)", DEFAULT_SECURITY_GROUP: "vpcId, ingress, egress"},
        frameworks=(
            SC7,
            cis_aws("5.4", "Ensure the default security group of every VPC restricts all traffic"),
        ),
        remediation="Turn on the network capability: it adopts the default group and removes its rules.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        covered: set[str] = set()
        for r in resources:
            if r.resource_type != DEFAULT_SECURITY_GROUP:
                continue
            covered |= {d.urn for d in r.property_dependencies.get("vpcId", [])}
            for direction in ("ingress", "egress"):
                rules = as_list(dig(r.props, direction))
                if rules:
                    yield (
                        f"Default security group {direction} must be empty (found {len(rules)} rule(s)).",
                        r.urn,
                    )
        for r in resources:
            if r.resource_type == VPC and r.urn not in covered:
                yield ("VPC must have its default security group managed with no rules (found none).", r.urn)

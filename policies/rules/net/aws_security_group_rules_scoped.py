"""MLK_NET_008: security groups send nothing everywhere on every protocol, and every group and rule says why
it exists."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig
from .._frameworks import SC7

OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})
ALL_PROTOCOLS = frozenset({"-1", "all"})

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"


def _open(*values: Any) -> list[str]:
    found: set[str] = set()
    for value in values:
        found |= {str(v) for v in as_list(value)} & OPEN_CIDRS
    return sorted(found)


class AwsSecurityGroupRulesScoped(ResourceRule):
    meta = RuleMeta(
        id="MLK_NET_008",
        name="aws-security-group-rules-scoped",
        title="Ensure security groups allow no all-protocol egress to the internet and describe every rule",
        description="No `egress` entry of a security group, `aws:vpc/securityGroupEgressRule` or "
        "`aws:ec2/securityGroupRule` of type `egress` sends every protocol (`-1`) to 0.0.0.0/0 or ::/0; "
        "every security group and every inline or separate rule sets `description`.",
        why="All-protocol egress to anywhere is the exfiltration path of a compromised training job; the "
        "platform reaches AWS through VPC endpoints. A rule without a description is one nobody can "
        "review or safely remove.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            SECURITY_GROUP: "description, ingress[].description, egress[].{protocol,cidrBlocks,"
            "ipv6CidrBlocks,description}",
            EGRESS_RULE: "ipProtocol, cidrIpv4, cidrIpv6, description",
            INGRESS_RULE: "description",
            GROUP_RULE: "type, protocol, cidrBlocks, ipv6CidrBlocks, description",
        },
        frameworks=(SC7,),
        remediation="Scope egress to the VPC endpoints' security group or the VPC range and the ports "
        "needed; give every group and rule a description naming its purpose.",
    )
    types = frozenset({SECURITY_GROUP, INGRESS_RULE, EGRESS_RULE, GROUP_RULE})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        kind = resource.type.rsplit(":", 1)[-1]
        if not resource.get("description"):
            yield f"{kind} description must be set (found none)."
        if resource.type == SECURITY_GROUP:
            for direction in ("ingress", "egress"):
                for index, rule in enumerate(as_list(resource.get(direction))):
                    if not dig(rule, "description"):
                        yield f"{kind} {direction}[{index}].description must be set (found none)."
            for index, rule in enumerate(as_list(resource.get("egress"))):
                found = _open(dig(rule, "cidrBlocks"), dig(rule, "ipv6CidrBlocks"))
                if found and str(dig(rule, "protocol", "")) in ALL_PROTOCOLS:
                    yield f"{kind} egress[{index}] must not send every protocol to {', '.join(found)}."
        elif resource.type == EGRESS_RULE:
            found = _open(resource.get("cidrIpv4"), resource.get("cidrIpv6"))
            if found and str(resource.get("ipProtocol", "")) in ALL_PROTOCOLS:
                yield f"{kind} must not send every protocol to {', '.join(found)}."
        elif resource.type == GROUP_RULE and resource.get("type") == "egress":
            found = _open(resource.get("cidrBlocks"), resource.get("ipv6CidrBlocks"))
            if found and str(resource.get("protocol", "")) in ALL_PROTOCOLS:
                yield f"{kind} of type egress must not send every protocol to {', '.join(found)}."

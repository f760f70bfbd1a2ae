"""MLK_NET_007: nothing in the stack admits traffic from the whole internet, on any port, in any rule form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig, truthy
from .._frameworks import SC7, cis_aws, cis_gcp
from .._tokens import EKS_NODE_GROUP

OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
NETWORK_ACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NETWORK_ACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NETWORK_ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
FIREWALL = "gcp:compute/firewall:Firewall"


def _open(values: Any) -> list[str]:
    return sorted({str(v) for v in as_list(values)} & OPEN_CIDRS)


def _ports(rule: Any, low: str = "fromPort", high: str = "toPort") -> str:
    protocol = str(dig(rule, "protocol", dig(rule, "ipProtocol", "")))
    if protocol in ("-1", "all"):
        return "all ports"
    return f"{protocol} {dig(rule, low)}-{dig(rule, high)}"


class NetworkNoInternetIngress(ResourceRule):
    meta = RuleMeta(
        id="MLK_NET_007",
        name="network-no-internet-ingress",
        title="Ensure no security group, network ACL or firewall admits 0.0.0.0/0 or ::/0 on any port",
        description="Inline `ingress` of security groups (and the default group), "
        "`aws:vpc/securityGroupIngressRule` (`cidrIpv4`, `cidrIpv6`), `aws:ec2/securityGroupRule` of type "
        "`ingress` (`cidrBlocks`, `ipv6CidrBlocks`), network ACL `ingress` entries and "
        "`aws:ec2/networkAclRule` (not `egress`) that `allow`, and enabled GCP `INGRESS` firewalls that "
        "allow (`sourceRanges`; no source at all means 0.0.0.0/0) name neither 0.0.0.0/0 nor ::/0, on any "
        "port or protocol. EKS node groups with `remoteAccess` name `sourceSecurityGroupIds` (without them "
        "SSH is open to the internet).",
        why="An ML platform has no reason to take connections from the whole internet: its endpoints are "
        "private and its nodes pull, never serve. One rule opening a port to 0.0.0.0/0 exposes SSH, a "
        "notebook or an unauthenticated model server to every scanner on the internet within minutes.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            SECURITY_GROUP: "ingress[].{cidrBlocks,ipv6CidrBlocks}",
            DEFAULT_SECURITY_GROUP: "ingress[].{cidrBlocks,ipv6CidrBlocks}",
            INGRESS_RULE: "cidrIpv4, cidrIpv6",
            GROUP_RULE: "type, cidrBlocks, ipv6CidrBlocks",
            NETWORK_ACL: "ingress[].{action,cidrBlock,ipv6CidrBlock}",
            DEFAULT_NETWORK_ACL: "ingress[].{action,cidrBlock,ipv6CidrBlock}",
            NETWORK_ACL_RULE: "egress, ruleAction, cidrBlock, ipv6CidrBlock",
            FIREWALL: "direction, disabled, allows, sourceRanges, sourceTags, sourceServiceAccounts",
            EKS_NODE_GROUP: "remoteAccess.{ec2SshKey,sourceSecurityGroupIds}",
        },
        frameworks=(
            SC7,
            cis_aws("5.2", "Ensure no security groups allow ingress from 0.0.0.0/0 to remote administration"),
            cis_aws("5.3", "Ensure no security groups allow ingress from ::/0 to remote administration"),
            cis_gcp("3.6", "Ensure that SSH access is restricted from the internet"),
        ),
        remediation="Admit only the VPC's own ranges (or named security groups / GCP service accounts); "
        "reach the platform through private endpoints, a VPN or an identity-aware proxy.",
    )
    types = frozenset(
        {
            SECURITY_GROUP,
            DEFAULT_SECURITY_GROUP,
            INGRESS_RULE,
            GROUP_RULE,
            NETWORK_ACL,
            DEFAULT_NETWORK_ACL,
            NETWORK_ACL_RULE,
            FIREWALL,
            EKS_NODE_GROUP,
        }
    )

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        kind = resource.type.rsplit(":", 1)[-1]
        if resource.type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
            for index, rule in enumerate(as_list(resource.get("ingress"))):
                found = _open(dig(rule, "cidrBlocks")) + _open(dig(rule, "ipv6CidrBlocks"))
                if found:
                    yield (
                        f"{kind} ingress[{index}] must not admit {', '.join(found)} "
                        f"(found {_ports(rule)} from the internet)."
                    )
        elif resource.type == INGRESS_RULE:
            found = _open(resource.get("cidrIpv4")) + _open(resource.get("cidrIpv6"))
            if found:
                yield f"{kind} must not admit {', '.join(found)} (found {_ports(resource.props)})."
        elif resource.type == GROUP_RULE:
            if resource.get("type") == "ingress":
                found = _open(resource.get("cidrBlocks")) + _open(resource.get("ipv6CidrBlocks"))
                if found:
                    yield f"{kind} of type ingress must not admit {', '.join(found)} (found them)."
        elif resource.type in (NETWORK_ACL, DEFAULT_NETWORK_ACL):
            for index, entry in enumerate(as_list(resource.get("ingress"))):
                if str(dig(entry, "action", "")).lower() != "allow":
                    continue
                found = _open(dig(entry, "cidrBlock")) + _open(dig(entry, "ipv6CidrBlock"))
                if found:
                    yield f"{kind} ingress[{index}] must not allow {', '.join(found)} (found an allow entry)."
        elif resource.type == NETWORK_ACL_RULE:
            if not truthy(resource.get("egress", False)) and str(resource.get("ruleAction", "")) == "allow":
                found = _open(resource.get("cidrBlock")) + _open(resource.get("ipv6CidrBlock"))
                if found:
                    yield f"{kind} (ingress) must not allow {', '.join(found)} (found an allow rule)."
        elif resource.type == FIREWALL:
            yield from self._firewall(resource)
        elif resource.type == EKS_NODE_GROUP:
            remote = resource.get("remoteAccess")
            if remote and not as_list(dig(remote, "sourceSecurityGroupIds")):
                yield (
                    "NodeGroup remoteAccess must name sourceSecurityGroupIds "
                    "(found none: SSH to the nodes is open to 0.0.0.0/0)."
                )

    @staticmethod
    def _firewall(resource: Resource) -> Iterator[str]:
        if str(resource.get("direction") or "INGRESS") != "INGRESS" or truthy(
            resource.get("disabled", False)
        ):
            return
        if not as_list(resource.get("allows")):
            return  # a deny rule
        ranges = [str(r) for r in as_list(resource.get("sourceRanges"))]
        narrowed = as_list(resource.get("sourceTags")) or as_list(resource.get("sourceServiceAccounts"))
        if not ranges and not narrowed:
            yield "Firewall must name sourceRanges, sourceTags or sourceServiceAccounts (found none)."
            return
        found = _open(ranges)
        if found:
            allowed = ", ".join(
                f"{dig(a, 'protocol')} {','.join(str(p) for p in as_list(dig(a, 'ports'))) or 'all ports'}"
                for a in as_list(resource.get("allows"))
            )
            yield f"Firewall sourceRanges must exclude {', '.join(found)} (found them, allowing {allowed})."

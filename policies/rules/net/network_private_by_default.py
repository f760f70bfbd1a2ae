"""MLK_NET_009: subnets, instances and routes keep the platform off the internet; GCP subnets log flows and
reach Google APIs privately."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig, truthy
from .._frameworks import SC7, cis_gcp

SUBNET = "aws:ec2/subnet:Subnet"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
INSTANCE = "aws:ec2/instance:Instance"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
GCP_SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"

DEFAULT_ROUTES = frozenset({"0.0.0.0/0", "::/0"})


def _route_problem(route: Any) -> str | None:
    """Why a route sends the whole internet somewhere it must not, or ``None``."""
    destination = dig(route, "cidrBlock") or dig(route, "destinationCidrBlock")
    destination6 = dig(route, "ipv6CidrBlock") or dig(route, "destinationIpv6CidrBlock")
    if destination not in DEFAULT_ROUTES and destination6 not in DEFAULT_ROUTES:
        return None
    if dig(route, "vpcPeeringConnectionId"):
        return "a default route through a VPC peering connection"
    gateway = str(dig(route, "gatewayId") or "")
    if gateway.startswith("igw-") or dig(route, "egressOnlyGatewayId"):
        return "a default route to an internet gateway"
    return None


class NetworkPrivateByDefault(ResourceRule):
    meta = RuleMeta(
        id="MLK_NET_009",
        name="network-private-by-default",
        title="Ensure subnets, instances and routes keep the platform off the public internet",
        description="AWS subnets do not set `mapPublicIpOnLaunch`; launch templates and instances do not "
        "associate public IP addresses; route tables and routes send no default route (0.0.0.0/0, ::/0) "
        "to an internet gateway or a VPC peering connection (a NAT gateway or a transit gateway is "
        "fine). GCP subnetworks set `privateIpGoogleAccess` and `logConfig` (VPC flow logs).",
        why="A public address or a default route to an internet gateway makes every node reachable the "
        "moment a security group or firewall rule slips; private Google access and flow logs keep "
        "traffic to Google APIs off the internet and on the record.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            SUBNET: "mapPublicIpOnLaunch",
            LAUNCH_TEMPLATE: "networkInterfaces[].associatePublicIpAddress",
            INSTANCE: "associatePublicIpAddress",
            ROUTE_TABLE: "routes[].{cidrBlock,ipv6CidrBlock,gatewayId,vpcPeeringConnectionId}",
            ROUTE: "destinationCidrBlock, destinationIpv6CidrBlock, gatewayId, vpcPeeringConnectionId",
            GCP_SUBNETWORK: "privateIpGoogleAccess, logConfig",
        },
        frameworks=(SC7, cis_gcp("3.8", "Ensure that VPC Flow Logs is enabled for every subnet in a VPC")),
        remediation="Turn on the network capability: its subnets are private, egress goes through NAT "
        "and VPC endpoints, and GCP subnets log flows with private Google access on.",
    )
    types = frozenset({SUBNET, LAUNCH_TEMPLATE, INSTANCE, ROUTE_TABLE, ROUTE, GCP_SUBNETWORK})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        kind = resource.type.rsplit(":", 1)[-1]
        if resource.type == SUBNET:
            if truthy(resource.get("mapPublicIpOnLaunch", False)):
                yield "Subnet mapPublicIpOnLaunch must be false (found true)."
        elif resource.type == LAUNCH_TEMPLATE:
            for index, nic in enumerate(as_list(resource.get("networkInterfaces"))):
                if truthy(dig(nic, "associatePublicIpAddress", False)):
                    yield (
                        f"LaunchTemplate networkInterfaces[{index}].associatePublicIpAddress "
                        "must be false (found true)."
                    )
        elif resource.type == INSTANCE:
            if truthy(resource.get("associatePublicIpAddress", False)):
                yield "Instance associatePublicIpAddress must be false (found true)."
        elif resource.type == ROUTE_TABLE:
            for index, route in enumerate(as_list(resource.get("routes"))):
                problem = _route_problem(route)
                if problem:
                    yield f"RouteTable routes[{index}] must not be {problem} (found it)."
        elif resource.type == ROUTE:
            problem = _route_problem(resource.props)
            if problem:
                yield f"Route must not be {problem} (found it)."
        else:
            if not truthy(resource.get("privateIpGoogleAccess", False)):
                yield f"{kind} privateIpGoogleAccess must be true (found it unset or false)."
            if not resource.get("logConfig"):
                yield f"{kind} logConfig must be set: VPC flow logs (found none)."

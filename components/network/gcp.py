"""``GcpNetwork``: a VPC with one private subnet,
default-deny ingress, flow logs and private access to Google.

Nodes and Vertex AI reach Google APIs without public IPs (Private Google Access on the subnet), Vertex AI
endpoints peer into the VPC through private services access (a reserved range plus the Service Networking
connection), egress to the internet goes through Cloud NAT only, and inbound traffic is denied except
between the stack's own ranges. The subnet carries the GKE secondary ranges for pods and services so the
training cluster is VPC-native.
"""

import ipaddress

import pulumi
import pulumi_gcp as gcp

from components.gcp._naming import gcp_name
from components.gcp.args import GcpCapabilityArgs
from components.tagging import capability_options


class GcpNetworkArgs(GcpCapabilityArgs):
    cidr: str
    """The stack's private IPv4 range (/16 to /22), split into nodes, services and pods."""


def split_cidr(cidr: str) -> dict[str, str]:
    """Nodes, services and pods ranges inside ``cidr``: a quarter, a quarter and a half."""
    net = ipaddress.ip_network(cidr)
    first, pods = net.subnets(prefixlen_diff=1)
    nodes, services = first.subnets(prefixlen_diff=1)
    return {"nodes": str(nodes), "services": str(services), "pods": str(pods)}


class GcpNetwork(pulumi.ComponentResource):
    """Private VPC for one team stack (see module docstring)."""

    network_id: pulumi.Output[str]
    network_name: pulumi.Output[str]
    subnet_id: pulumi.Output[str]

    def __init__(self, name: str, args: GcpNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpNetwork", name, None, capability_options(opts, args["tags"], "network")
        )
        prefix, region, project = args["prefix"], args["region"], args["project"]
        ranges = split_cidr(args["cidr"])
        child = pulumi.ResourceOptions(parent=self)

        vpc = gcp.compute.Network(
            f"{name}-vpc",
            name=gcp_name("compute", prefix, "vpc"),
            project=project,
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            description=f"mlkeel private network of {prefix}",
            opts=child,
        )
        self.pods_range_name = gcp_name("compute", prefix, "pods")
        self.services_range_name = gcp_name("compute", prefix, "services")
        subnet = gcp.compute.Subnetwork(
            f"{name}-private",
            name=gcp_name("compute", prefix, "private"),
            project=project,
            region=region,
            network=vpc.id,
            ip_cidr_range=ranges["nodes"],
            private_ip_google_access=True,
            secondary_ip_ranges=[
                gcp.compute.SubnetworkSecondaryIpRangeArgs(
                    range_name=self.pods_range_name, ip_cidr_range=ranges["pods"]
                ),
                gcp.compute.SubnetworkSecondaryIpRangeArgs(
                    range_name=self.services_range_name, ip_cidr_range=ranges["services"]
                ),
            ],
            log_config=gcp.compute.SubnetworkLogConfigArgs(
                aggregation_interval="INTERVAL_5_SEC", flow_sampling=0.5, metadata="INCLUDE_ALL_METADATA"
            ),
            opts=child,
        )
        deny = gcp.compute.Firewall(
            f"{name}-deny-ingress",
            name=gcp_name("compute", prefix, "deny-all-ingress"),
            project=project,
            network=vpc.id,
            direction="INGRESS",
            priority=65534,
            denies=[gcp.compute.FirewallDenyArgs(protocol="all")],
            source_ranges=["0.0.0.0/0"],
            log_config=gcp.compute.FirewallLogConfigArgs(metadata="INCLUDE_ALL_METADATA"),
            description="Default deny: nothing reaches the stack's network unless a rule above allows it",
            opts=child,
        )
        internal = gcp.compute.Firewall(
            f"{name}-allow-internal",
            name=gcp_name("compute", prefix, "allow-internal"),
            project=project,
            network=vpc.id,
            direction="INGRESS",
            priority=1000,
            allows=[
                gcp.compute.FirewallAllowArgs(protocol="tcp"),
                gcp.compute.FirewallAllowArgs(protocol="udp"),
                gcp.compute.FirewallAllowArgs(protocol="icmp"),
            ],
            source_ranges=[args["cidr"]],
            log_config=gcp.compute.FirewallLogConfigArgs(metadata="INCLUDE_ALL_METADATA"),
            description="Nodes, pods and services of the stack talk to each other",
            opts=child,
        )
        router = gcp.compute.Router(
            f"{name}-router",
            name=gcp_name("compute", prefix, "router"),
            project=project,
            region=region,
            network=vpc.id,
            opts=child,
        )
        nat = gcp.compute.RouterNat(
            f"{name}-nat",
            name=gcp_name("compute", prefix, "nat"),
            project=project,
            region=region,
            router=router.name,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
            subnetworks=[
                gcp.compute.RouterNatSubnetworkArgs(
                    name=subnet.id, source_ip_ranges_to_nats=["ALL_IP_RANGES"]
                )
            ],
            log_config=gcp.compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=child,
        )
        psa_range = gcp.compute.GlobalAddress(
            f"{name}-psa-range",
            name=gcp_name("compute", prefix, "psa"),
            project=project,
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            prefix_length=20,
            network=vpc.id,
            description="Range reserved for Google-managed services (Vertex AI) peered into the VPC",
            opts=child,
        )
        psa = gcp.servicenetworking.Connection(
            f"{name}-psa",
            network=vpc.id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[psa_range.name],
            opts=child,
        )

        self.network = vpc
        self.subnet = subnet
        self.private_service_access = psa
        self.network_id = vpc.id
        self.network_name = vpc.name
        self.network_self_link = vpc.self_link
        self.subnet_id = subnet.id
        self.subnet_self_link = subnet.self_link
        self.ranges = ranges
        self.firewalls = [deny, internal]
        self.nat = nat
        self.register_outputs(
            {
                "network_id": vpc.id,
                "network_name": vpc.name,
                "subnet_id": subnet.id,
                "ranges": ranges,
                "private_service_access": psa.id,
            }
        )

"""GcpNetwork: private subnet with Private Google Access and flow logs, default-deny ingress, private
services access for Vertex AI (issue 3)."""

from __future__ import annotations

import ipaddress

import pytest

from components.network.gcp import split_cidr
from stacks.engine import PlanResult

from .gcp_plans import PLANS, of_type, one


@pytest.fixture(scope="module", params=["full", "risk"])
def plan(request: pytest.FixtureRequest) -> PlanResult:
    return PLANS[request.param]()


def test_network_gcp_subnet_is_private_with_google_access_and_flow_logs(plan: PlanResult) -> None:
    vpc = one(plan, "gcp:compute/network:Network")["inputs"]
    subnet = one(plan, "gcp:compute/subnetwork:Subnetwork")["inputs"]
    assert vpc["autoCreateSubnetworks"] is False
    assert subnet["privateIpGoogleAccess"] is True
    assert (
        subnet["logConfig"]["metadata"] == "INCLUDE_ALL_METADATA" and subnet["logConfig"]["flowSampling"] > 0
    )
    assert {r["rangeName"] for r in subnet["secondaryIpRanges"]} == {
        "fraud-prod-pods",
        "fraud-prod-services",
    } or len(subnet["secondaryIpRanges"]) == 2


def test_network_gcp_ingress_is_denied_by_default(plan: PlanResult) -> None:
    firewalls = [r["inputs"] for r in of_type(plan, "gcp:compute/firewall:Firewall")]
    [deny] = [f for f in firewalls if f.get("denies")]
    assert deny["direction"] == "INGRESS" and deny["sourceRanges"] == ["0.0.0.0/0"]
    assert deny["denies"] == [{"protocol": "all"}]
    for rule in firewalls:
        if rule.get("allows"):
            assert "0.0.0.0/0" not in rule["sourceRanges"], "an allow rule opens the network to the internet"
            assert rule["priority"] < deny["priority"]


def test_network_gcp_private_services_access_reserves_a_peering_range(plan: PlanResult) -> None:
    address = one(plan, "gcp:compute/globalAddress:GlobalAddress")
    connection = one(plan, "gcp:servicenetworking/connection:Connection")["inputs"]
    assert address["inputs"]["purpose"] == "VPC_PEERING" and address["inputs"]["addressType"] == "INTERNAL"
    assert connection["service"] == "servicenetworking.googleapis.com"
    assert connection["reservedPeeringRanges"] == [address["inputs"]["name"]]


def test_network_gcp_egress_goes_through_cloud_nat_only(plan: PlanResult) -> None:
    nat = one(plan, "gcp:compute/routerNat:RouterNat")["inputs"]
    assert (
        nat["sourceSubnetworkIpRangesToNat"] == "LIST_OF_SUBNETWORKS" and nat["logConfig"]["enable"] is True
    )


@pytest.mark.parametrize("cidr", ["10.40.0.0/16", "10.60.0.0/18", "172.20.0.0/22"])
def test_network_gcp_split_cidr_gives_disjoint_ranges_inside_the_block(cidr: str) -> None:
    parts = {k: ipaddress.ip_network(v) for k, v in split_cidr(cidr).items()}
    block = ipaddress.ip_network(cidr)
    assert all(p.subnet_of(block) for p in parts.values())  # type: ignore[arg-type]
    values = list(parts.values())
    assert not any(a.overlaps(b) for i, a in enumerate(values) for b in values[i + 1 :])
    assert parts["pods"].num_addresses == block.num_addresses // 2

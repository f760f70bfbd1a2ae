"""AwsNetwork: private subnets only, no way to the internet, AWS services through VPC endpoints, every
packet in flow logs encrypted with the stack key (issue 2)."""

from __future__ import annotations

import ipaddress
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.network.aws import INTERFACE_ACTION_PREFIX, interface_endpoint_policy, subnet_cidrs
from components.platform.aws import BASE_ENDPOINTS, TRAINING_ENDPOINTS
from stacks.engine import PlanResult

from .aws_plans import bare, full, full_config, key_arn, name_of, one


def test_network_aws_has_no_path_to_the_internet(aws_plan: PlanResult) -> None:
    types = {r["type"] for r in aws_plan.resources}
    assert not types & {
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/natGateway:NatGateway",
        "aws:ec2/eip:Eip",
    }
    assert all(not r["inputs"].get("routes") for r in aws_plan.by_type("aws:ec2/routeTable:RouteTable"))
    assert all(s["inputs"]["mapPublicIpOnLaunch"] is False for s in aws_plan.by_type("aws:ec2/subnet:Subnet"))
    for group in aws_plan.by_type("aws:ec2/securityGroup:SecurityGroup"):
        for rule in group["inputs"].get("ingress", []) + group["inputs"].get("egress", []):
            assert "0.0.0.0/0" not in rule.get("cidrBlocks", []), name_of(group)


def test_network_aws_one_private_subnet_per_zone_inside_the_vpc() -> None:
    plan = full()
    spec = full_config()["mlkeel:network"]
    vpc = one(plan, "aws:ec2/vpc:Vpc", "-network-vpc")
    assert vpc["inputs"]["cidrBlock"] == spec["cidr"]
    subnets = plan.by_type("aws:ec2/subnet:Subnet")
    assert len(subnets) == spec["availabilityZones"]
    assert len({s["inputs"]["availabilityZone"] for s in subnets}) == len(subnets)
    assert all(s["inputs"]["vpcId"] == vpc["outputs"]["id"] for s in subnets)
    associations = plan.by_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    assert sorted(a["inputs"]["subnetId"] for a in associations) == sorted(
        s["outputs"]["id"] for s in subnets
    )


@given(
    base=st.sampled_from(["10.0.0.0", "10.60.0.0", "172.16.0.0", "192.168.0.0"]),
    prefix=st.integers(16, 24),
    count=st.integers(2, 6),
)
def test_network_aws_subnet_cidrs_are_disjoint_and_inside_the_block(
    base: str, prefix: int, count: int
) -> None:
    block = ipaddress.ip_network(f"{base}/{prefix}", strict=False)
    parts = [ipaddress.ip_network(c) for c in subnet_cidrs(str(block), count)]
    assert len(parts) == count
    assert all(p.subnet_of(block) for p in parts)  # type: ignore[arg-type]
    assert not any(a.overlaps(b) for i, a in enumerate(parts) for b in parts[i + 1 :])


def test_network_aws_interface_endpoints_follow_the_capabilities() -> None:
    def services(plan: PlanResult) -> set[str]:
        return {
            e["inputs"]["serviceName"].split(".", 3)[-1]  # com.amazonaws.<region>.<service>
            for e in plan.by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
            if e["inputs"]["vpcEndpointType"] == "Interface"
        }

    assert services(full()) == set(BASE_ENDPOINTS) | set(TRAINING_ENDPOINTS)  # training on
    assert services(bare()) == set(BASE_ENDPOINTS)  # training off: no EKS/ECR endpoints
    gateway = [
        e["inputs"]
        for e in full().by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
        if e["inputs"]["vpcEndpointType"] == "Gateway"
    ]
    assert [g["serviceName"] for g in gateway] == ["com.amazonaws.eu-west-1.s3"]


def test_network_aws_endpoints_are_reached_over_https_from_the_vpc_only(aws_plan: PlanResult) -> None:
    group = one(aws_plan, "aws:ec2/securityGroup:SecurityGroup", "-network-endpoints")
    vpc_cidr = one(aws_plan, "aws:ec2/vpc:Vpc", "-network-vpc")["inputs"]["cidrBlock"]
    assert group["inputs"]["ingress"] == [
        {
            "protocol": "tcp",
            "description": "HTTPS from the VPC",
            "fromPort": 443,
            "toPort": 443,
            "cidrBlocks": [vpc_cidr],
        }
    ]
    assert group["inputs"]["egress"] == []
    for endpoint in aws_plan.by_type("aws:ec2/vpcEndpoint:VpcEndpoint"):
        if endpoint["inputs"]["vpcEndpointType"] == "Interface":
            assert endpoint["inputs"]["privateDnsEnabled"] is True
            assert endpoint["inputs"]["securityGroupIds"] == [group["outputs"]["id"]]


def test_network_aws_flow_logs_record_everything_into_the_encrypted_group(aws_plan: PlanResult) -> None:
    flow = one(aws_plan, "aws:ec2/flowLog:FlowLog", "-network-flow-log")["inputs"]
    group = one(aws_plan, "aws:cloudwatch/logGroup:LogGroup", "-network-flow-logs")
    role = one(aws_plan, "aws:iam/role:Role", "-network-flow-logs-role")
    assert flow["trafficType"] == "ALL" and flow["logDestinationType"] == "cloud-watch-logs"
    assert flow["logDestination"] == group["outputs"]["arn"] and flow["iamRoleArn"] == role["outputs"]["arn"]
    assert flow["vpcId"] == one(aws_plan, "aws:ec2/vpc:Vpc", "-network-vpc")["outputs"]["id"]
    assert group["inputs"]["kmsKeyId"] == key_arn(aws_plan)
    trust = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": ["vpc-flow-logs.amazonaws.com"]}]
    policy = json.loads(
        one(aws_plan, "aws:iam/rolePolicy:RolePolicy", "-network-flow-logs-policy")["inputs"]["policy"]
    )
    resources = {r for s in policy["Statement"] for r in s["Resource"]}
    assert resources == {group["outputs"]["arn"], group["outputs"]["arn"] + ":*"}


def test_network_aws_flow_log_retention_and_role_path_come_from_the_spec() -> None:
    plan = full()
    config = full_config()
    group = one(plan, "aws:cloudwatch/logGroup:LogGroup", "-network-flow-logs")["inputs"]
    assert group["retentionInDays"] == config["mlkeel:network"]["flowLogRetentionDays"] == 365
    role = one(plan, "aws:iam/role:Role", "-network-flow-logs-role")["inputs"]
    assert role["path"] == f"/mlkeel/{config['mlkeel:team']}/{config['mlkeel:environment']}/"


def test_network_aws_each_interface_endpoint_policy_carries_only_its_own_service() -> None:
    """A policy written for one service but put on another endpoint would deny everything there."""
    plan = full()
    for endpoint in plan.by_type("aws:ec2/vpcEndpoint:VpcEndpoint"):
        if endpoint["inputs"]["vpcEndpointType"] != "Interface":
            continue
        service = endpoint["inputs"]["serviceName"].split(".", 3)[-1]
        allowed = INTERFACE_ACTION_PREFIX[service] + ":"
        for stmt in json.loads(endpoint["inputs"]["policy"])["Statement"]:
            assert all(a.startswith(allowed) for a in stmt["Action"]), (service, stmt["Sid"], stmt["Action"])


def test_network_aws_every_platform_endpoint_has_a_reviewed_policy_and_others_are_refused() -> None:
    assert set(BASE_ENDPOINTS) | set(TRAINING_ENDPOINTS) <= set(INTERFACE_ACTION_PREFIX)
    with pytest.raises(ValueError, match="no reviewed endpoint policy"):
        interface_endpoint_policy("sqs", "aws", "123456789012", "eu-west-1", "fraud-dev")

"""The AWS hardening rules (issue 13) judge only what they claim to: what they leave alone passes."""

from __future__ import annotations

import json
from pathlib import Path

from policies.analyzer import parse_state
from policies.rules import RULES_BY_ID
from policies.testing import run_rule

from ._kit import base_state, resource_urn


def _outcome(rule_id: str, data: dict):
    return run_rule(RULES_BY_ID[rule_id](), parse_state(json.dumps(data), Path("case.json")))


def _props(data: dict, name: str) -> list[dict]:
    urn = resource_urn(data, name)
    target = next(r for r in data["deployment"]["resources"] if r["urn"] == urn)
    return [target["inputs"], target["outputs"]]


def _as_interface(data: dict, policy: dict | None, kind: str = "Interface") -> None:
    for props in _props(data, "fraud-dev-network-s3"):
        props["vpcEndpointType"] = kind
        props["serviceName"] = "com.amazonaws.eu-west-1.sts"
        if policy is None:
            props.pop("policy")
        else:
            props["policy"] = json.dumps(policy)


def test_interface_endpoints_may_allow_every_resource_to_this_accounts_principals_only() -> None:
    data = base_state("aws_good.json")
    account = "123456789012"
    _as_interface(
        data,
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ThisAccountsPrincipalsOnly",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": ["sts:*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalAccount": account}},
                },
                {
                    "Sid": "WebIdentityIntoThisAccountsRoles",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["sts:AssumeRoleWithWebIdentity"],
                    "Resource": [f"arn:aws:iam::{account}:role/*"],
                },
            ],
        },
    )
    assert _outcome("MLK_NET_005", data).violations == []


def test_interface_endpoint_statements_on_every_resource_without_the_account_condition_fail() -> None:
    data = base_state("aws_good.json")
    _as_interface(
        data,
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "Scoped",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "sts:*",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}},
                },
                {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "sts:*", "Resource": "*"},
            ],
        },
    )
    messages = [m for _, m in _outcome("MLK_NET_005", data).violations]
    assert len(messages) == 1 and "statement Open" in messages[0], messages


def test_endpoint_types_that_take_no_policy_are_not_judged() -> None:
    data = base_state("aws_good.json")
    _as_interface(data, None, kind="GatewayLoadBalancer")
    assert _outcome("MLK_NET_005", data).violations == []


def test_deny_statements_may_name_every_resource_in_a_gateway_endpoint_policy() -> None:
    data = base_state("aws_good.json")
    for props in _props(data, "fraud-dev-network-s3"):
        policy = json.loads(props["policy"])
        policy["Statement"].append(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        )
        props["policy"] = json.dumps(policy)
    assert _outcome("MLK_NET_005", data).violations == []


def test_a_default_security_group_of_another_vpc_does_not_cover_this_one() -> None:
    data = base_state("aws_good.json")
    urn = resource_urn(data, "fraud-dev-network-default-sg")
    group = next(r for r in data["deployment"]["resources"] if r["urn"] == urn)
    group["propertyDependencies"] = {}
    group["dependencies"] = []
    outcome = _outcome("MLK_NET_004", data)
    assert [u for u, _ in outcome.violations] == [resource_urn(data, "fraud-dev-network-vpc")]


def test_launch_templates_without_ebs_mappings_only_need_encryption_where_ebs_is_declared() -> None:
    data = base_state("aws_good.json")
    for props in _props(data, "fraud-dev-training-gpu-launch-template"):
        props["blockDeviceMappings"].append({"deviceName": "/dev/sdb", "virtualName": "ephemeral0"})
    assert _outcome("MLK_ENC_008", data).violations == []

"""MLK_NET_005: every VPC endpoint carries a policy; gateway endpoints name what they may reach, interface
endpoints admit only this account's principals (or name their resources)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_json
from .._frameworks import AC6, SC7
from .._iam_docs import actions, resources, statements

VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"

#: The condition key that limits an endpoint to one account's principals (the data-perimeter identity
#: control); IAM condition keys are case-insensitive.
PRINCIPAL_ACCOUNT = "aws:principalaccount"


def _limits_principal_account(statement: Mapping[str, Any]) -> bool:
    """Whether ``statement`` requires ``aws:PrincipalAccount`` to equal named accounts (not ``*``)."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for operator, keys in condition.items():
        if str(operator) not in ("StringEquals", "StringEqualsIgnoreCase") or not isinstance(keys, Mapping):
            continue
        for key, value in keys.items():
            values = [str(v) for v in (value if isinstance(value, list) else [value])]
            if str(key).lower() == PRINCIPAL_ACCOUNT and values and not any("*" in v for v in values):
                return True
    return False


class AwsVpcGatewayEndpointPolicy(ResourceRule):
    meta = RuleMeta(
        id="MLK_NET_005",
        name="aws-vpc-gateway-endpoint-policy",
        title="Ensure VPC endpoints have a policy limited to the stack's account and resources",
        description="Every VPC endpoint sets `policy`. In a `Gateway` endpoint (S3, DynamoDB; "
        "`vpcEndpointType` unset means Gateway) no Allow statement grants every action or every resource. "
        "In an `Interface` endpoint every Allow statement either names its resources (no `*`) or requires "
        "`aws:PrincipalAccount` (`StringEquals`) to equal named accounts. Other endpoint types (Gateway Load "
        "Balancer, resource) take no policy and are not judged.",
        why="Without a policy an endpoint admits anyone's credentials to anything: a gateway endpoint "
        "reaches every bucket in every account, and an interface endpoint lets stolen credentials of "
        "another account move data out through the private network without ever touching the internet.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={VPC_ENDPOINT: "vpcEndpointType, policy"},
        frameworks=(SC7, AC6),
        remediation="Turn on the network capability: its S3 endpoint policy names the stack's buckets and "
        "each interface endpoint policy admits only the stack account's principals.",
    )
    types = frozenset({VPC_ENDPOINT})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        kind = resource.get("vpcEndpointType") or "Gateway"
        if kind not in ("Gateway", "Interface"):
            return  # GatewayLoadBalancer and resource/service-network endpoints take no endpoint policy
        document = as_json(resource.get("policy"), "policy")
        if not document:
            yield f"{kind} endpoint policy must be set (found none: the default allows everything)."
            return
        for statement in statements(document):
            if statement.get("Effect") != "Allow":
                continue
            if kind == "Gateway":
                if "*" in actions(statement):
                    yield "Gateway endpoint policy must not allow Action '*' (found it)."
                if "*" in resources(statement):
                    yield "Gateway endpoint policy must name resources, not '*' (found '*')."
            elif "*" in resources(statement) and not _limits_principal_account(statement):
                sid = statement.get("Sid") or "an Allow statement"
                yield (
                    f"{kind} endpoint policy statement {sid} allows Resource '*' without a StringEquals "
                    "aws:PrincipalAccount condition naming the account (found none)."
                )

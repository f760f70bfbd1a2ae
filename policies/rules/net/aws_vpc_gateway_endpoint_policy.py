"""MLK_NET_005: gateway VPC endpoints carry a policy that names what they may reach."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_json
from .._frameworks import AC6, SC7
from .._iam_docs import actions, resources, statements

VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


class AwsVpcGatewayEndpointPolicy(ResourceRule):
    meta = RuleMeta(
        id="MLK_NET_005",
        name="aws-vpc-gateway-endpoint-policy",
        title="Ensure gateway VPC endpoints have a policy limited to the stack's resources",
        description="A `Gateway` endpoint (S3, DynamoDB; `vpcEndpointType` unset means Gateway) sets "
        "`policy`, and no Allow statement in it grants every action or every resource.",
        why="Without a policy a gateway endpoint reaches every bucket in every account, so a compromised "
        "workload can copy data to an attacker's bucket without ever leaving the private network.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={VPC_ENDPOINT: "vpcEndpointType, policy"},
        frameworks=(SC7, AC6),
        remediation="Turn on the network capability: its S3 endpoint policy names the stack's buckets.",
    )
    types = frozenset({VPC_ENDPOINT})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if (resource.get("vpcEndpointType") or "Gateway") != "Gateway":
            return
        document = as_json(resource.get("policy"), "policy")
        if not document:
            yield "Gateway endpoint policy must be set (found none: the default allows everything)."
            return
        for statement in statements(document):
            if statement.get("Effect") != "Allow":
                continue
            if "*" in actions(statement):
                yield "Gateway endpoint policy must not allow Action '*' (found it)."
            if "*" in resources(statement):
                yield "Gateway endpoint policy must name resources, not '*' (found '*')."

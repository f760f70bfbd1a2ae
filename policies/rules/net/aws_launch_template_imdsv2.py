"""MLK_NET_006: EKS nodes use a launch template that requires IMDSv2 with a hop limit of one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, dig
from .._frameworks import AC6, cis_aws
from .._tokens import EKS_NODE_GROUP

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


class AwsLaunchTemplateImdsv2(ResourceRule):
    meta = RuleMeta(
        id="MLK_NET_006",
        name="aws-launch-template-imdsv2",
        title="Ensure EKS nodes require IMDSv2 with a hop limit of one",
        description="Managed node groups set `launchTemplate`; launch templates set "
        "`metadataOptions.httpTokens = required` and `metadataOptions.httpPutResponseHopLimit = 1` (and do "
        "not disable the endpoint with a hop limit above one).",
        why="With IMDSv1, or IMDSv2 reachable from pods (hop limit 2), any pod on a node can take the node "
        "role's credentials; a launch template is also what puts the stack key on the root volume.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            EKS_NODE_GROUP: "launchTemplate",
            LAUNCH_TEMPLATE: "metadataOptions.{httpTokens,httpPutResponseHopLimit}",
        },
        frameworks=(AC6, cis_aws("5.7", "Ensure that the EC2 Metadata Service only allows IMDSv2")),
        remediation="Plan node pools with the training capability: each pool gets such a launch template.",
    )
    types = frozenset({EKS_NODE_GROUP, LAUNCH_TEMPLATE})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type == EKS_NODE_GROUP:
            if not resource.get("launchTemplate"):
                yield (
                    "Node group must set launchTemplate "
                    "(found none: nodes get IMDSv1 and the default volume)."
                )
            return
        options = resource.get("metadataOptions") or {}
        tokens = dig(options, "httpTokens")
        if tokens != "required":
            yield f"Launch template metadataOptions.httpTokens must be 'required' (found {tokens!r})."
        hops = dig(options, "httpPutResponseHopLimit")
        if hops is None or int(hops) != 1:
            yield f"Launch template metadataOptions.httpPutResponseHopLimit must be 1 (found {hops!r})."

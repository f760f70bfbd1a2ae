"""MLK_NET_002: notebooks, studio domains and prediction endpoints are not reachable from the internet."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, Resource, RuleMeta
from .._frameworks import SC7
from .._tokens import SM_DOMAIN, SM_NOTEBOOK, VERTEX_ENDPOINT, VERTEX_INDEX_ENDPOINT, WORKBENCH


class MlEndpointsPrivate(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_NET_002",
        name="ml-endpoints-private",
        title="Ensure notebooks, studio domains and prediction endpoints are private",
        description="SageMaker notebooks without direct internet or root access and with IMDSv2; SageMaker "
        "domains `VpcOnly`; Vertex endpoints on a VPC network or Private Service Connect; Vertex index "
        "endpoints without a public endpoint; Workbench instances without public IPs.",
        why="Notebooks and endpoints sit next to data and credentials; a public path bypasses the VPC "
        "endpoints, flow logs and egress controls the platform sets up.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            SM_NOTEBOOK: "directInternetAccess = Disabled, rootAccess = Disabled, "
            "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion = 2",
            SM_DOMAIN: "appNetworkAccessType = VpcOnly",
            VERTEX_ENDPOINT: "network or privateServiceConnectConfig.enablePrivateServiceConnect",
            VERTEX_INDEX_ENDPOINT: "publicEndpointEnabled = false",
            WORKBENCH: "gceSetup.disablePublicIp = true",
        },
        frameworks=(SC7,),
        remediation="Attach notebooks and endpoints to the platform VPC and turn public access off.",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        SM_NOTEBOOK: (
            Expect("directInternetAccess", "equals", "Disabled"),
            Expect("rootAccess", "equals", "Disabled"),
            Expect(
                "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion", "equals", "2"
            ),
        ),
        SM_DOMAIN: (Expect("appNetworkAccessType", "equals", "VpcOnly"),),
        VERTEX_ENDPOINT: (),
        VERTEX_INDEX_ENDPOINT: (Expect("publicEndpointEnabled", "false"),),
        WORKBENCH: (Expect("gceSetup.disablePublicIp", "true"),),
    }

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        yield from super().check(resource, config)
        if resource.type == VERTEX_ENDPOINT:
            psc = resource.get("privateServiceConnectConfig.enablePrivateServiceConnect")
            if not resource.get("network") and not psc:
                yield (
                    "AiEndpoint network or privateServiceConnectConfig.enablePrivateServiceConnect "
                    "must be set (found neither: the endpoint is public)."
                )

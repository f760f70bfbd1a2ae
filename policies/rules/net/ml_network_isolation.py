"""MLK_NET_003: training and serving run isolated inside the platform network."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, truthy
from .._frameworks import SC7
from .._tokens import GKE_CLUSTER, SM_MODEL, SM_NOTEBOOK, SM_TRAINING_JOB, VERTEX_PERSISTENT


class MlNetworkIsolation(ResourceRule):
    meta = RuleMeta(
        id="MLK_NET_003",
        name="ml-network-isolation",
        title="Ensure training and serving run isolated inside the platform network",
        description="SageMaker models and training jobs set `enableNetworkIsolation` and a `vpcConfig` with "
        "subnets and security groups; notebooks set `subnetId`; Vertex persistent resources set `network`; "
        "GKE clusters enforce network policy (`networkPolicy.enabled` or Dataplane V2).",
        why="Network isolation stops a compromised model or training script from exfiltrating data or "
        "calling out to the internet.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            SM_MODEL: "enableNetworkIsolation, vpcConfig.{subnets,securityGroupIds}",
            SM_TRAINING_JOB: "enableNetworkIsolation, vpcConfig.{subnets,securityGroupIds}",
            SM_NOTEBOOK: "subnetId",
            VERTEX_PERSISTENT: "network",
            GKE_CLUSTER: "networkPolicy.enabled or datapathProvider = ADVANCED_DATAPATH",
        },
        frameworks=(SC7,),
        remediation="Pass the platform subnets and security groups and turn network isolation on.",
    )
    types = frozenset({SM_MODEL, SM_TRAINING_JOB, SM_NOTEBOOK, VERTEX_PERSISTENT, GKE_CLUSTER})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        kind = resource.type.rsplit(":", 1)[-1]
        if resource.type in (SM_MODEL, SM_TRAINING_JOB):
            if not truthy(resource.get("enableNetworkIsolation", False)):
                yield (
                    f"{kind} enableNetworkIsolation must be true "
                    f"(found {resource.get('enableNetworkIsolation')!r})."
                )
            if not as_list(resource.get("vpcConfig.subnets")) or not as_list(
                resource.get("vpcConfig.securityGroupIds")
            ):
                yield (
                    f"{kind} vpcConfig must list subnets and securityGroupIds "
                    f"(found {resource.get('vpcConfig')!r})."
                )
        elif resource.type == SM_NOTEBOOK:
            if not resource.get("subnetId"):
                yield "NotebookInstance subnetId must be set (found none)."
        elif resource.type == VERTEX_PERSISTENT:
            if not resource.get("network"):
                yield "AiPersistentResource network must be set (found none)."
        elif resource.type == GKE_CLUSTER:
            enabled = truthy(resource.get("networkPolicy.enabled", False))
            if not enabled and resource.get("datapathProvider") != "ADVANCED_DATAPATH":
                yield (
                    "Cluster networkPolicy.enabled must be true or datapathProvider 'ADVANCED_DATAPATH' "
                    "(found neither)."
                )

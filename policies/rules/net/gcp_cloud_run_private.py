"""MLK_NET_011: Cloud Run workloads send all their traffic through the stack's VPC, and services take
requests only from inside it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list
from .._cloud_run import RUN_SERVICE, TEMPLATES, TYPES_DOC, template_path
from .._frameworks import SC7

#: Service ingress settings that refuse requests from the internet.
INTERNAL_INGRESS = ("INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER")


class GcpCloudRunPrivate(ResourceRule):
    meta = RuleMeta(
        id="MLK_NET_011",
        name="gcp-cloud-run-private",
        title="Ensure Cloud Run workloads egress through the VPC and services are not reachable from the "
        "internet",
        description="Every Cloud Run v2 Job, Service and WorkerPool has `vpcAccess` with `egress` "
        "`ALL_TRAFFIC` and either direct VPC egress (`networkInterfaces`) or a Serverless VPC Access "
        "`connector`; a Service's `ingress` is `INGRESS_TRAFFIC_INTERNAL_ONLY` or "
        "`INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER`.",
        why="Without VPC egress a container reaches Google APIs and the internet from Google's shared "
        "addresses, outside the stack's firewall rules, flow logs and VPC Service Controls perimeter; "
        "`PRIVATE_RANGES_ONLY` still sends API calls that way. A service with the default ingress is "
        "callable from anywhere on the internet, guarded by IAM alone.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            TYPES_DOC: "template.template.vpcAccess (Job), template.vpcAccess (others): egress, "
            "networkInterfaces, connector",
            RUN_SERVICE: "ingress",
        },
        frameworks=(SC7,),
        remediation="Set vpc_access with egress ALL_TRAFFIC and network_interfaces on the stack's private "
        "subnet (direct VPC egress), and ingress INGRESS_TRAFFIC_INTERNAL_ONLY on services.",
    )
    types = frozenset(TEMPLATES)

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        kind = resource.type.rsplit(":", 1)[-1]
        path = template_path(resource.type, "vpcAccess")
        access = resource.get(path)
        if not access:
            yield f"{kind} {path} must route egress through the stack's VPC (found no vpcAccess)."
        else:
            egress = resource.get(f"{path}.egress")
            if egress != "ALL_TRAFFIC":
                yield f"{kind} {path}.egress must be 'ALL_TRAFFIC' (found {egress!r})."
            interfaces = as_list(resource.get(f"{path}.networkInterfaces"))
            if not interfaces and not resource.get(f"{path}.connector"):
                yield f"{kind} {path} must name networkInterfaces or a connector (found neither)."
        if resource.type == RUN_SERVICE:
            ingress = resource.get("ingress")
            if ingress not in INTERNAL_INGRESS:
                yield (
                    f"{kind} ingress must be one of {', '.join(repr(i) for i in INTERNAL_INGRESS)} "
                    f"(found {ingress!r})."
                )

"""MLK_K8S_007: Kubernetes Services of type LoadBalancer are internal."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta
from .._frameworks import SC7

SERVICE = "kubernetes:core/v1:Service"

#: Annotation -> values that make the cloud's load balancer internal (AWS Load Balancer Controller, the
#: in-tree AWS provider, GKE, and Azure for clusters reached by kubeconfig).
INTERNAL_ANNOTATIONS: dict[str, tuple[str, ...]] = {
    "service.beta.kubernetes.io/aws-load-balancer-scheme": ("internal",),
    "service.beta.kubernetes.io/aws-load-balancer-internal": ("true", "0.0.0.0/0"),
    "networking.gke.io/load-balancer-type": ("Internal",),
    "cloud.google.com/load-balancer-type": ("Internal",),
    "service.beta.kubernetes.io/azure-load-balancer-internal": ("true",),
}


class KubernetesLoadBalancerInternal(ResourceRule):
    meta = RuleMeta(
        id="MLK_K8S_007",
        name="kubernetes-load-balancer-internal",
        title="Ensure Kubernetes LoadBalancer Services are internal",
        description="A Service of type LoadBalancer carries an annotation that makes the cloud's load "
        "balancer internal: " + ", ".join(f"`{k}: {v[0]}`" for k, v in INTERNAL_ANNOTATIONS.items()) + ".",
        why="Without it the cloud gives a model endpoint or tracking server a public address, outside the "
        "VPC's flow logs and egress controls.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={SERVICE: "spec.type, metadata.annotations"},
        frameworks=(SC7,),
        remediation="Use a ClusterIP Service behind the platform's ingress, or add the internal annotation "
        "for the cluster's cloud.",
    )
    types = frozenset({SERVICE})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.get("spec.type") != "LoadBalancer":
            return
        annotations = resource.get("metadata.annotations") or {}
        for key, values in INTERNAL_ANNOTATIONS.items():
            value = annotations.get(key) if isinstance(annotations, Mapping) else None
            if value is not None and str(value) in values:
                return
        yield (
            "Service of type LoadBalancer must carry an internal load balancer annotation (one of "
            f"{', '.join(INTERNAL_ANNOTATIONS)}; found {sorted(annotations) if annotations else 'none'})."
        )

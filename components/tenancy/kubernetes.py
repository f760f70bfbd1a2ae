"""``K8sTenancy``: the team's Namespace, enforcing Pod Security Admission ``restricted``, its ResourceQuota
(CPU, memory, GPUs, object counts) and its LimitRange (defaults for containers that name no resources).

Every other Kubernetes capability takes :attr:`K8sTenancy.namespace` as its namespace, so nothing is created
before the namespace and its admission labels exist.
"""

import json
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from ..args import KubernetesLimitsArgs, KubernetesQuotaArgs
from ..kubernetes import PRICING_ANNOTATION, labels, metadata, name_of
from ..kubernetes.args import K8sCapabilityArgs
from ..tagging import capability_options

#: Pod Security Admission labels: enforce, audit and warn at ``restricted``, latest policy version.
PSA_LABELS = {
    f"pod-security.kubernetes.io/{mode}{suffix}": value
    for mode in ("enforce", "audit", "warn")
    for suffix, value in (("", "restricted"), ("-version", "latest"))
}


class K8sTenancyArgs(K8sCapabilityArgs):
    quota: KubernetesQuotaArgs
    limits: KubernetesLimitsArgs
    pricing: dict[str, Any]
    """What prices the namespace's requests (node cloud, region, node type, pools): read by ``keel cost``."""


class K8sTenancy(pulumi.ComponentResource):
    """A team namespace: PSA ``restricted``, quota and limits from the spec, cost labels on everything."""

    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: K8sTenancyArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:K8sTenancy", name, None, capability_options(opts, args["tags"], "platform")
        )
        child = pulumi.ResourceOptions(parent=self)
        own = labels(args["tags"], "platform")
        ns = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=metadata(
                args["namespace"],  # type: ignore[arg-type]
                None,
                {**own, **PSA_LABELS},
                {PRICING_ANNOTATION: json.dumps(args["pricing"], sort_keys=True)},
            ),
            opts=child,
        )
        namespace = name_of(ns)
        quota, limits = args["quota"], args["limits"]
        hard: Any = {
            "requests.cpu": str(quota["cpu"]),
            "limits.cpu": str(quota["cpu"]),
            "requests.memory": f"{quota['memory_gib']}Gi",
            "limits.memory": f"{quota['memory_gib']}Gi",
            "requests.nvidia.com/gpu": str(quota["gpus"]),
            "pods": str(quota["pods"]),
            "services": str(quota["services"]),
            # No Service of type LoadBalancer or NodePort: serving is reached through the ingress gateway.
            "services.loadbalancers": "0",
            "services.nodeports": "0",
            "persistentvolumeclaims": str(quota["persistent_volume_claims"]),
            "configmaps": str(quota["config_maps"]),
            "secrets": str(quota["secrets"]),
        }
        k8s.core.v1.ResourceQuota(
            f"{name}-quota",
            metadata=metadata("team-quota", namespace, own),
            spec=cast(Any, {"hard": hard}),
            opts=child,
        )
        k8s.core.v1.LimitRange(
            f"{name}-limits",
            metadata=metadata("team-limits", namespace, own),
            spec=cast(
                Any,
                {
                    "limits": [
                        {
                            "type": "Container",
                            "default": {
                                "cpu": f"{limits['default_cpu_millis']}m",
                                "memory": f"{limits['default_memory_mib']}Mi",
                            },
                            "defaultRequest": {
                                "cpu": f"{limits['default_cpu_millis']}m",
                                "memory": f"{limits['default_memory_mib']}Mi",
                            },
                            "max": {
                                "cpu": f"{limits['max_cpu_millis']}m",
                                "memory": f"{limits['max_memory_mib']}Mi",
                            },
                        }
                    ]
                },
            ),
            opts=child,
        )
        self.namespace = namespace
        self.register_outputs({"namespace": namespace})

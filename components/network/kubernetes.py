"""``K8sNetwork``: default-deny NetworkPolicies for the team's namespace, then explicit allowances.

Deny all ingress and egress first, then allow exactly: DNS to the cluster's resolver, traffic between the
team's own pods (MLflow, Feast, serving, training talk to each other), HTTPS egress for pods labelled for it
(object store, registry, the cloud's identity endpoint), scraping by the monitoring namespace for pods that
expose metrics, and ingress from the gateway namespaces for serving pods. A pod gets an allowance by its
label, never by default.
"""

from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..kubernetes import EGRESS_HTTPS_LABEL, METRICS_LABEL, SERVING_LABEL, labels, metadata
from ..kubernetes.args import K8sCapabilityArgs
from ..tagging import capability_options

#: The instance metadata address: a pod must not reach the node's credentials through it.
METADATA_CIDR = "169.254.169.254/32"


class K8sEndpointArgs(TypedDict):
    cidr: str
    port: int


class K8sNetworkArgs(K8sCapabilityArgs):
    monitoring_namespace: str
    """The namespace of the metrics scraper (Prometheus)."""
    ingress_namespaces: list[str]
    """Namespaces of the ingress gateway that forwards requests to serving pods (Istio, Knative)."""
    identity_endpoints: list[K8sEndpointArgs]
    """Link-local identity agents pods may call (EKS Pod Identity agent, GKE metadata server)."""


def _namespace(name: str) -> dict:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


class K8sNetwork(pulumi.ComponentResource):
    """Default-deny ingress and egress in the team namespace, with DNS, in-namespace, HTTPS, metrics and
    gateway allowances keyed on pod labels."""

    policy_names: pulumi.Output[list[str]]

    def __init__(self, name: str, args: K8sNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:K8sNetwork", name, None, capability_options(opts, args["tags"], "network")
        )
        child = pulumi.ResourceOptions(parent=self)
        own = labels(args["tags"], "network")
        ns = args["namespace"]
        https_egress: list[dict] = [
            {
                "to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": [METADATA_CIDR]}}],
                "ports": [{"protocol": "TCP", "port": 443}],
            }
        ]
        https_egress += [
            {"to": [{"ipBlock": {"cidr": e["cidr"]}}], "ports": [{"protocol": "TCP", "port": e["port"]}]}
            for e in args["identity_endpoints"]
        ]
        policies: dict[str, Any] = {
            "default-deny": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
            "allow-dns": {
                "podSelector": {},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                **_namespace("kube-system"),
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    }
                ],
            },
            "allow-same-namespace": {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{"from": [{"podSelector": {}}]}],
                "egress": [{"to": [{"podSelector": {}}]}],
            },
            "allow-https-egress": {
                "podSelector": {"matchLabels": {EGRESS_HTTPS_LABEL: "true"}},
                "policyTypes": ["Egress"],
                "egress": https_egress,
            },
            "allow-metrics-scrape": {
                "podSelector": {"matchLabels": {METRICS_LABEL: "true"}},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": [_namespace(args["monitoring_namespace"])]}],
            },
            "allow-ingress-gateway": {
                "podSelector": {"matchLabels": {SERVING_LABEL: "true"}},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": [_namespace(n) for n in args["ingress_namespaces"]]}],
            },
        }
        if not args["ingress_namespaces"]:
            del policies["allow-ingress-gateway"]
        for role, spec in policies.items():
            k8s.networking.v1.NetworkPolicy(
                f"{name}-{role}", metadata=metadata(role, ns, own), spec=spec, opts=child
            )
        self.policy_names = pulumi.Output.from_input(sorted(policies))
        self.register_outputs({"policy_names": self.policy_names})

"""MLK_K8S_005: every team namespace has default-deny NetworkPolicies for ingress and egress."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from .._base import RuleMeta, StackRule, as_list, dig
from .._frameworks import SC7
from ._pods import cis_k8s

NAMESPACE = "kubernetes:core/v1:Namespace"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
DIRECTIONS = ("Ingress", "Egress")


def _selects_every_pod(policy: PolicyResource) -> bool:
    selector = dig(policy.props, "spec.podSelector")
    if selector is None:
        return True
    return not dig(selector, "matchLabels") and not dig(selector, "matchExpressions")


def _directions(policy: PolicyResource) -> set[str]:
    """Directions a policy isolates: ``policyTypes``, or as Kubernetes defaults it (Ingress, plus Egress
    when egress rules are given)."""
    types = as_list(dig(policy.props, "spec.policyTypes"))
    if types:
        return {str(t) for t in types}
    return {"Ingress", "Egress"} if dig(policy.props, "spec.egress") is not None else {"Ingress"}


class KubernetesNamespaceNetworkPolicy(StackRule):
    meta = RuleMeta(
        id="MLK_K8S_005",
        name="kubernetes-namespace-network-policy",
        title="Ensure every team namespace denies ingress and egress by default",
        description="Each Namespace labelled with a `team` has, in the same stack, NetworkPolicies in it "
        "whose empty `podSelector` selects every pod for Ingress and for Egress, so only the allowances "
        "listed next to them pass.",
        why="Without a default-deny policy every pod of every team can reach every other team's tracking "
        "server, feature store and model endpoints, and anything on the internet.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            NAMESPACE: "metadata.labels.team, metadata.name",
            NETWORK_POLICY: "metadata.namespace, spec.podSelector, spec.policyTypes",
        },
        frameworks=(SC7, cis_k8s("5.3.2", "Ensure that all Namespaces have Network Policies defined")),
        remediation="Turn on the network capability of the Kubernetes layer (mlkeel:index:K8sNetwork), or "
        "add a NetworkPolicy with podSelector {} and policyTypes [Ingress, Egress] to the namespace.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        isolated: dict[str, set[str]] = {}
        for r in resources:
            if r.resource_type == NETWORK_POLICY and _selects_every_pod(r):
                namespace = str(dig(r.props, "metadata.namespace") or "default")
                isolated.setdefault(namespace, set()).update(_directions(r))
        for r in resources:
            if r.resource_type != NAMESPACE or not dig(r.props, "metadata.labels.team"):
                continue
            name = str(dig(r.props, "metadata.name") or "")
            missing = [d for d in DIRECTIONS if d not in isolated.get(name, set())]
            if missing:
                yield (
                    f"team namespace {name or r.name!r} must have a NetworkPolicy selecting every pod "
                    f"(podSelector {{}}) for {' and '.join(missing)} (found none).",
                    r.urn,
                )

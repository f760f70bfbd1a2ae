"""MLK_K8S_006: Kubernetes Roles and ClusterRoles grant no wildcards and no privilege-escalating verbs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig
from .._frameworks import AC6
from ._pods import cis_k8s

RBAC = "kubernetes:rbac.authorization.k8s.io/v1"
ROLES = frozenset({f"{RBAC}:Role", f"{RBAC}:ClusterRole"})

#: Verbs that let a subject grant itself more than it has (CIS 5.1.8).
ESCALATING_VERBS = ("escalate", "bind", "impersonate")

#: Resources whose write access takes over the cluster's admission or identity.
GUARDED_RESOURCES = {
    "mutatingwebhookconfigurations": ("create", "update", "patch", "delete"),
    "validatingwebhookconfigurations": ("create", "update", "patch", "delete"),
    "certificatesigningrequests/approval": ("update", "patch"),
    "signers": ("approve",),
}


class KubernetesRbacNoWildcards(ResourceRule):
    meta = RuleMeta(
        id="MLK_K8S_006",
        name="kubernetes-rbac-no-wildcards",
        title="Ensure Kubernetes Roles and ClusterRoles grant no wildcards or escalation",
        description="No rule of a Role or ClusterRole has `*` in verbs, resources, apiGroups or "
        "nonResourceURLs, grants escalate, bind or impersonate, or may change admission webhooks or approve "
        "certificate signing requests.",
        why="A wildcard grants every resource the cluster will ever have, CRDs included; escalate, bind and "
        "impersonate let a data scientist's token become the platform admin's.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={", ".join(sorted(ROLES)): "rules[].{verbs,resources,apiGroups,nonResourceURLs}"},
        frameworks=(
            AC6,
            cis_k8s("5.1.3", "Minimize wildcard use in Roles and ClusterRoles"),
            cis_k8s("5.1.8", "Limit use of the Bind, Impersonate and Escalate permissions in the cluster"),
        ),
        remediation="List the verbs, resources and API groups each persona needs; platform administration "
        "belongs to the cloud's cluster-admin access entry, not a wildcard role.",
    )
    types = ROLES

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        kind = resource.type.rsplit(":", 1)[-1]
        for index, rule in enumerate(as_list(resource.get("rules"))):
            verbs = [str(v) for v in as_list(dig(rule, "verbs"))]
            resources = [str(v) for v in as_list(dig(rule, "resources"))]
            for field in ("verbs", "resources", "apiGroups", "nonResourceURLs"):
                values = [str(v) for v in as_list(dig(rule, field))]
                if any(v == "*" or v.endswith("/*") for v in values):
                    yield f"{kind} rules[{index}].{field} must not hold a wildcard (found {values})."
            escalating = [v for v in verbs if v in ESCALATING_VERBS]
            if escalating:
                yield f"{kind} rules[{index}].verbs must not grant {', '.join(escalating)}."
            for name, risky in GUARDED_RESOURCES.items():
                granted = [v for v in verbs if v in risky]
                if name in resources and granted:
                    yield f"{kind} rules[{index}] must not grant {', '.join(granted)} on {name}."

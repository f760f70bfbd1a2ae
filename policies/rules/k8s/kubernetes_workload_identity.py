"""MLK_K8S_008: Kubernetes workloads run in their own namespace, as their own service account, with an API
token only where the account has a role to use it for."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from .._base import Resource, RuleMeta, StackRule, as_list, dig, truthy
from .._frameworks import AC6
from ._pods import POD_OWNERS, cis_k8s, pods

SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
BINDINGS = frozenset(
    {
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    }
)


def _bound_accounts(resources: Sequence[PolicyResource]) -> set[tuple[str, str]]:
    """(namespace, name) of every ServiceAccount a RoleBinding or ClusterRoleBinding of the stack names."""
    bound: set[tuple[str, str]] = set()
    for r in resources:
        if r.resource_type not in BINDINGS:
            continue
        own_namespace = str(dig(r.props, "metadata.namespace") or "")
        for subject in as_list(dig(r.props, "subjects")):
            if dig(subject, "kind") == "ServiceAccount":
                namespace = str(dig(subject, "namespace") or own_namespace)
                bound.add((namespace, str(dig(subject, "name") or "")))
    return bound


class KubernetesWorkloadIdentity(StackRule):
    meta = RuleMeta(
        id="MLK_K8S_008",
        name="kubernetes-workload-identity",
        title="Ensure Kubernetes workloads use their own namespace and service account, and API tokens only "
        "where needed",
        description="Workloads (as MLK_K8S_001) set `metadata.namespace` to a namespace other than "
        "`default`; their pods name a `serviceAccountName` other than `default`; a pod that mounts the API "
        "token (`automountServiceAccountToken` not false on the pod nor on its ServiceAccount in the stack) "
        "runs as an account some RoleBinding or ClusterRoleBinding of the stack grants a role. Cloud "
        "identities (EKS Pod Identity, IRSA, GKE Workload Identity) do not need the API token.",
        why="Every pod of the default service account shares one identity, so a grant to one is a grant to "
        "all; a mounted token a model server never uses is the first thing a compromised one steals.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "Kubernetes workloads (as MLK_K8S_001)": (
                "metadata.namespace, pod spec serviceAccountName, automountServiceAccountToken"
            ),
            SERVICE_ACCOUNT: "automountServiceAccountToken",
            ", ".join(sorted(BINDINGS)): "subjects[kind=ServiceAccount]",
        },
        frameworks=(
            AC6,
            cis_k8s("5.1.5", "Ensure that default service accounts are not actively used"),
            cis_k8s("5.1.6", "Ensure that Service Account Tokens are only mounted where necessary"),
            cis_k8s("5.7.4", "The default namespace should not be used"),
        ),
        remediation="Create a ServiceAccount per workload in the team namespace with "
        "automountServiceAccountToken: false; a workload that calls the Kubernetes API gets a Role without "
        "wildcards bound to its own account.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        accounts: dict[tuple[str, str], Any] = {}
        for r in resources:
            if r.resource_type == SERVICE_ACCOUNT:
                key = (
                    str(dig(r.props, "metadata.namespace") or "default"),
                    str(dig(r.props, "metadata.name")),
                )
                accounts[key] = dig(r.props, "automountServiceAccountToken")
        bound = _bound_accounts(resources)
        for r in resources:
            if r.resource_type not in POD_OWNERS:
                continue
            resource = Resource.from_args(r)
            namespace = resource.get("metadata.namespace")
            if not namespace or namespace == "default":
                yield (
                    f"metadata.namespace must name the team's namespace, not default (found {namespace!r}).",
                    r.urn,
                )
            for pod in pods(resource):
                account = dig(pod.spec, "serviceAccountName") or dig(pod.spec, "serviceAccount")
                if not account or account == "default":
                    yield (
                        f"{pod.where} serviceAccountName must name the workload's own account "
                        f"(found {account!r}).",
                        r.urn,
                    )
                    continue
                key = (str(namespace or "default"), str(account))
                token = dig(pod.spec, "automountServiceAccountToken")
                if token is None:
                    token = accounts.get(key)
                mounted = token is None or truthy(token)
                if mounted and key not in bound:
                    yield (
                        f"{pod.where} mounts the API token of {account!r}, which no RoleBinding of the stack "
                        "grants a role: set automountServiceAccountToken false on the pod or the account.",
                        r.urn,
                    )

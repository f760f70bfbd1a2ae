"""``K8sAccess``: one Role and RoleBinding per persona in the team namespace, and a ServiceAccount per
workload.

Least privilege, spelled out: every rule names its API groups, resources and verbs (no ``*``), nobody may
bind or escalate roles, and only the platform admin reads or writes Secrets (the MLflow backend password
lives in one). Workloads get their own service accounts with no API token mounted unless they call the
Kubernetes API; cloud access goes through workload identity annotations, never a key in a Secret.
"""

import re
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from ..kubernetes import labels, metadata, name_of
from ..kubernetes.args import K8sCapabilityArgs, K8sWorkloadArgs
from ..tagging import capability_options

READ = ["get", "list", "watch"]
WRITE = ["get", "list", "watch", "create", "update", "patch", "delete"]
RUN = ["get", "list", "watch", "create", "delete"]

_CORE_READ = ["pods", "pods/log", "services", "endpoints", "configmaps", "persistentvolumeclaims", "events"]
_WORKLOADS = ["deployments", "statefulsets", "replicasets"]

#: Persona -> its rules: (api groups, resources, verbs). Secrets appear only for the platform admin.
PERSONA_RULES: dict[str, list[tuple[list[str], list[str], list[str]]]] = {
    "data-scientist": [
        ([""], _CORE_READ, READ),
        (["batch"], ["jobs", "cronjobs"], RUN),
        (["apps"], _WORKLOADS, READ),
        (["serving.kserve.io"], ["inferenceservices"], READ),
        (["kueue.x-k8s.io"], ["workloads", "localqueues"], READ),
    ],
    "ml-engineer": [
        ([""], _CORE_READ, READ),
        ([""], ["services", "configmaps"], WRITE),
        (["batch"], ["jobs", "cronjobs"], WRITE),
        (["apps"], _WORKLOADS, WRITE),
        (["autoscaling"], ["horizontalpodautoscalers"], WRITE),
        (["policy"], ["poddisruptionbudgets"], WRITE),
        (["serving.kserve.io"], ["inferenceservices"], WRITE),
        (["kueue.x-k8s.io"], ["workloads", "localqueues"], READ),
        (["monitoring.coreos.com"], ["servicemonitors", "prometheusrules"], READ),
    ],
    "platform-admin": [
        ([""], [*_CORE_READ, "serviceaccounts"], WRITE),
        ([""], ["secrets"], WRITE),
        (["batch"], ["jobs", "cronjobs"], WRITE),
        (["apps"], _WORKLOADS, WRITE),
        (["autoscaling"], ["horizontalpodautoscalers"], WRITE),
        (["policy"], ["poddisruptionbudgets"], WRITE),
        (["networking.k8s.io"], ["networkpolicies"], READ),
        (["rbac.authorization.k8s.io"], ["roles", "rolebindings"], READ),
        (["serving.kserve.io"], ["inferenceservices"], WRITE),
        (["kueue.x-k8s.io"], ["workloads", "localqueues"], WRITE),
        (["monitoring.coreos.com"], ["servicemonitors", "prometheusrules"], WRITE),
    ],
    "auditor": [
        ([""], [*_CORE_READ, "serviceaccounts", "resourcequotas", "limitranges"], READ),
        (["batch"], ["jobs", "cronjobs"], READ),
        (["apps"], _WORKLOADS, READ),
        (["networking.k8s.io"], ["networkpolicies"], READ),
        (["rbac.authorization.k8s.io"], ["roles", "rolebindings"], READ),
        (["serving.kserve.io"], ["inferenceservices"], READ),
        (["monitoring.coreos.com"], ["servicemonitors", "prometheusrules"], READ),
    ],
}

_SUBJECT = re.compile(r"^(user|group):(.+)$")


def subjects(persona: str, principals: list[str], cloud: str) -> list[dict[str, str]]:
    """RBAC subjects of a persona: ``user:``/``group:`` principals as Users and Groups (Kubernetes and GKE,
    where Google identities are the names); on EKS the persona's IAM roles reach the cluster through access
    entries, which put them in the group ``mlkeel:<persona>``."""
    rbac = "rbac.authorization.k8s.io"
    if cloud == "aws":
        return [{"kind": "Group", "name": f"mlkeel:{persona}", "apiGroup": rbac}] if principals else []
    out = []
    for principal in principals:
        match = _SUBJECT.match(principal)
        if match is None:  # pragma: no cover - the spec rules refuse it first
            raise ValueError(f"{principal!r} is not 'user:<name>' or 'group:<name>'")
        out.append({"kind": match[1].capitalize(), "name": match[2], "apiGroup": rbac})
    return out


class K8sAccessArgs(K8sCapabilityArgs):
    personas: dict[str, list[str]]
    """Persona -> principals (``user:``/``group:`` on Kubernetes and GCP, IAM role ARNs on AWS)."""
    cloud: str
    """Where the cluster runs (``aws``, ``gcp``, ``kubernetes``): how principals become subjects."""
    workloads: dict[str, K8sWorkloadArgs]
    """Workload -> its service account settings."""


class K8sAccess(pulumi.ComponentResource):
    """Roles per persona without wildcards, bound to the spec's principals; one service account per
    workload, tokens not mounted unless the workload needs the API."""

    service_accounts: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: K8sAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:K8sAccess", name, None, capability_options(opts, args["tags"], "access")
        )
        child = pulumi.ResourceOptions(parent=self)
        own = labels(args["tags"], "access")
        ns = args["namespace"]
        for persona, rules in PERSONA_RULES.items():
            found = subjects(persona, list(args["personas"].get(persona, [])), args["cloud"])
            if not found:
                continue
            role = k8s.rbac.v1.Role(
                f"{name}-{persona}",
                metadata=metadata(f"mlkeel-{persona}", ns, own),
                rules=cast(Any, [{"apiGroups": g, "resources": r, "verbs": v} for g, r, v in rules]),
                opts=child,
            )
            k8s.rbac.v1.RoleBinding(
                f"{name}-{persona}-binding",
                metadata=metadata(f"mlkeel-{persona}", ns, own),
                role_ref=cast(
                    Any,
                    {
                        "apiGroup": "rbac.authorization.k8s.io",
                        "kind": "Role",
                        "name": name_of(role),
                    },
                ),
                subjects=cast(Any, found),
                opts=child,
            )
        accounts: dict[str, pulumi.Output[str]] = {}
        for workload, settings in args["workloads"].items():
            sa = k8s.core.v1.ServiceAccount(
                f"{name}-sa-{workload}",
                metadata=metadata(
                    workload, ns, labels(args["tags"], "access", workload), settings["annotations"]
                ),
                automount_service_account_token=settings["automount_token"],
                opts=child,
            )
            accounts[workload] = name_of(sa)
        self.service_accounts = pulumi.Output.all(**accounts)  # type: ignore[assignment]
        self.register_outputs({"service_accounts": self.service_accounts})

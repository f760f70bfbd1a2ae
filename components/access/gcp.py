"""``GcpAccess``: one service account per persona and per workload,
each with predefined least-privilege roles.

People never hold roles on the project themselves: each persona's principals (``user:``/``group:`` members
from the spec) may only impersonate their persona's service account (``roles/iam.serviceAccountTokenCreator``
on that account), and the account holds the persona's predefined roles. No persona gets ``roles/owner``,
``roles/editor``, ``roles/viewer`` or any ``*admin`` role: platform changes go through the stack, not the
console. Storage roles are granted on the artifact bucket, not the project.

Workloads get their own accounts: ``training`` (jobs on the GKE training pools) and ``serving`` (model
servers; also the identity that publishes the drift metric). Their Kubernetes service accounts are bound
with Workload Identity (``roles/iam.workloadIdentityUser``), so no key file ever exists.

Kubernetes access mirrors EKS (``components/training/aws.py``): no persona holds
``roles/container.developer``, which reads every Kubernetes Secret of every cluster in the project. The
personas that use the training cluster hold ``roles/container.clusterViewer`` (fetch the cluster's
endpoint and credentials; no Kubernetes permission), and RBAC inside the cluster grants the rest to the
persona's service account (GKE authenticates it as a Kubernetes ``User`` named by its e-mail):
``ml-engineer`` gets the built-in ClusterRole ``edit`` in namespace ``mlkeel-training`` only (a RoleBinding,
so nothing outside that namespace), ``platform-admin`` gets ``cluster-admin`` (a ClusterRoleBinding), and
no other persona reaches the Kubernetes API.

``roles/aiplatform.user`` stays project-wide on the personas and workloads that run Vertex AI: IAM
Conditions on ``resource.name`` work only for the services that recognize resource attributes, and
``aiplatform.googleapis.com`` is not one of them (docs/security.md).
"""

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as kubernetes

from components.gcp._naming import gcp_name
from components.gcp.args import GcpCapabilityArgs
from components.tagging import capability_options

#: Persona -> project-level predefined roles (least privilege for what the persona does).
PERSONA_ROLES: dict[str, tuple[str, ...]] = {
    "data-scientist": (
        "roles/aiplatform.user",
        "roles/bigquery.dataViewer",
        "roles/bigquery.jobUser",
        "roles/artifactregistry.reader",
        "roles/monitoring.viewer",
        "roles/logging.viewer",
    ),
    "ml-engineer": (
        "roles/aiplatform.user",
        "roles/bigquery.dataEditor",
        "roles/bigquery.jobUser",
        "roles/artifactregistry.writer",
        "roles/container.clusterViewer",
        "roles/monitoring.viewer",
        "roles/logging.viewer",
    ),
    "platform-admin": (
        "roles/container.clusterViewer",
        "roles/compute.networkViewer",
        "roles/cloudkms.viewer",
        "roles/aiplatform.viewer",
        "roles/monitoring.viewer",
        "roles/logging.viewer",
        "roles/iam.securityReviewer",
    ),
    "auditor": (
        "roles/iam.securityReviewer",
        "roles/logging.privateLogViewer",
        "roles/cloudkms.viewer",
        "roles/aiplatform.viewer",
    ),
}

#: Persona -> (Kubernetes ClusterRole, namespace it is bound in; None = the whole cluster). Personas not
#: listed get no Kubernetes permission (as on EKS).
PERSONA_KUBERNETES: dict[str, tuple[str, str | None]] = {
    "platform-admin": ("cluster-admin", None),
    "ml-engineer": ("edit", "mlkeel-training"),
}

#: Persona -> role on the artifact bucket.
PERSONA_BUCKET_ROLES: dict[str, str] = {
    "data-scientist": "roles/storage.objectViewer",
    "ml-engineer": "roles/storage.objectUser",
    "platform-admin": "roles/storage.objectViewer",
    "auditor": "roles/storage.objectViewer",
}

#: Workload -> (project roles, bucket role, Kubernetes namespace, Kubernetes service account).
WORKLOADS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "training": (
        (
            "roles/aiplatform.user",
            "roles/bigquery.dataViewer",
            "roles/bigquery.jobUser",
            "roles/artifactregistry.reader",
        ),
        "roles/storage.objectUser",
        "mlkeel-training",
        "trainer",
    ),
    "serving": (
        (
            "roles/aiplatform.user",
            "roles/artifactregistry.reader",
            "roles/monitoring.metricWriter",
            "roles/logging.logWriter",
        ),
        "roles/storage.objectViewer",
        "mlkeel-serving",
        "predictor",
    ),
}

#: Roles no person may hold through this component (the policy pack checks the same).
FORBIDDEN_FOR_PEOPLE: tuple[str, ...] = ("roles/owner", "roles/editor", "roles/viewer")


def is_admin_role(role: str) -> bool:
    """``roles/owner``, ``roles/editor``, ``roles/viewer`` (basic roles) or any role named ``*admin``."""
    return role in FORBIDDEN_FOR_PEOPLE or role.lower().endswith("admin")


class GcpAccessArgs(GcpCapabilityArgs):
    personas: Mapping[str, Sequence[str]]
    """Persona -> GCP members (``user:...``, ``group:...``, ``serviceAccount:...``)."""
    artifact_bucket: pulumi.Input[str] | None
    """The registry bucket storage roles are granted on (None when the registry is off)."""
    workload_pool: pulumi.Input[str] | None
    """The training cluster's Workload Identity pool (None when there is no cluster)."""
    training_namespace: pulumi.Input[str] | None
    """The training namespace ``ml-engineer`` edits (None: no cluster, no RBAC). The bindings go through the
    cluster's Kubernetes provider, which the caller passes as Pulumi does: ``opts.providers``."""


class GcpAccess(pulumi.ComponentResource):
    """Persona and workload service accounts with their grants (see module docstring)."""

    def __init__(self, name: str, args: GcpAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpAccess", name, None, capability_options(opts, args["tags"], "access")
        )
        prefix, project = args["prefix"], args["project"]
        child = pulumi.ResourceOptions(parent=self)
        bucket = args["artifact_bucket"]

        def grant(
            account: gcp.serviceaccount.Account, who: str, roles: Sequence[str], bucket_role: str
        ) -> None:
            for role in roles:
                gcp.projects.IAMMember(
                    f"{name}-{who}-{role.removeprefix('roles/').replace('.', '-')}",
                    project=project,
                    role=role,
                    member=account.member,
                    opts=child,
                )
            if bucket is not None:
                gcp.storage.BucketIAMMember(
                    f"{name}-{who}-bucket", bucket=bucket, role=bucket_role, member=account.member, opts=child
                )

        personas: dict[str, pulumi.Output[str]] = {}
        for persona, principals in args["personas"].items():
            if persona not in PERSONA_ROLES:
                raise ValueError(f"persona '{persona}' has no GCP roles; known: {', '.join(PERSONA_ROLES)}")
            roles = PERSONA_ROLES[persona]
            bad = [r for r in roles if is_admin_role(r)]
            if bad:
                raise ValueError(f"persona '{persona}' would get admin or basic roles {bad}")
            account = gcp.serviceaccount.Account(
                f"{name}-{persona}",
                account_id=gcp_name("service_account", prefix, persona),
                display_name=f"{prefix} {persona} (mlkeel persona)",
                description=f"Impersonated by the {persona} persona of {prefix}",
                project=project,
                opts=child,
            )
            grant(account, persona, roles, PERSONA_BUCKET_ROLES[persona])
            for index, principal in enumerate(principals):
                gcp.serviceaccount.IAMMember(
                    f"{name}-{persona}-impersonate-{index}",
                    service_account_id=account.name,
                    role="roles/iam.serviceAccountTokenCreator",
                    member=principal,
                    opts=child,
                )
            personas[persona] = account.email
            if args["training_namespace"] is not None and persona in PERSONA_KUBERNETES:
                self._bind_kubernetes(name, persona, account.email, args)

        workloads: dict[str, pulumi.Output[str]] = {}
        self.kubernetes_service_accounts: dict[str, str] = {}
        for workload, (roles, bucket_role, namespace, ksa) in WORKLOADS.items():
            account = gcp.serviceaccount.Account(
                f"{name}-{workload}",
                account_id=gcp_name("service_account", prefix, workload),
                display_name=f"{prefix} {workload} workload (mlkeel)",
                project=project,
                opts=child,
            )
            grant(account, workload, roles, bucket_role)
            if args["workload_pool"] is not None:
                gcp.serviceaccount.IAMMember(
                    f"{name}-{workload}-workload-identity",
                    service_account_id=account.name,
                    role="roles/iam.workloadIdentityUser",
                    member=pulumi.Output.concat(
                        "serviceAccount:", args["workload_pool"], f"[{namespace}/{ksa}]"
                    ),
                    opts=child,
                )
                self.kubernetes_service_accounts[workload] = f"{namespace}/{ksa}"
            workloads[workload] = account.email

        self.persona_accounts = personas
        self.workload_accounts = workloads
        self.register_outputs(
            {
                "personas": personas,
                "workloads": workloads,
                "kubernetes_service_accounts": self.kubernetes_service_accounts,
            }
        )

    def _bind_kubernetes(
        self, name: str, persona: str, email: pulumi.Output[str], args: GcpAccessArgs
    ) -> None:
        """RBAC for one persona in the training cluster: its ClusterRole, in one namespace or cluster-wide.

        The subject is the persona's service account as GKE authenticates it: a ``User`` named by the
        account's e-mail. People reach it only by impersonating that account (above).
        """
        cluster_role, namespace = PERSONA_KUBERNETES[persona]
        options = pulumi.ResourceOptions(parent=self)  # the kubernetes provider comes from opts.providers
        subjects = [
            kubernetes.rbac.v1.SubjectArgs(kind="User", name=email, api_group="rbac.authorization.k8s.io")
        ]
        role_ref = kubernetes.rbac.v1.RoleRefArgs(
            kind="ClusterRole", name=cluster_role, api_group="rbac.authorization.k8s.io"
        )
        binding = f"mlkeel-{persona}-{cluster_role}"
        if namespace is None:
            kubernetes.rbac.v1.ClusterRoleBinding(
                f"{name}-{persona}-kubernetes",
                metadata=kubernetes.meta.v1.ObjectMetaArgs(name=binding),
                role_ref=role_ref,
                subjects=subjects,
                opts=options,
            )
            return
        kubernetes.rbac.v1.RoleBinding(
            f"{name}-{persona}-kubernetes",
            metadata=kubernetes.meta.v1.ObjectMetaArgs(
                name=binding, namespace=args["training_namespace"] or namespace
            ),
            role_ref=role_ref,
            subjects=subjects,
            opts=options,
        )

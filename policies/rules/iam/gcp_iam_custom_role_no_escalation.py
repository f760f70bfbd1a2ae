"""MLK_IAM_011: GCP custom roles hold named permissions, none that lets a holder grant itself more."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list
from .._frameworks import AC6, cis_gcp

CUSTOM_ROLES = frozenset(
    {"gcp:projects/iAMCustomRole:IAMCustomRole", "gcp:organizations/iAMCustomRole:IAMCustomRole"}
)

#: Permissions (shell patterns, matched case-sensitively as IAM names them) that let whoever holds the role
#: gain another identity's or a wider role's access. ``iam.serviceAccounts.actAs`` is here although
#: workloads need it: a custom role is granted by name, usually on the project, where actAs covers every
#: service account in it (the hole MLK_IAM_006 closes for roles/iam.serviceAccountUser). Grant
#: roles/iam.serviceAccountUser on the one account instead, as the self-healing runner does for the
#: training account.
ESCALATION_PERMISSIONS: tuple[str, ...] = (
    "*.setIamPolicy",
    "iam.roles.create",
    "iam.roles.update",
    "iam.serviceAccountKeys.create",
    "iam.serviceAccounts.actAs",
    "iam.serviceAccounts.getAccessToken",
    "iam.serviceAccounts.getOpenIdToken",
    "iam.serviceAccounts.implicitDelegation",
    "iam.serviceAccounts.signBlob",
    "iam.serviceAccounts.signJwt",
    "iam.workloadIdentityPoolProviders.create",
    "iam.workloadIdentityPoolProviders.update",
    "storage.hmacKeys.create",
    "deploymentmanager.deployments.create",
    "cloudbuild.builds.create",
    "compute.projects.setCommonInstanceMetadata",
    "compute.instances.setMetadata",
)


class GcpIamCustomRoleNoEscalation(ResourceRule):
    meta = RuleMeta(
        id="MLK_IAM_011",
        name="gcp-iam-custom-role-no-escalation",
        title="Ensure GCP custom roles name their permissions and hold none that escalates privilege",
        description="Project and organisation `IAMCustomRole` resources list no permission with `*` and "
        "none matching `deniedPermissions` (by default: any `*.setIamPolicy`, custom role create/update, "
        "service account keys, tokens, signing, delegation and `actAs`, workload identity providers, "
        "HMAC keys, Deployment Manager and Cloud Build runs, and instance metadata writes), and their "
        "`stage` is not `DISABLED`.",
        why="Each listed permission turns the role into another identity's access: setting an IAM policy "
        "grants anything, a key, token or signature for a service account is that account, `actAs` on a "
        "project-wide grant covers every account in it, and Deployment Manager, Cloud Build and instance "
        "metadata run code as Google-managed or VM identities. A disabled role left in the stack keeps "
        "its bindings, which come back alive when anyone re-enables it.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        resources={"gcp:{projects,organizations}/iAMCustomRole:IAMCustomRole": "permissions, stage"},
        frameworks=(
            AC6,
            cis_gcp("1.5", "Ensure that Service Account has no Admin privileges"),
        ),
        config={
            "deniedPermissions": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "default": list(ESCALATION_PERMISSIONS),
                "description": "Permissions (shell patterns, e.g. `*.setIamPolicy`) no custom role may hold.",
            }
        },
        remediation="List each permission the workload calls; grant impersonation "
        "(roles/iam.serviceAccountUser) on the one service account and IAM administration to people, "
        "not workloads; delete roles instead of disabling them.",
    )
    types = CUSTOM_ROLES

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        permissions = [str(p) for p in as_list(resource.get("permissions"))]
        wildcards = [p for p in permissions if "*" in p]
        if wildcards:
            yield f"IAMCustomRole permissions must be named one by one (found {', '.join(wildcards)})."
        patterns = [str(p) for p in config.get("deniedPermissions") or ()]
        escalating = [
            p for p in permissions if "*" not in p and any(fnmatchcase(p, pattern) for pattern in patterns)
        ]
        if escalating:
            yield (
                "IAMCustomRole permissions must not include privilege-escalation permissions "
                f"(found {', '.join(escalating)})."
            )
        stage = resource.get("stage")
        if str(stage or "").upper() == "DISABLED":
            yield f"IAMCustomRole stage must not be 'DISABLED' (found {stage!r}): delete the role instead."

"""MLK_IAM_006: nobody may impersonate every service account of a project, and the default service
accounts hold no project roles."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list
from .._frameworks import AC6, cis_gcp

PROJECT_GRANTS = frozenset(
    {
        "gcp:projects/iAMMember:IAMMember",
        "gcp:projects/iAMBinding:IAMBinding",
        "gcp:folder/iAMMember:IAMMember",
        "gcp:folder/iAMBinding:IAMBinding",
        "gcp:organizations/iAMMember:IAMMember",
        "gcp:organizations/iAMBinding:IAMBinding",
    }
)

#: Roles that let a member act as any service account of the project when granted at project level.
IMPERSONATION_ROLES = frozenset(
    {
        "roles/iam.serviceAccountUser",
        "roles/iam.serviceAccountTokenCreator",
        "roles/iam.serviceAccountKeyAdmin",
        "roles/iam.serviceAccountAdmin",
        "roles/iam.workloadIdentityUser",
        "roles/iam.serviceAccountOpenIdTokenCreator",
    }
)

DEFAULT_ACCOUNT_SUFFIXES = ("-compute@developer.gserviceaccount.com", "@appspot.gserviceaccount.com")


class GcpIamNoProjectImpersonation(ResourceRule):
    meta = RuleMeta(
        id="MLK_IAM_006",
        name="gcp-iam-no-project-impersonation",
        title="Ensure no project-wide service account impersonation and no roles for default accounts",
        description="Project, folder and organisation `IAMMember`/`IAMBinding` grants do not give "
        "`roles/iam.serviceAccountUser`, `serviceAccountTokenCreator`, `serviceAccountKeyAdmin`, "
        "`serviceAccountAdmin`, `serviceAccountOpenIdTokenCreator` or `workloadIdentityUser` (grant them on "
        "one service account instead), and no such grant goes to the Compute Engine or App Engine default "
        "service account.",
        why="Granted on the project, these roles let a member become every service account in it, "
        "including the training and serving identities that read restricted data; the default service "
        "accounts are shared by anything launched without an identity of its own.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={"gcp:{projects,folder,organizations}/iAM{Member,Binding}": "role, member, members"},
        frameworks=(
            AC6,
            cis_gcp(
                "1.6",
                "Ensure that IAM users are not assigned the Service Account User or Token "
                "Creator roles at project level",
            ),
        ),
        remediation="Grant impersonation on the one service account (gcp:serviceaccount/iAMMember) and run "
        "workloads as dedicated service accounts.",
    )
    types = PROJECT_GRANTS

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        role = str(resource.get("role") or "")
        if role in IMPERSONATION_ROLES:
            yield f"{role} must be granted on a service account, not project-wide (found a project grant)."
        members = [str(m) for m in as_list(resource.get("member"))] + [
            str(m) for m in as_list(resource.get("members"))
        ]
        defaults = [m for m in members if m.endswith(DEFAULT_ACCOUNT_SUFFIXES)]
        if defaults:
            yield f"Default service accounts must hold no project roles (found {', '.join(defaults)})."

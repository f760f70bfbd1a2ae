"""MLK_IAM_003: no GCP owner/editor/admin role grants and no user-managed service account keys.

pulumi-gcp spells grant types both ways (``gcp:projects/iAMMember:IAMMember`` and
``gcp:cloudrunv2/jobIamMember:JobIamMember``), so the type filter ignores case: an exact-case suffix let every
``*IamMember`` through unread.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta
from .._frameworks import AC6

SA_KEY = "gcp:serviceaccount/key:Key"


class GcpIamNoBroadRoles(ResourceRule):
    meta = RuleMeta(
        id="MLK_IAM_003",
        name="gcp-iam-no-broad-roles",
        title="Ensure no GCP grant uses owner, editor or admin roles and no service account keys exist",
        description="IAMMember/IAMBinding (or IamMember/IamBinding) resources on any service use roles "
        "outside the deny patterns (`roles/owner`, `roles/editor`, `roles/*admin`); "
        "`gcp:serviceaccount/key:Key` is not used.",
        why="Primitive roles span every service in the project; exported service account keys are "
        "long-lived credentials that leak.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "gcp:*/*IAMMember, gcp:*/*IAMBinding (any case)": "role",
            SA_KEY: "(resource must not exist)",
        },
        frameworks=(AC6,),
        config={
            "deniedRolePatterns": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["roles/owner", "roles/editor", "roles/*admin", "roles/*.admin"],
                "description": "Glob patterns of roles that may not be granted.",
            }
        },
        remediation="Grant predefined narrow roles (roles/aiplatform.user, roles/storage.objectViewer) or "
        "custom roles.",
    )

    def applies_to_type(self, resource_type: str) -> bool:
        return resource_type == SA_KEY or (
            resource_type.startswith("gcp:") and resource_type.lower().endswith(("iammember", "iambinding"))
        )

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type == SA_KEY:
            yield "service account keys must not be created; use workload identity instead."
            return
        role = str(resource.get("role") or "")
        if any(fnmatch.fnmatchcase(role, p) for p in config["deniedRolePatterns"]):
            yield f"role must not match {', '.join(config['deniedRolePatterns'])} (found {role!r})."

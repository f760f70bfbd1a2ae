"""MLK_PUB_004: no GCP IAM member, binding or policy grants to allUsers or allAuthenticatedUsers.

pulumi-gcp spells the same resource kind two ways (``gcp:projects/iAMMember:IAMMember`` but
``gcp:cloudrunv2/jobIamMember:JobIamMember``, ``gcp:bigquery/datasetIamMember:DatasetIamMember``), so the
type filter ignores case: an exact-case suffix let every ``*IamMember`` through unread.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_json, as_list
from .._frameworks import AC3, cis_gcp

PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")

#: Type-name endings (lower case) of resources that grant roles: one member, one role's members, or a
#: whole policy document (``policyData``).
GRANT_SUFFIXES = ("iammember", "iambinding", "iampolicy")


class GcpIamNoPublicMembers(ResourceRule):
    meta = RuleMeta(
        id="MLK_PUB_004",
        name="gcp-iam-no-public-members",
        title="Ensure no GCP IAM grant goes to allUsers or allAuthenticatedUsers",
        description="Every `gcp:*` IAMMember/IamMember (`member`), IAMBinding/IamBinding (`members`) and "
        "IAMPolicy/IamPolicy (`policyData` bindings) resource, on any service (Cloud Run jobs and services "
        "included), names real principals.",
        why="A single public member on a bucket, endpoint or dataset publishes it to the internet.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "gcp:*/*{IAM,Iam}Member, gcp:*/*{IAM,Iam}Binding, gcp:*/*{IAM,Iam}Policy": "member, members, "
            "policyData (JSON): bindings[].members"
        },
        frameworks=(
            AC3,
            cis_gcp("5.1", "Ensure that Cloud Storage bucket is not anonymously or publicly accessible"),
        ),
        remediation="Grant to groups, service accounts or users instead.",
    )

    def applies_to_type(self, resource_type: str) -> bool:
        return resource_type.startswith("gcp:") and resource_type.lower().endswith(GRANT_SUFFIXES)

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        members = [str(m) for m in as_list(resource.get("member"))] + [
            str(m) for m in as_list(resource.get("members"))
        ]
        policy = as_json(resource.get("policyData"), "policyData")
        if isinstance(policy, Mapping):
            for binding in as_list(policy.get("bindings")):
                if isinstance(binding, Mapping):
                    members.extend(str(m) for m in as_list(binding.get("members")))
        public = [m for m in members if m in PUBLIC_MEMBERS]
        if public:
            yield f"member(s) must not include {' or '.join(PUBLIC_MEMBERS)} (found {', '.join(public)})."

"""MLK_PUB_004: no GCP IAM member or binding grants to allUsers or allAuthenticatedUsers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list
from .._frameworks import AC3, cis_gcp

PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")


class GcpIamNoPublicMembers(ResourceRule):
    meta = RuleMeta(
        id="MLK_PUB_004",
        name="gcp-iam-no-public-members",
        title="Ensure no GCP IAM grant goes to allUsers or allAuthenticatedUsers",
        description="Every `gcp:*` IAMMember (`member`) and IAMBinding (`members`) resource, on any service, "
        "names real principals.",
        why="A single public member on a bucket, endpoint or dataset publishes it to the internet.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        resources={"gcp:*/*IAMMember:*IAMMember, gcp:*/*IAMBinding:*IAMBinding": "member, members"},
        frameworks=(
            AC3,
            cis_gcp("5.1", "Ensure that Cloud Storage bucket is not anonymously or publicly accessible"),
        ),
        remediation="Grant to groups, service accounts or users instead.",
    )

    def applies_to_type(self, resource_type: str) -> bool:
        return resource_type.startswith("gcp:") and resource_type.endswith(("IAMMember", "IAMBinding"))

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        members = [str(m) for m in as_list(resource.get("member"))] + [
            str(m) for m in as_list(resource.get("members"))
        ]
        public = [m for m in members if m in PUBLIC_MEMBERS]
        if public:
            yield f"member(s) must not include {' or '.join(PUBLIC_MEMBERS)} (found {', '.join(public)})."

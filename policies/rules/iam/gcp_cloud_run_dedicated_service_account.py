"""MLK_IAM_009: every Cloud Run workload runs as a service account of its own, never the project's default."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta
from .._cloud_run import TEMPLATES, TYPES_DOC, template_path
from .._frameworks import AC6
from .gcp_iam_no_project_impersonation import DEFAULT_ACCOUNT_SUFFIXES


class GcpCloudRunDedicatedServiceAccount(ResourceRule):
    meta = RuleMeta(
        id="MLK_IAM_009",
        name="gcp-cloud-run-dedicated-service-account",
        title="Ensure Cloud Run workloads run as a dedicated service account",
        description="Every Cloud Run v2 Job (`template.template.serviceAccount`), Service and WorkerPool "
        "(`template.serviceAccount`) names a service account, and not the Compute Engine "
        "(`<number>-compute@developer.gserviceaccount.com`) or App Engine default account.",
        why="Left empty, Cloud Run runs the container as the Compute Engine default account, which every "
        "VM, notebook and job launched without an identity shares and which often holds Editor: the "
        "container's least-privilege role means nothing then.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={TYPES_DOC: "template.template.serviceAccount (Job), template.serviceAccount (others)"},
        frameworks=(AC6,),
        remediation="Create a gcp.serviceaccount.Account for the workload, grant it only what it calls, and "
        "pass its email as service_account.",
    )
    types = frozenset(TEMPLATES)

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        path = template_path(resource.type, "serviceAccount")
        account = resource.get(path)
        kind = resource.type.rsplit(":", 1)[-1]
        if not account:
            yield f"{kind} {path} must name a dedicated service account (found none: the default runs it)."
        elif str(account).endswith(DEFAULT_ACCOUNT_SUFFIXES):
            yield f"{kind} {path} must not be a default service account (found {account})."

"""MLK_IAM_004: nobody keeps cluster-admin on an EKS cluster just for having created it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, dig, truthy
from .._frameworks import AC6
from .._tokens import EKS_CLUSTER


class AwsEksNoClusterCreatorAdmin(ResourceRule):
    meta = RuleMeta(
        id="MLK_IAM_004",
        name="aws-eks-no-cluster-creator-admin",
        title="Ensure EKS clusters grant admin through access entries, not to their creator",
        description="`accessConfig.bootstrapClusterCreatorAdminPermissions` is false and "
        "`accessConfig.authenticationMode` is `API` or `API_AND_CONFIG_MAP` (access entries on).",
        why="The creator's admin grant is invisible in the stack and never expires: whoever ran `pulumi up` "
        "(often a CI role) stays cluster-admin forever. Access entries mapped from personas are reviewable.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={EKS_CLUSTER: "accessConfig.{bootstrapClusterCreatorAdminPermissions,authenticationMode}"},
        frameworks=(AC6,),
        remediation="Plan the cluster with the training capability: admins come from the spec's personas.",
    )
    types = frozenset({EKS_CLUSTER})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        access = resource.get("accessConfig") or {}
        bootstrap = dig(access, "bootstrapClusterCreatorAdminPermissions")
        # The provider's default is true: unset is the creator-admin case.
        if bootstrap is None or truthy(bootstrap):
            yield (
                "Cluster accessConfig.bootstrapClusterCreatorAdminPermissions must be false "
                f"(found {bootstrap!r})."
            )
        mode = dig(access, "authenticationMode")
        if mode not in ("API", "API_AND_CONFIG_MAP"):
            yield (
                f"Cluster accessConfig.authenticationMode must be API or API_AND_CONFIG_MAP (found {mode!r})."
            )

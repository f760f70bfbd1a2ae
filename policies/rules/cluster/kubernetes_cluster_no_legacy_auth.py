"""MLK_CLUSTER_003: clusters authenticate through the cloud's identity, never legacy credentials."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, truthy
from .._frameworks import AC3, cis_gcp, nist
from .._tokens import EKS_CLUSTER, GKE_CLUSTER

IA2 = nist("IA-2", "Identification and authentication")


class KubernetesClusterNoLegacyAuth(ResourceRule):
    meta = RuleMeta(
        id="MLK_CLUSTER_003",
        name="kubernetes-cluster-no-legacy-auth",
        title="Ensure clusters use no legacy ABAC, basic auth, client certificates or aws-auth ConfigMap",
        description="GKE: `enableLegacyAbac` is not true, `masterAuth.clientCertificateConfig."
        "issueClientCertificate` is not true, `masterAuth.username`/`password` are unset. EKS: "
        "`accessConfig.authenticationMode` is not `API_AND_CONFIG_MAP` (the `CONFIG_MAP`-only mode is "
        "MLK_IAM_004's finding).",
        why="Legacy ABAC grants whole-cluster rights outside RBAC; a client certificate or basic-auth "
        "password never expires and cannot be revoked short of rotating the control plane; the aws-auth "
        "ConfigMap is edited in-cluster, outside IAM and its audit trail.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            GKE_CLUSTER: "enableLegacyAbac, masterAuth.{clientCertificateConfig.issueClientCertificate,"
            "username,password}",
            EKS_CLUSTER: "accessConfig.authenticationMode",
        },
        frameworks=(
            IA2,
            AC3,
            cis_gcp("7.10", "Ensure Legacy Authorization (ABAC) is Disabled"),
        ),
        remediation="GKE: enableLegacyAbac=False, masterAuth.clientCertificateConfig.issueClientCertificate="
        "False. EKS: accessConfig.authenticationMode='API' with access entries.",
    )
    types = frozenset({GKE_CLUSTER, EKS_CLUSTER})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type == EKS_CLUSTER:
            if resource.get("accessConfig.authenticationMode") == "API_AND_CONFIG_MAP":
                yield "Cluster accessConfig.authenticationMode must be 'API' (found 'API_AND_CONFIG_MAP')."
            return
        if truthy(resource.get("enableLegacyAbac", False)):
            yield "Cluster enableLegacyAbac must be false (found true)."
        if truthy(resource.get("masterAuth.clientCertificateConfig.issueClientCertificate", False)):
            yield "Cluster must not issue client certificates: masterAuth.clientCertificateConfig (found on)."
        auth = resource.get("masterAuth") or {}
        # A password arrives as an encrypted secret: that it is set is the finding, so read no value.
        if any(key in auth and auth[key] not in (None, "") for key in ("username", "password")):
            yield "Cluster masterAuth must not set a username or password: basic auth (found one)."

"""MLK_ENC_004: Kubernetes control planes encrypt secrets with a customer-managed key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig
from .._frameworks import SC12, SC28
from .._tokens import EKS_CLUSTER, GKE_CLUSTER


class KubernetesClusterSecretsEncryptionCmek(ResourceRule):
    meta = RuleMeta(
        id="MLK_ENC_004",
        name="kubernetes-cluster-secrets-encryption-cmek",
        formerly=("kubernetes-cluster-secrets-encryption-cmk",),
        title="Ensure Kubernetes clusters encrypt secrets with a customer-managed key",
        description="EKS `encryptionConfig` covers `secrets` with a KMS key; GKE `databaseEncryption` is "
        "`ENCRYPTED` with a Cloud KMS key.",
        why="Cluster secrets hold registry, database and cloud credentials of every ML workload; envelope "
        "encryption with a CMK keeps them unreadable from etcd backups.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            EKS_CLUSTER: "encryptionConfig.{resources ∋ secrets, provider.keyArn}",
            GKE_CLUSTER: "databaseEncryption.{state = ENCRYPTED, keyName}",
        },
        frameworks=(SC28, SC12),
        remediation="EKS: encryptionConfig={resources:['secrets'], provider:{keyArn}}; GKE: "
        "databaseEncryption={state:'ENCRYPTED', keyName}.",
    )
    types = frozenset({EKS_CLUSTER, GKE_CLUSTER})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type == EKS_CLUSTER:
            encryption = resource.get("encryptionConfig")
            blocks = as_list(encryption)
            covered = [b for b in blocks if "secrets" in as_list(dig(b, "resources"))]
            if not covered:
                yield (
                    "Cluster encryptionConfig.resources must include 'secrets' (found no encryption config)."
                )
            elif not all(dig(b, "provider.keyArn") for b in covered):
                yield (
                    "Cluster encryptionConfig.provider.keyArn must name a customer-managed KMS key "
                    "(found none)."
                )
            return
        state = resource.get("databaseEncryption.state")
        if state != "ENCRYPTED":
            yield f"Cluster databaseEncryption.state must be 'ENCRYPTED' (found {state!r})."
        elif not resource.get("databaseEncryption.keyName"):
            yield "Cluster databaseEncryption.keyName must name a Cloud KMS key (found none)."

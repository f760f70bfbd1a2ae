"""MLK_ENC_005: Container and artifact registries encrypt images with a customer-managed key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_list, dig
from .._frameworks import SC28

ECR = "aws:ecr/repository:Repository"
ARTIFACT_REGISTRY = "gcp:artifactregistry/repository:Repository"


class RegistryEncryptionCmek(ResourceRule):
    meta = RuleMeta(
        id="MLK_ENC_005",
        name="registry-encryption-cmek",
        formerly=("registry-encryption-cmk",),
        title="Ensure container registries encrypt images with a customer-managed key",
        description="ECR repositories use `encryptionType` KMS with a key; Artifact Registry repositories "
        "set `kmsKeyName`.",
        why="Serving and training images embed model weights and code; registry encryption under the "
        "platform key keeps them under the same access control as the data.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            ECR: "encryptionConfigurations[].{encryptionType = KMS, kmsKey}",
            ARTIFACT_REGISTRY: "kmsKeyName",
        },
        frameworks=(SC28,),
        remediation="ECR: encryptionConfigurations=[{encryptionType:'KMS', kmsKey}]; "
        "Artifact Registry: kmsKeyName.",
    )
    types = frozenset({ECR, ARTIFACT_REGISTRY})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type == ARTIFACT_REGISTRY:
            if not resource.get("kmsKeyName"):
                yield "Repository kmsKeyName must name a Cloud KMS key (found none)."
            return
        blocks = as_list(resource.get("encryptionConfigurations"))
        if not blocks:
            yield (
                "Repository encryptionConfigurations must set encryptionType 'KMS' "
                "(found none: AES256 default)."
            )
        for index, block in enumerate(blocks):
            kind = dig(block, "encryptionType")
            if kind != "KMS":
                yield (
                    f"Repository encryptionConfigurations[{index}].encryptionType must be 'KMS' "
                    f"(found {kind!r})."
                )
            elif not dig(block, "kmsKey"):
                yield f"Repository encryptionConfigurations[{index}].kmsKey must name a customer-managed key."

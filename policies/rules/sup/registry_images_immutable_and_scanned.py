"""MLK_SUP_001: registry tags cannot be moved and images are scanned."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, truthy
from .._frameworks import nist

SI7 = nist("SI-7", "Software, firmware, and information integrity")
RA5 = nist("RA-5", "Vulnerability monitoring and scanning")

ECR = "aws:ecr/repository:Repository"
ARTIFACT_REGISTRY = "gcp:artifactregistry/repository:Repository"


class RegistryImagesImmutableAndScanned(ResourceRule):
    meta = RuleMeta(
        id="MLK_SUP_001",
        name="registry-images-immutable-and-scanned",
        title="Ensure container registries keep tags immutable and scan images",
        description="ECR repositories set `imageTagMutability` `IMMUTABLE` (or `IMMUTABLE_WITH_EXCLUSION`) "
        "and `imageScanningConfiguration.scanOnPush`; Artifact Registry `DOCKER` repositories set "
        "`dockerConfig.immutableTags`, and no repository turns vulnerability scanning off "
        "(`vulnerabilityScanningConfig.enablementConfig` `DISABLED`).",
        why="A mutable tag lets anyone with push rights swap the image a serving endpoint or training job "
        "runs under the same name, after review; unscanned images ship known vulnerabilities to the "
        "nodes that hold the data.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            ECR: "imageTagMutability, imageScanningConfiguration.scanOnPush",
            ARTIFACT_REGISTRY: "format, dockerConfig.immutableTags, "
            "vulnerabilityScanningConfig.enablementConfig",
        },
        frameworks=(SI7, RA5),
        remediation="ECR: imageTagMutability='IMMUTABLE', imageScanningConfiguration={scanOnPush:True}. "
        "Artifact Registry: dockerConfig={immutableTags:True}; leave vulnerability scanning inherited.",
    )
    types = frozenset({ECR, ARTIFACT_REGISTRY})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.type == ECR:
            mutability = resource.get("imageTagMutability")
            if mutability not in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
                yield f"Repository imageTagMutability must be 'IMMUTABLE' (found {mutability!r})."
            if not truthy(resource.get("imageScanningConfiguration.scanOnPush", False)):
                yield "Repository imageScanningConfiguration.scanOnPush must be true (found it off)."
            return
        if str(resource.get("format") or "").upper() == "DOCKER" and not truthy(
            resource.get("dockerConfig.immutableTags", False)
        ):
            yield "Repository dockerConfig.immutableTags must be true (found it unset or false)."
        scanning = resource.get("vulnerabilityScanningConfig.enablementConfig")
        if scanning == "DISABLED":
            yield "Repository vulnerabilityScanningConfig.enablementConfig must not be 'DISABLED' (found it)."

"""MLK_ENC_003: SageMaker and Vertex AI resources encrypt data with customer-managed keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import SC28
from .._tokens import (
    SM_DOMAIN,
    SM_ENDPOINT_CONFIG,
    SM_FEATURE_GROUP,
    SM_NOTEBOOK,
    SM_TRAINING_JOB,
    VERTEX_CMEK,
)

_VERTEX = {token: (Expect("encryptionSpec.kmsKeyName"),) for token in sorted(VERTEX_CMEK)}


class MlServicesEncryptionCmek(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_ENC_003",
        name="ml-services-encryption-cmek",
        formerly=("ml-services-encryption-cmk",),
        title="Ensure ML services encrypt data with customer-managed keys",
        description="SageMaker endpoint configurations, training jobs, notebooks, domains and feature "
        "groups, and Vertex AI endpoints, datasets, index endpoints, persistent resources, metadata and "
        "feature stores name a customer-managed key.",
        why="Model inputs captured at endpoints, training volumes and feature stores hold raw customer data; "
        "without a CMK their encryption cannot be audited or revoked.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            SM_ENDPOINT_CONFIG: "kmsKeyArn; dataCaptureConfig.kmsKeyId (when data capture is on)",
            SM_TRAINING_JOB: "outputDataConfig.kmsKeyId, resourceConfig.volumeKmsKeyId",
            SM_NOTEBOOK: "kmsKeyId",
            SM_DOMAIN: "kmsKeyId",
            SM_FEATURE_GROUP: (
                "offlineStoreConfig.s3StorageConfig.kmsKeyId, onlineStoreConfig.securityConfig.kmsKeyId "
                "(for each store configured)"
            ),
            (
                "gcp:vertex/ai{Endpoint,Dataset,IndexEndpoint,PersistentResource,"
                "MetadataStore,FeatureOnlineStore}"
            ): "encryptionSpec.kmsKeyName",
        },
        frameworks=(SC28,),
        remediation="Pass the platform key (AWS KMS ARN or Cloud KMS key name) to every listed property.",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        SM_ENDPOINT_CONFIG: (
            Expect("kmsKeyArn"),
            Expect("dataCaptureConfig.kmsKeyId", when="dataCaptureConfig"),
        ),
        SM_TRAINING_JOB: (Expect("outputDataConfig.kmsKeyId"), Expect("resourceConfig.volumeKmsKeyId")),
        SM_NOTEBOOK: (Expect("kmsKeyId"),),
        SM_DOMAIN: (Expect("kmsKeyId"),),
        SM_FEATURE_GROUP: (
            Expect("offlineStoreConfig.s3StorageConfig.kmsKeyId", when="offlineStoreConfig"),
            Expect("onlineStoreConfig.securityConfig.kmsKeyId", when="onlineStoreConfig"),
        ),
        **_VERTEX,
    }

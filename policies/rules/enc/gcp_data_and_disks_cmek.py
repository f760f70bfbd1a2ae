"""MLK_ENC_007: BigQuery datasets and the boot disks of GKE nodes and Workbench use customer-managed keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import SC28
from .._tokens import GKE_NODE_POOL, WORKBENCH

BQ_DATASET = "gcp:bigquery/dataset:Dataset"


class GcpDataAndDisksCmek(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_ENC_007",
        name="gcp-data-and-disks-cmek",
        title="Ensure BigQuery datasets and GKE/Workbench boot disks use customer-managed keys",
        description="BigQuery datasets set `defaultEncryptionConfiguration.kmsKeyName`; GKE node pools "
        "`nodeConfig.bootDiskKmsKey`; Workbench instances `gceSetup.bootDisk.diskEncryption` CMEK with a "
        "`kmsKey`.",
        why="Offline feature stores and prediction logs live in BigQuery; training nodes and notebooks cache "
        "data sets on their boot disks. Both should be readable only under the platform key.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            BQ_DATASET: "defaultEncryptionConfiguration.kmsKeyName",
            GKE_NODE_POOL: "nodeConfig.bootDiskKmsKey",
            WORKBENCH: "gceSetup.bootDisk.{diskEncryption = CMEK, kmsKey}",
        },
        frameworks=(SC28,),
        remediation="Pass the team's Cloud KMS key to each property (and grant the service agents "
        "roles/cloudkms.cryptoKeyEncrypterDecrypter on it).",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        BQ_DATASET: (Expect("defaultEncryptionConfiguration.kmsKeyName"),),
        GKE_NODE_POOL: (Expect("nodeConfig.bootDiskKmsKey"),),
        WORKBENCH: (
            Expect("gceSetup.bootDisk.diskEncryption", "equals", "CMEK"),
            Expect("gceSetup.bootDisk.kmsKey"),
        ),
    }

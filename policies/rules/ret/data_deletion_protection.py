"""MLK_RET_004: stores of data and clusters cannot be destroyed with their contents by one `pulumi up`."""

from __future__ import annotations

from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import SI12, nist
from .._tokens import GCS_BUCKET, GKE_CLUSTER

CP9 = nist("CP-9", "System backup")

S3_BUCKET = "aws:s3/bucket:Bucket"
S3_BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
ECR = "aws:ecr/repository:Repository"
BQ_DATASET = "gcp:bigquery/dataset:Dataset"
BQ_TABLE = "gcp:bigquery/table:Table"


class DataDeletionProtection(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_RET_004",
        name="data-deletion-protection",
        title="Ensure data stores and clusters are protected from deletion with their contents",
        description="S3 buckets do not set `forceDestroy`, ECR repositories not `forceDelete`, GCS buckets "
        "not `forceDestroy`, BigQuery datasets not `deleteContentsOnDestroy`; BigQuery tables and GKE "
        "clusters do not set `deletionProtection` false.",
        why="With these flags a rename or a removed line in a team's program deletes the model registry, "
        "the feature tables or the cluster along with everything in them, and preview shows it as one "
        "ordinary replace.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "aws:s3/bucket:Bucket (+V2), gcp:storage/bucket:Bucket": "forceDestroy",
            ECR: "forceDelete",
            BQ_DATASET: "deleteContentsOnDestroy",
            f"{BQ_TABLE}, {GKE_CLUSTER}": "deletionProtection",
        },
        frameworks=(CP9, SI12),
        remediation="Remove the flag; empty and delete a store on purpose, in its own reviewed change.",
    )
    expectations: ClassVar = {
        S3_BUCKET: (Expect("forceDestroy", "false"),),
        S3_BUCKET_V2: (Expect("forceDestroy", "false"),),
        GCS_BUCKET: (Expect("forceDestroy", "false"),),
        ECR: (Expect("forceDelete", "false"),),
        BQ_DATASET: (Expect("deleteContentsOnDestroy", "false"),),
        BQ_TABLE: (Expect("deletionProtection", "one_of", [True, "true", None]),),
        GKE_CLUSTER: (Expect("deletionProtection", "one_of", [True, "true", None]),),
    }

"""Type tokens rules share (pulumi-aws 7.51.1, pulumi-gcp 10.2.0, pulumi-kubernetes 4.34.2).

pulumi-aws v7 keeps both S3 token sets (``aws:s3/bucket:Bucket`` with the V2 shape and
``aws:s3/bucketV2:BucketV2``, and each side resource in both forms), so S3 rules match both.
"""

from __future__ import annotations

S3_BUCKETS = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
S3_SSE = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    }
)
S3_PAB = frozenset({"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"})
S3_ACL = frozenset({"aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"})
S3_POLICY = frozenset({"aws:s3/bucketPolicy:BucketPolicy"})
S3_LIFECYCLE = frozenset(
    {
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    }
)
S3_REPLICATION = frozenset({"aws:s3/bucketReplicationConfig:BucketReplicationConfig"})
GCS_BUCKET = "gcp:storage/bucket:Bucket"

SM_TRAINING_JOB = "aws:sagemaker/trainingJob:TrainingJob"
SM_ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
SM_NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
SM_DOMAIN = "aws:sagemaker/domain:Domain"
SM_FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
SM_MODEL = "aws:sagemaker/model:Model"

EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
GKE_CLUSTER = "gcp:container/cluster:Cluster"
GKE_NODE_POOL = "gcp:container/nodePool:NodePool"

VERTEX_CMEK = frozenset(
    {
        "gcp:vertex/aiEndpoint:AiEndpoint",
        "gcp:vertex/aiDataset:AiDataset",
        "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint",
        "gcp:vertex/aiPersistentResource:AiPersistentResource",
        "gcp:vertex/aiMetadataStore:AiMetadataStore",
        "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore",
    }
)
VERTEX_ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
VERTEX_INDEX_ENDPOINT = "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint"
VERTEX_PERSISTENT = "gcp:vertex/aiPersistentResource:AiPersistentResource"
VERTEX_POOL = "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool"
WORKBENCH = "gcp:workbench/instance:Instance"

KMS_KEY = "aws:kms/key:Key"
GCP_CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"

KUBERNETES_WORKLOADS = frozenset(
    {
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:apps/v1:DaemonSet",
        "kubernetes:apps/v1:ReplicaSet",
        "kubernetes:batch/v1:Job",
        "kubernetes:batch/v1:CronJob",
        "kubernetes:core/v1:Pod",
    }
)

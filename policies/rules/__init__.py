"""The rule library: one rule per module, ``MLK_<AREA>_<NNN>`` ids, listed here in catalogue order.

Packs pick rules from ``ALL_RULES`` explicitly; ``tests/policies`` checks that ids and names are unique
and that every rule is in at least one pack.
"""

from __future__ import annotations

from ._base import (
    EXEMPT_PREFIX,
    SECRET_PLACEHOLDER,
    AbsExpectationRule,
    AbsRule,
    CouldNotCheck,
    Expect,
    Framework,
    Resource,
    ResourceRule,
    Rule,
    RuleMeta,
    SecretValueError,
    StackRule,
    dig,
)
from .audit.aws_cloudtrail import AwsCloudtrail
from .audit.cluster_control_plane_logging import ClusterControlPlaneLogging
from .audit.gcp_data_access_audit import GcpDataAccessAudit
from .encryption.cluster_secrets_cmk import ClusterSecretsCmk
from .encryption.gcp_data_disks_cmek import GcpDataDisksCmek
from .encryption.gcs_bucket_cmek import GcsBucketCmek
from .encryption.logs_cmk import LogsCmk
from .encryption.ml_services_cmk import MlServicesCmk
from .encryption.registry_cmk import RegistryCmk
from .encryption.s3_bucket_cmk import S3BucketCmk
from .iam.aws_no_broad_managed_policies import AwsNoBroadManagedPolicies
from .iam.aws_no_wildcard_admin import AwsNoWildcardAdmin
from .iam.gcp_no_primitive_roles import GcpNoPrimitiveRoles
from .keys.aws_kms_key_rotation import AwsKmsKeyRotation
from .keys.gcp_kms_key_rotation import GcpKmsKeyRotation
from .kubernetes.workload_not_privileged import WorkloadNotPrivileged
from .kubernetes.workload_requests_and_labels import WorkloadRequestsAndLabels
from .network.cluster_private_control_plane import ClusterPrivateControlPlane
from .network.ml_endpoints_private import MlEndpointsPrivate
from .network.ml_network_isolation import MlNetworkIsolation
from .public.gcp_no_public_members import GcpNoPublicMembers
from .public.gcs_public_access_prevention import GcsPublicAccessPrevention
from .public.s3_no_public_grants import S3NoPublicGrants
from .public.s3_public_access_block import S3PublicAccessBlock
from .residency.replication_in_zone import ReplicationInZone
from .residency.resource_in_zone import ResourceInZone
from .retention.bucket_lifecycle import BucketLifecycle
from .retention.log_retention import LogRetention
from .scaling.autoscaling_bounds import AutoscalingBounds
from .scaling.instance_allow_list import InstanceAllowList
from .spot.sagemaker_training_spot import SagemakerTrainingSpot
from .spot.spot_training_checkpointed import SpotTrainingCheckpointed
from .spot.training_pools_spot import TrainingPoolsSpot
from .stack.audit_logging_on import AuditLoggingOn
from .stack.bucket_protected import BucketProtected
from .stack.team_budget import TeamBudget
from .tags.cost_tags import CostTags
from .transit.s3_bucket_policy_tls import S3BucketPolicyTls
from .transit.sagemaker_training_inter_container import SagemakerTrainingInterContainer

#: Every rule class, in catalogue order (area, then number).
ALL_RULES: tuple[type[AbsRule], ...] = (
    S3BucketCmk,
    GcsBucketCmek,
    MlServicesCmk,
    ClusterSecretsCmk,
    RegistryCmk,
    LogsCmk,
    GcpDataDisksCmek,
    SagemakerTrainingInterContainer,
    S3BucketPolicyTls,
    AwsKmsKeyRotation,
    GcpKmsKeyRotation,
    S3PublicAccessBlock,
    S3NoPublicGrants,
    GcsPublicAccessPrevention,
    GcpNoPublicMembers,
    ClusterPrivateControlPlane,
    MlEndpointsPrivate,
    MlNetworkIsolation,
    AwsNoWildcardAdmin,
    AwsNoBroadManagedPolicies,
    GcpNoPrimitiveRoles,
    CostTags,
    ResourceInZone,
    ReplicationInZone,
    SagemakerTrainingSpot,
    SpotTrainingCheckpointed,
    TrainingPoolsSpot,
    AutoscalingBounds,
    InstanceAllowList,
    AwsCloudtrail,
    ClusterControlPlaneLogging,
    GcpDataAccessAudit,
    LogRetention,
    BucketLifecycle,
    WorkloadNotPrivileged,
    WorkloadRequestsAndLabels,
    BucketProtected,
    TeamBudget,
    AuditLoggingOn,
)

RULES_BY_ID: dict[str, type[AbsRule]] = {rule.meta.id: rule for rule in ALL_RULES}
RULES_BY_NAME: dict[str, type[AbsRule]] = {rule.meta.name: rule for rule in ALL_RULES}

__all__ = [
    "ALL_RULES",
    "EXEMPT_PREFIX",
    "RULES_BY_ID",
    "RULES_BY_NAME",
    "SECRET_PLACEHOLDER",
    "AbsExpectationRule",
    "AbsRule",
    "CouldNotCheck",
    "Expect",
    "Framework",
    "Resource",
    "ResourceRule",
    "Rule",
    "RuleMeta",
    "SecretValueError",
    "StackRule",
    "dig",
]

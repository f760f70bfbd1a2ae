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
from .audit.aws_cloudtrail_secure import AwsCloudtrailSecure
from .audit.aws_cloudtrail_to_cloudwatch import AwsCloudtrailToCloudwatch
from .audit.aws_cloudwatch_alarm_actions import AwsCloudwatchAlarmActions
from .audit.gcp_audit_config_data_access import GcpAuditConfigDataAccess
from .audit.kubernetes_cluster_audit_logging import KubernetesClusterAuditLogging
from .cluster.gke_cluster_hardened import GkeClusterHardened
from .cluster.gke_nodes_hardened import GkeNodesHardened
from .cluster.kubernetes_cluster_no_legacy_auth import KubernetesClusterNoLegacyAuth
from .enc.aws_launch_template_root_volume_cmek import AwsLaunchTemplateRootVolumeCmek
from .enc.aws_s3_bucket_encryption_cmek import AwsS3BucketEncryptionCmek
from .enc.gcp_cloud_run_encryption_cmek import GcpCloudRunEncryptionCmek
from .enc.gcp_data_and_disks_cmek import GcpDataAndDisksCmek
from .enc.gcp_storage_bucket_encryption_cmek import GcpStorageBucketEncryptionCmek
from .enc.kubernetes_cluster_secrets_encryption_cmek import KubernetesClusterSecretsEncryptionCmek
from .enc.logs_encryption_cmek import LogsEncryptionCmek
from .enc.ml_services_encryption_cmek import MlServicesEncryptionCmek
from .enc.registry_encryption_cmek import RegistryEncryptionCmek
from .iam.aws_eks_no_cluster_creator_admin import AwsEksNoClusterCreatorAdmin
from .iam.aws_eks_pod_identity_trust import AwsEksPodIdentityTrust
from .iam.aws_iam_no_broad_managed_policies import AwsIamNoBroadManagedPolicies
from .iam.aws_iam_no_wildcard_admin import AwsIamNoWildcardAdmin
from .iam.aws_iam_role_trust_restricted import AwsIamRoleTrustRestricted
from .iam.aws_iam_scoped_resources import AwsIamScopedResources
from .iam.gcp_cloud_run_dedicated_service_account import GcpCloudRunDedicatedServiceAccount
from .iam.gcp_cloud_scheduler_authenticated import GcpCloudSchedulerAuthenticated
from .iam.gcp_iam_custom_role_no_escalation import GcpIamCustomRoleNoEscalation
from .iam.gcp_iam_no_broad_roles import GcpIamNoBroadRoles
from .iam.gcp_iam_no_project_impersonation import GcpIamNoProjectImpersonation
from .iam.provider_no_static_credentials import ProviderNoStaticCredentials
from .k8s.kubernetes_container_hardened import KubernetesContainerHardened
from .k8s.kubernetes_image_pinned import KubernetesImagePinned
from .k8s.kubernetes_load_balancer_internal import KubernetesLoadBalancerInternal
from .k8s.kubernetes_namespace_network_policy import KubernetesNamespaceNetworkPolicy
from .k8s.kubernetes_rbac_no_wildcards import KubernetesRbacNoWildcards
from .k8s.kubernetes_workload_identity import KubernetesWorkloadIdentity
from .k8s.kubernetes_workload_not_privileged import KubernetesWorkloadNotPrivileged
from .k8s.kubernetes_workload_requests_and_cost_labels import KubernetesWorkloadRequestsAndCostLabels
from .kms.aws_kms_key_policy_restricted import AwsKmsKeyPolicyRestricted
from .kms.aws_kms_key_rotation import AwsKmsKeyRotation
from .kms.gcp_kms_crypto_key_rotation import GcpKmsCryptoKeyRotation
from .net.aws_launch_template_imdsv2 import AwsLaunchTemplateImdsv2
from .net.aws_security_group_rules_scoped import AwsSecurityGroupRulesScoped
from .net.aws_vpc_default_security_group_closed import AwsVpcDefaultSecurityGroupClosed
from .net.aws_vpc_flow_logs import AwsVpcFlowLogs
from .net.aws_vpc_gateway_endpoint_policy import AwsVpcGatewayEndpointPolicy
from .net.gcp_cloud_run_private import GcpCloudRunPrivate
from .net.kubernetes_cluster_private_control_plane import KubernetesClusterPrivateControlPlane
from .net.ml_endpoints_private import MlEndpointsPrivate
from .net.ml_network_isolation import MlNetworkIsolation
from .net.network_no_internet_ingress import NetworkNoInternetIngress
from .net.network_private_by_default import NetworkPrivateByDefault
from .pub.aws_s3_bucket_acls_disabled import AwsS3BucketAclsDisabled
from .pub.aws_s3_no_public_grants import AwsS3NoPublicGrants
from .pub.aws_s3_public_access_block import AwsS3PublicAccessBlock
from .pub.aws_sns_topic_policy_restricted import AwsSnsTopicPolicyRestricted
from .pub.gcp_iam_no_public_members import GcpIamNoPublicMembers
from .pub.gcp_storage_bucket_public_access_prevention import GcpStorageBucketPublicAccessPrevention
from .res.residency_region_in_zone import ResidencyRegionInZone
from .res.residency_replication_in_zone import ResidencyReplicationInZone
from .ret.bucket_lifecycle import BucketLifecycle
from .ret.bucket_versioning import BucketVersioning
from .ret.data_deletion_protection import DataDeletionProtection
from .ret.log_retention import LogRetention
from .scale.autoscaling_bounds import AutoscalingBounds
from .scale.instance_family_allow_list import InstanceFamilyAllowList
from .spot.aws_sagemaker_spot_training_checkpointed import AwsSagemakerSpotTrainingCheckpointed
from .spot.aws_sagemaker_training_managed_spot import AwsSagemakerTrainingManagedSpot
from .spot.training_node_pools_spot import TrainingNodePoolsSpot
from .stack.audit_logging_on import AuditLoggingOn
from .stack.aws_s3_bucket_encryption_and_public_access_block import AwsS3BucketEncryptionAndPublicAccessBlock
from .stack.team_budget_exists import TeamBudgetExists
from .sup.registry_images_immutable_and_scanned import RegistryImagesImmutableAndScanned
from .tag.cost_tags_required import CostTagsRequired
from .tls.aws_s3_bucket_policy_deny_insecure_transport import AwsS3BucketPolicyDenyInsecureTransport
from .tls.aws_sagemaker_training_inter_container_encryption import (
    AwsSagemakerTrainingInterContainerEncryption,
)

#: Every rule class, in catalogue order (area, then number).
ALL_RULES: tuple[type[AbsRule], ...] = (
    AwsS3BucketEncryptionCmek,
    GcpStorageBucketEncryptionCmek,
    MlServicesEncryptionCmek,
    KubernetesClusterSecretsEncryptionCmek,
    RegistryEncryptionCmek,
    LogsEncryptionCmek,
    GcpDataAndDisksCmek,
    AwsLaunchTemplateRootVolumeCmek,
    GcpCloudRunEncryptionCmek,
    AwsSagemakerTrainingInterContainerEncryption,
    AwsS3BucketPolicyDenyInsecureTransport,
    AwsKmsKeyRotation,
    GcpKmsCryptoKeyRotation,
    AwsKmsKeyPolicyRestricted,
    AwsS3PublicAccessBlock,
    AwsS3NoPublicGrants,
    GcpStorageBucketPublicAccessPrevention,
    GcpIamNoPublicMembers,
    AwsSnsTopicPolicyRestricted,
    AwsS3BucketAclsDisabled,
    KubernetesClusterPrivateControlPlane,
    MlEndpointsPrivate,
    MlNetworkIsolation,
    AwsVpcDefaultSecurityGroupClosed,
    AwsVpcGatewayEndpointPolicy,
    AwsLaunchTemplateImdsv2,
    NetworkNoInternetIngress,
    AwsSecurityGroupRulesScoped,
    NetworkPrivateByDefault,
    AwsVpcFlowLogs,
    GcpCloudRunPrivate,
    AwsIamNoWildcardAdmin,
    AwsIamNoBroadManagedPolicies,
    GcpIamNoBroadRoles,
    AwsEksNoClusterCreatorAdmin,
    AwsIamRoleTrustRestricted,
    GcpIamNoProjectImpersonation,
    ProviderNoStaticCredentials,
    AwsIamScopedResources,
    GcpCloudRunDedicatedServiceAccount,
    GcpCloudSchedulerAuthenticated,
    GcpIamCustomRoleNoEscalation,
    AwsEksPodIdentityTrust,
    CostTagsRequired,
    ResidencyRegionInZone,
    ResidencyReplicationInZone,
    AwsSagemakerTrainingManagedSpot,
    AwsSagemakerSpotTrainingCheckpointed,
    TrainingNodePoolsSpot,
    AutoscalingBounds,
    InstanceFamilyAllowList,
    AwsCloudtrailSecure,
    KubernetesClusterAuditLogging,
    GcpAuditConfigDataAccess,
    AwsCloudtrailToCloudwatch,
    AwsCloudwatchAlarmActions,
    LogRetention,
    BucketLifecycle,
    BucketVersioning,
    DataDeletionProtection,
    KubernetesWorkloadNotPrivileged,
    KubernetesWorkloadRequestsAndCostLabels,
    GkeNodesHardened,
    GkeClusterHardened,
    KubernetesClusterNoLegacyAuth,
    RegistryImagesImmutableAndScanned,
    KubernetesContainerHardened,
    KubernetesImagePinned,
    KubernetesNamespaceNetworkPolicy,
    KubernetesRbacNoWildcards,
    KubernetesLoadBalancerInternal,
    KubernetesWorkloadIdentity,
    AwsS3BucketEncryptionAndPublicAccessBlock,
    TeamBudgetExists,
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

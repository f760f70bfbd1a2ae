"""Cloud-neutral arguments of the platform components, as ``TypedDict``s (Pulumi's component convention).

They mirror the validated ``StackSpec`` (``stacks/stackspec``) field for field in snake_case, so
``spec.model_dump()`` is a valid ``PlatformArgs``; validation happened there, once, before any resource.
The inputs every capability component shares are declared once, in ``CapabilityArgs`` (``prefix``, ``tags``,
``region``), extended per cloud by ``components.aws.args`` and ``components.gcp.args`` (account, role path,
project, the stack key); each capability's own args ``TypedDict`` extends its cloud's base.
"""

from typing import Any, NotRequired, TypedDict

import pulumi

# No `from __future__ import annotations` here: Pulumi's component analyzer reads these annotations at
# run time (pulumi-offline notes 1.1).


class NetworkArgs(TypedDict):
    enabled: bool
    cidr: str
    availability_zones: int
    flow_log_retention_days: int


class EncryptionArgs(TypedDict):
    rotation_days: int


class RegistryArgs(TypedDict):
    enabled: bool
    artifact_retention_days: int
    noncurrent_version_days: int
    images_to_keep: int


class FeatureArgs(TypedDict):
    name: str
    type: str


class FeatureGroupArgs(TypedDict):
    name: str
    record_identifier: str
    event_time: str
    features: list[FeatureArgs]
    online: bool


class FeatureStoreArgs(TypedDict):
    enabled: bool
    groups: list[FeatureGroupArgs]


class AcceleratorArgs(TypedDict):
    type: str
    count: int


class PoolRequirementsArgs(TypedDict):
    min_gpu_memory_gib: float
    gpus: int
    min_vcpu: int
    min_memory_gib: float
    max_hourly_price: float | None
    instance_type_count: int


class TrainingPoolArgs(TypedDict):
    name: str
    instance_types: list[str]
    requirements: PoolRequirementsArgs | None
    accelerator: AcceleratorArgs | None
    spot: bool
    min_nodes: int
    max_nodes: int
    disk_size_gib: int


class SpotJobArgs(TypedDict):
    max_runtime_hours: float
    max_wait_hours: float


class TrainingArgs(TypedDict):
    enabled: bool
    kubernetes_version: str
    control_plane_cidrs: list[str]
    pools: list[TrainingPoolArgs]
    spot_jobs: SpotJobArgs


class ModelSourceArgs(TypedDict):
    model_package: str | None
    image: str | None
    artifact: str | None


class VariantArgs(TypedDict):
    name: str
    model: ModelSourceArgs
    weight: float
    instance_type: str | None


class ShadowArgs(TypedDict):
    name: str
    model: ModelSourceArgs
    sampling_percent: int


class RolloutArgs(TypedDict):
    strategy: str
    canary_percent: float
    linear_step_percent: float
    wait_minutes: int
    rollback_on_alarms: bool


class ServingEndpointArgs(TypedDict):
    name: str
    instance_type: str
    accelerator: AcceleratorArgs | None
    min_replicas: int
    max_replicas: int
    target_invocations_per_instance: int
    variants: list[VariantArgs]
    shadow: ShadowArgs | None
    rollout: RolloutArgs
    data_capture_percent: int


class ServingArgs(TypedDict):
    enabled: bool
    endpoints: list[ServingEndpointArgs]


class MonitoringArgs(TypedDict):
    enabled: bool
    alert_emails: list[str]
    latency_p99_ms: int
    error_rate_percent: float
    drift_share_threshold: float
    drift_schedule: str
    alert_webhook: NotRequired[pulumi.Input[str] | None]
    """A secret Output (the program wraps it with ``pulumi.Output.secret``) or None."""


class AccessArgs(TypedDict):
    personas: dict[str, list[str]]


class AuditArgs(TypedDict):
    enabled: bool
    retention_days: int


class BudgetArgs(TypedDict):
    enabled: bool
    monthly_limit_usd: float
    alert_thresholds: list[int]
    billing_export_table: NotRequired[str | None]
    """GCP: the Cloud Billing export the self-healing budget guard reads (``project.dataset.table``)."""
    cost_export_s3_uri: NotRequired[str | None]
    """AWS: the cost export (AWS Data Exports) the self-healing budget guard reads (``s3://bucket/prefix/``)."""


class KubernetesQuotaArgs(TypedDict):
    cpu: int
    memory_gib: int
    gpus: int
    pods: int
    services: int
    persistent_volume_claims: int
    config_maps: int
    secrets: int


class KubernetesLimitsArgs(TypedDict):
    default_cpu_millis: int
    default_memory_mib: int
    max_cpu_millis: int
    max_memory_mib: int


class MlflowArgs(TypedDict):
    image: str
    replicas: int
    backend: str
    external_uri: NotRequired[pulumi.Input[str] | None]
    """A secret Output (the program wraps it) or None."""
    artifacts: str | None
    pvc_size_gib: int
    postgres_image: str


class FeastArgs(TypedDict):
    image: str
    redis_image: str
    replicas: int


class KubernetesServingArgs(TypedDict):
    cpu_millis: int
    memory_mib: int


class KubernetesArgs(TypedDict):
    """The in-cluster layer (``components/platform/kubernetes.py``)."""

    kubeconfig: NotRequired[pulumi.Input[str] | None]
    """A secret Output (the program wraps it) or None."""
    kubeconfig_path: str | None
    context: str | None
    namespace: str | None
    node_cloud: str
    node_instance_type: str
    kserve: bool
    prometheus_operator: bool
    karpenter: bool
    queueing: bool
    monitoring_namespace: str
    ingress_namespaces: list[str]
    quota: KubernetesQuotaArgs
    limits: KubernetesLimitsArgs
    mlflow: MlflowArgs
    feast: FeastArgs
    serving: KubernetesServingArgs


class PlatformArgs(TypedDict):
    """A whole team stack: identity and cost tags, then each capability with its sizes."""

    team: str
    environment: str
    #: ``<team>-<environment>``: the name every resource starts with, computed once by the spec
    #: (``StackSpec.stack_name``).
    prefix: str
    cloud: str
    region: str
    residency_zone: str
    data_classification: str
    cost_center: str
    owner: str
    project: NotRequired[str | None]
    billing_account: NotRequired[str | None]
    tags: NotRequired[dict[str, str]]
    network: NetworkArgs
    encryption: EncryptionArgs
    registry: RegistryArgs
    feature_store: FeatureStoreArgs
    training: TrainingArgs
    serving: ServingArgs
    monitoring: MonitoringArgs
    access: AccessArgs
    audit: AuditArgs
    budget: BudgetArgs
    kubernetes: NotRequired[KubernetesArgs | None]


class CapabilityArgs(TypedDict):
    """What every capability component takes, on any cloud; each cloud's base args extend it.

    Declared once so a shared input cannot drift apart between capabilities. Pulumi's component analyzer
    walks a ``TypedDict``'s bases, so a component's schema still lists every inherited input
    (``tests/components/test_component_schema.py``).
    """

    prefix: str
    """``<team>-<environment>``: the start of every physical name."""
    tags: dict[str, str]
    """The stack's cost tags without ``component`` (each capability adds its own)."""
    region: str
    """Where the capability's regional resources live."""


Outputs = dict[str, Any]

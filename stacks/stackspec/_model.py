"""The ``StackSpec``: the cloud-neutral spec of one team stack.

It is read from the stack's Pulumi config (namespace ``mlkeel``, camelCase keys as Pulumi config uses) and
validated completely before the first resource is registered, so a typo or an impossible size never reaches
a cloud API. Unknown keys are errors: a misspelt setting must not be silently dropped.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from mlkeel.contracts import (
    ANY_ZONE,
    DATA_CLASSIFICATIONS,
    ENVIRONMENTS,
    LABEL_KEY_RULE,
    LABEL_VALUE_RULE,
    RESIDENCY_ZONES,
    is_valid_tag_key,
    is_valid_tag_value,
)

from ._errors import Problem

Cloud = Literal["aws", "gcp", "kubernetes"]
#: Clouds whose price catalog can price a Kubernetes cluster's nodes.
NodeCloud = Literal["aws", "gcp"]
Environment = Literal["dev", "test", "staging", "prod"]
DataClassification = Literal["public", "internal", "confidential", "restricted"]
ResidencyZone = Literal["eu", "uk", "us", "ca", "apac", "any"]
Persona = Literal["data-scientist", "ml-engineer", "platform-admin", "auditor"]
RolloutStrategy = Literal["all-at-once", "canary", "linear"]
FeatureType = Literal["string", "integer", "fractional"]

assert set(ENVIRONMENTS) == set(Environment.__args__)  # type: ignore[attr-defined]
assert set(DATA_CLASSIFICATIONS) == set(DataClassification.__args__)  # type: ignore[attr-defined]
assert set(RESIDENCY_ZONES) == set(ResidencyZone.__args__)  # type: ignore[attr-defined]


def _tag_value(value: str) -> str:
    if not is_valid_tag_value(value) or value == "":
        raise ValueError(f"must be a valid cost tag value: {LABEL_VALUE_RULE}")
    return value


TagValue = Annotated[str, AfterValidator(_tag_value)]

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
_NAME_RULE = "2-32 characters: lowercase letters, digits and '-', starting with a letter, not ending with '-'"


def _resource_name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(f"must be a short resource name: {_NAME_RULE}")
    return value


ResourceName = Annotated[str, AfterValidator(_resource_name)]

_FEATURE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def _feature_name(value: str) -> str:
    if not _FEATURE_NAME.match(value):
        raise ValueError(
            "must be a feature name: a lowercase letter, then lowercase letters, digits and '_', at most 63"
        )
    return value


FeatureName = Annotated[str, AfterValidator(_feature_name)]


def _matching(pattern: str, rule: str) -> AfterValidator:
    """Refuse a string not matching ``pattern`` with ``rule``: a sentence a user can act on, not the regex."""
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise ValueError(rule)
        return value

    return AfterValidator(check)


def _documented(pattern: str, rule: str) -> Any:
    # The pattern still reaches the published JSON schema, so editors check what the spec checks.
    return Field(description=rule, json_schema_extra={"pattern": f"^{pattern}$"})


_K8S, _K8S_RULE = r"1\.(2[89]|3[0-9])", "must be a Kubernetes minor version from 1.28 to 1.39, such as '1.31'"
_PROJECT = r"[a-z][a-z0-9-]{4,28}[a-z0-9]"
_PROJECT_RULE = (
    "must be a GCP project id: 6-30 lowercase letters, digits and '-', "
    "starting with a letter, not ending with '-'"
)
_BILLING = r"[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}"
_BILLING_RULE = (
    "must be a billing account id: three groups of six digits or capitals A-F joined by '-' "
    "(XXXXXX-XXXXXX-XXXXXX)"
)
_EMAIL, _EMAIL_RULE = r"[^@\s]+@[^@\s]+\.[a-z]{2,}", "must be an e-mail address such as name@example.com"

KubernetesVersion = Annotated[str, _matching(_K8S, _K8S_RULE), _documented(_K8S, _K8S_RULE)]
ProjectId = Annotated[str, _matching(_PROJECT, _PROJECT_RULE), _documented(_PROJECT, _PROJECT_RULE)]
BillingAccount = Annotated[str, _matching(_BILLING, _BILLING_RULE), _documented(_BILLING, _BILLING_RULE)]
Email = Annotated[str, _matching(_EMAIL, _EMAIL_RULE), _documented(_EMAIL, _EMAIL_RULE)]


class _Spec(BaseModel):
    """Base of every spec model: camelCase keys as in Pulumi config, unknown keys refused, frozen.

    Strict: a value must already have the field's JSON type (``true`` is not the number 1, ``"10"`` is not
    10), because a coercion here would hide a mistake the user should see. Non-finite numbers are refused:
    no cloud API takes them and the Pulumi engine would carry them as JSON, which has none.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=False,
        extra="forbid",
        frozen=True,
        validate_default=True,
        strict=True,
        allow_inf_nan=False,
    )


class NetworkSpec(_Spec):
    """Private networking for everything the stack runs."""

    enabled: bool = True
    cidr: str = "10.40.0.0/16"
    availability_zones: int = Field(default=2, ge=2, le=6)
    #: Flow, endpoint and cluster log groups; a year by default, as CIS and most audit regimes ask.
    flow_log_retention_days: int = Field(default=365, ge=1, le=3653)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            net = ipaddress.ip_network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"must be an IPv4 CIDR block such as 10.40.0.0/16 ({exc})") from None
        if net.version != 4 or not net.is_private or not 16 <= net.prefixlen <= 22:
            raise ValueError("must be a private IPv4 CIDR block with a prefix between /16 and /22")
        return value


class EncryptionSpec(_Spec):
    """The stack's customer-managed key; every other capability encrypts with it."""

    rotation_days: int = Field(default=90, ge=1, le=365)


class RegistrySpec(_Spec):
    """Model registry: artifact bucket, model package group / metadata store, container repository."""

    enabled: bool = True
    artifact_retention_days: int = Field(default=365, ge=30, le=3650)
    noncurrent_version_days: int = Field(default=30, ge=1, le=365)
    images_to_keep: int = Field(default=50, ge=1, le=1000)


class FeatureSpec(_Spec):
    name: FeatureName
    type: FeatureType


class FeatureGroupSpec(_Spec):
    """One feature group: an entity's features keyed by a record identifier and an event time."""

    name: ResourceName
    record_identifier: FeatureName
    event_time: FeatureName = "event_time"
    features: list[FeatureSpec] = Field(min_length=1, max_length=2500)
    online: bool = True

    @model_validator(mode="after")
    def _keys_are_features(self) -> FeatureGroupSpec:
        names = [f.name for f in self.features]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"feature names must be unique; repeated: {', '.join(duplicates)}")
        for key in (self.record_identifier, self.event_time):
            if key not in names:
                raise ValueError(f"'{key}' must be one of the group's features ({', '.join(names)})")
        return self


class FeatureStoreSpec(_Spec):
    enabled: bool = False
    groups: list[FeatureGroupSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _groups(self) -> FeatureStoreSpec:
        names = [g.name for g in self.groups]
        if len(set(names)) != len(names):
            raise ValueError("feature group names must be unique")
        if self.enabled and not self.groups:
            raise ValueError("an enabled feature store needs at least one group in 'groups'")
        return self


class AcceleratorSpec(_Spec):
    """GPUs per node: on GCP attached to the machine type, on AWS implied by the instance type."""

    type: str = Field(min_length=1, max_length=64)
    count: int = Field(default=1, ge=1, le=16)


class PoolRequirements(_Spec):
    """What a pool needs when the team would rather name requirements than instance types.

    The components resolve them to the cheapest allowed spot types in the stack's region at plan time.
    """

    min_gpu_memory_gib: float = Field(default=0, ge=0)
    gpus: int = Field(default=0, ge=0, le=16)
    min_vcpu: int = Field(default=2, ge=1, le=448)
    min_memory_gib: float = Field(default=4, gt=0)
    max_hourly_price: float | None = Field(default=None, gt=0)
    instance_type_count: int = Field(default=4, ge=1, le=20)


class TrainingPoolSpec(_Spec):
    """A node pool for training workloads: spot by default, tainted so only training lands there."""

    name: ResourceName
    instance_types: list[str] = Field(default_factory=list, max_length=20)
    requirements: PoolRequirements | None = None
    accelerator: AcceleratorSpec | None = None
    spot: bool = True
    min_nodes: int = Field(default=0, ge=0, le=1000)
    max_nodes: int = Field(default=4, ge=1, le=1000)
    disk_size_gib: int = Field(default=100, ge=20, le=16384)

    @model_validator(mode="after")
    def _shape(self) -> TrainingPoolSpec:
        if self.min_nodes > self.max_nodes:
            raise ValueError(f"minNodes ({self.min_nodes}) must be ≤ maxNodes ({self.max_nodes})")
        if bool(self.instance_types) == bool(self.requirements):
            raise ValueError("give exactly one of 'instanceTypes' (a list of types) or 'requirements'")
        if len(set(self.instance_types)) != len(self.instance_types):
            raise ValueError("instanceTypes must not repeat a type")
        return self


class SpotJobSpec(_Spec):
    """Managed spot training jobs: checkpointing on, and a wait budget no shorter than the run budget."""

    max_runtime_hours: float = Field(default=24, gt=0, le=672)
    max_wait_hours: float = Field(default=48, gt=0, le=672)

    @model_validator(mode="after")
    def _wait(self) -> SpotJobSpec:
        if self.max_wait_hours < self.max_runtime_hours:
            raise ValueError(
                f"maxWaitHours ({self.max_wait_hours}) must be ≥ maxRuntimeHours ({self.max_runtime_hours}): "
                "spot jobs wait for capacity within that budget"
            )
        return self


class TrainingSpec(_Spec):
    enabled: bool = True
    kubernetes_version: KubernetesVersion = "1.31"
    control_plane_cidrs: list[str] = Field(default_factory=list, max_length=40)
    pools: list[TrainingPoolSpec] = Field(default_factory=list)
    spot_jobs: SpotJobSpec = Field(default_factory=SpotJobSpec)

    @field_validator("control_plane_cidrs")
    @classmethod
    def _cidrs(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                net = ipaddress.ip_network(value, strict=True)
            except ValueError:
                raise ValueError(f"'{value}' is not a CIDR block") from None
            if net.prefixlen == 0:
                raise ValueError(
                    f"'{value}' opens the control plane to the internet; name your office/VPN ranges"
                )
        return values

    @model_validator(mode="after")
    def _pools(self) -> TrainingSpec:
        names = [p.name for p in self.pools]
        if len(set(names)) != len(names):
            raise ValueError("training pool names must be unique")
        if self.enabled and not self.pools:
            raise ValueError("enabled training needs at least one pool in 'pools'")
        return self


class ModelSource(_Spec):
    """Where a served model comes from: a registry package version, or an image plus an artifact."""

    model_package: str | None = Field(default=None, max_length=2048)
    image: str | None = Field(default=None, max_length=2048)
    artifact: str | None = Field(default=None, max_length=1024)

    @model_validator(mode="after")
    def _one_source(self) -> ModelSource:
        if self.model_package and (self.image or self.artifact):
            raise ValueError("give either 'modelPackage' or 'image' (with 'artifact'), not both")
        if not self.model_package and not self.image:
            raise ValueError("give 'modelPackage' (a registry version) or 'image' and 'artifact'")
        return self


class VariantSpec(_Spec):
    """A production variant behind the endpoint; weights split traffic for A/B tests."""

    name: ResourceName
    model: ModelSource
    weight: float = Field(default=1.0, gt=0, le=1000)
    instance_type: str | None = None


class ShadowSpec(_Spec):
    """A shadow variant: receives a copy of traffic, its answers are logged, never returned."""

    name: ResourceName = "shadow"
    model: ModelSource
    sampling_percent: int = Field(default=100, ge=1, le=100)


class RolloutSpec(_Spec):
    """How a new model version reaches traffic: blue/green all at once, canary or linear, with rollback."""

    strategy: RolloutStrategy = "canary"
    canary_percent: float = Field(default=10)
    linear_step_percent: float = Field(default=25)
    wait_minutes: int = Field(default=10, ge=0, le=60)
    rollback_on_alarms: bool = True

    @field_validator("canary_percent", "linear_step_percent")
    @classmethod
    def _percent(cls, value: float) -> float:
        if not 0 < value < 100:
            raise ValueError("must be a percentage strictly between 0 and 100")
        return value


class ServingEndpointSpec(_Spec):
    """An online endpoint with autoscaling and progressive rollout."""

    name: ResourceName
    instance_type: str = Field(min_length=1, max_length=64)
    accelerator: AcceleratorSpec | None = None
    min_replicas: int = Field(default=1, ge=1, le=100)
    max_replicas: int = Field(default=2, ge=1, le=100)
    target_invocations_per_instance: int = Field(default=100, ge=1, le=100000)
    variants: list[VariantSpec] = Field(min_length=1, max_length=10)
    shadow: ShadowSpec | None = None
    rollout: RolloutSpec = Field(default_factory=RolloutSpec)
    data_capture_percent: int = Field(default=100, ge=0, le=100)

    @model_validator(mode="after")
    def _shape(self) -> ServingEndpointSpec:
        if self.min_replicas > self.max_replicas:
            raise ValueError(f"minReplicas ({self.min_replicas}) must be ≤ maxReplicas ({self.max_replicas})")
        names = [v.name for v in self.variants] + ([self.shadow.name] if self.shadow else [])
        if len(set(names)) != len(names):
            raise ValueError("variant names (including the shadow's) must be unique")
        return self


class ServingSpec(_Spec):
    enabled: bool = True
    endpoints: list[ServingEndpointSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names(self) -> ServingSpec:
        names = [e.name for e in self.endpoints]
        if len(set(names)) != len(names):
            raise ValueError("endpoint names must be unique")
        return self


class MonitoringSpec(_Spec):
    """Alerts on latency, errors and the runtime's drift metric."""

    enabled: bool = True
    alert_emails: list[Email] = Field(default_factory=list, max_length=20)
    latency_p99_ms: int = Field(default=500, ge=1, le=600000)
    error_rate_percent: float = Field(default=1.0, gt=0, le=100)
    drift_share_threshold: float = Field(default=0.5, gt=0, le=1)
    drift_schedule: Literal["hourly", "daily"] = "hourly"
    #: An HTTPS webhook (chat channel, pager) for alerts; set it as a secret (``pulumi config set --secret``).
    alert_webhook: SecretStr | None = None


class AccessSpec(_Spec):
    """Personas mapped to principals (AWS role/user ARNs, or GCP ``user:``/``group:`` members)."""

    personas: dict[Persona, list[Annotated[str, Field(min_length=3, max_length=2048)]]] = Field(
        default_factory=dict
    )


class AuditSpec(_Spec):
    enabled: bool = True
    retention_days: int = Field(default=365, ge=90, le=3653)


_BILLING_EXPORT = (
    r"[a-z][a-z0-9-]{4,28}[a-z0-9]\.[A-Za-z0-9_]{1,1024}"  # project.dataset
    r"\.gcp_billing_export_(resource_)?v1_[0-9A-Fa-f_]{1,64}"
)
_BILLING_EXPORT_RULE = (
    "must be the Cloud Billing export table in BigQuery, "
    "'project.dataset.gcp_billing_export_v1_XXXXXX_XXXXXX_XXXXXX' "
    "(standard usage cost export, or gcp_billing_export_resource_v1_... for the detailed one)"
)
BillingExportTable = Annotated[
    str, _matching(_BILLING_EXPORT, _BILLING_EXPORT_RULE), _documented(_BILLING_EXPORT, _BILLING_EXPORT_RULE)
]

#: Same rule as runtime.cost's parse_export_uri: a bucket and a non-empty prefix without IAM wildcards.
_COST_EXPORT = r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([A-Za-z0-9!_.=-]+/)+"
_COST_EXPORT_RULE = (
    "must be the S3 prefix an AWS Data Exports cost export (FOCUS 1.0 or CUR 2.0, CSV) is delivered to, "
    "'s3://<bucket>/<prefix>/' (non-empty prefix ending with '/'; characters A-Z a-z 0-9 ! _ . = -)"
)
CostExportS3Uri = Annotated[
    str, _matching(_COST_EXPORT, _COST_EXPORT_RULE), _documented(_COST_EXPORT, _COST_EXPORT_RULE)
]


class BudgetSpec(_Spec):
    enabled: bool = True
    monthly_limit_usd: float = Field(default=1000, gt=0, le=10_000_000)
    alert_thresholds: list[int] = Field(default_factory=lambda: [50, 80, 100], min_length=1, max_length=10)
    billing_export_table: BillingExportTable | None = None
    """GCP: where the self-healing budget guard reads this stack's month-to-date spend (Google Cloud has no
    API returning a budget's spend); the controller gets read on that dataset only. Absent: the run-rate."""
    cost_export_s3_uri: CostExportS3Uri | None = None
    """AWS: where the self-healing budget guard reads this stack's month-to-date spend when AWS Budgets
    cannot be reached (it has no VPC endpoint; S3 has): the controller gets read on that prefix only."""

    @field_validator("alert_thresholds")
    @classmethod
    def _thresholds(cls, values: list[int]) -> list[int]:
        for value in values:
            if not 1 <= value <= 1000:
                raise ValueError(f"threshold {value} must be a percentage of the limit between 1 and 1000")
        if sorted(set(values)) != values:
            raise ValueError("thresholds must be increasing and distinct")
        return values


_SCHEDULE = r"(rate\(([1-9][0-9]{0,3}) (minute|minutes|hour|hours|day|days)\)|cron\([^()]{9,120}\))"
_SCHEDULE_RULE = (
    "must be an EventBridge Scheduler expression: 'rate(N minutes|hours|days)' "
    "or 'cron(min hour dom month dow year)'"
)
ScheduleExpression = Annotated[
    str, _matching(_SCHEDULE, _SCHEDULE_RULE), _documented(_SCHEDULE, _SCHEDULE_RULE)
]


class FairnessGateSpec(_Spec):
    """The fairness gate a retrained model must pass before it may be promoted (limits are rates 0..1)."""

    sensitive_feature: str = Field(min_length=1, max_length=128)
    max_demographic_parity_difference: float | None = Field(default=None, ge=0, le=1)
    min_demographic_parity_ratio: float | None = Field(default=None, ge=0, le=1)
    max_equalized_odds_difference: float | None = Field(default=None, ge=0, le=1)
    min_equalized_odds_ratio: float | None = Field(default=None, ge=0, le=1)
    max_equal_opportunity_difference: float | None = Field(default=None, ge=0, le=1)
    min_equal_opportunity_ratio: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _some_limit(self) -> FairnessGateSpec:
        if all(v is None for k, v in self.__dict__.items() if k != "sensitive_feature"):
            raise ValueError("a fairness gate needs at least one limit, e.g. maxDemographicParityDifference")
        return self


class SelfHealingSpec(_Spec):
    """The loop that watches, retrains on spot, gates, rolls out and rolls back (docs/self-healing.md).

    The decision policy: ``windowsInARow`` bad windows (drift share at least ``driftShareThreshold``,
    accuracy below ``minAccuracy``, or the accuracy control chart signalling) ask for a retrain, which
    the cool-down, ``maxRetrainsPerWeek`` and the budget reserve can hold back. A retrained version is
    promoted (canary, rollback alarms) only with ``autoPromote`` and when the fairness gate and the
    holdout evaluation pass; otherwise it waits for a person's approval.
    """

    enabled: bool = False
    schedule: ScheduleExpression = "rate(1 hour)"
    #: Where the controller runs: ``lambda`` (AWS, the default there), ``cloud-run`` (GCP, the default
    #: there) or ``kubernetes`` (a CronJob in the stack's own EKS/GKE cluster; needs the ``kubernetes``
    #: section). Unset: the cloud's default.
    runner: Literal["lambda", "cloud-run", "kubernetes"] | None = None
    window_hours: int = Field(default=1, ge=1, le=168)
    min_rows: int = Field(default=200, ge=1, le=10_000_000)
    drift_share_threshold: float = Field(default=0.5, gt=0, le=1)
    windows_in_a_row: int = Field(default=2, ge=1, le=48)
    min_accuracy: float | None = Field(default=None, ge=0, le=1)
    cooldown_hours: int = Field(default=24, ge=0, le=720)
    max_retrains_per_week: int = Field(default=2, ge=0, le=50)
    budget_reserve_percent: int = Field(default=20, ge=0, le=100)
    auto_promote: bool = False
    holdout_tolerance: float = Field(default=0.0, ge=0, le=1)
    fairness: FairnessGateSpec | None = None
    label_column: str = Field(default="label", min_length=1, max_length=128)
    training_image: str | None = Field(default=None, min_length=1, max_length=2048)
    #: SageMaker types (``ml.m5.large``) on AWS, Compute Engine machine types (``n1-standard-4``) on GCP;
    #: the default is AWS's, and a GCP stack that leaves it alone trains on the runtime's GCP defaults.
    training_instance_types: list[
        Annotated[str, Field(pattern=r"^(ml\.[a-z0-9]+\.[a-z0-9]+|[a-z][a-z0-9]*-[a-z0-9]+(-[0-9]+)?)$")]
    ] = Field(
        default_factory=lambda: ["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge"], min_length=1, max_length=20
    )
    max_runtime_minutes: int = Field(default=60, ge=5, le=40320)
    max_wait_minutes: int = Field(default=120, ge=5, le=40320)
    lease_seconds: int = Field(default=900, ge=60, le=3600)

    @model_validator(mode="after")
    def _spot_wait(self) -> SelfHealingSpec:
        if self.max_wait_minutes < self.max_runtime_minutes:
            raise ValueError(
                f"maxWaitMinutes ({self.max_wait_minutes}) must be at least maxRuntimeMinutes "
                f"({self.max_runtime_minutes}): managed spot waits for capacity within it"
            )
        return self


_DNS_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
_DNS_LABEL_RULE = (
    "must be a Kubernetes DNS label: at most 63 lowercase letters, digits and '-', "
    "starting and ending with a letter or digit"
)
DnsLabel = Annotated[str, _matching(_DNS_LABEL, _DNS_LABEL_RULE), _documented(_DNS_LABEL, _DNS_LABEL_RULE)]
_IMAGE = r"[a-z0-9][a-z0-9./_-]*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})"
_IMAGE_RULE = (
    "must be a container image pinned by a tag other than 'latest' or by digest, "
    "such as 'ghcr.io/mlflow/mlflow:v2.16.2'"
)


def _pinned_image(value: str) -> str:
    if not re.fullmatch(_IMAGE, value) or value.endswith(":latest"):
        raise ValueError(_IMAGE_RULE)
    return value


PinnedImage = Annotated[str, AfterValidator(_pinned_image), _documented(_IMAGE, _IMAGE_RULE)]


class KubernetesQuotaSpec(_Spec):
    """The namespace's ResourceQuota: what the team's pods may request in total, and object counts."""

    cpu: int = Field(default=16, ge=1, le=10000)
    memory_gib: int = Field(default=64, ge=1, le=100000)
    #: ``requests.nvidia.com/gpu``; more than 0 needs a GPU training pool.
    gpus: int = Field(default=0, ge=0, le=1000)
    pods: int = Field(default=50, ge=1, le=10000)
    services: int = Field(default=20, ge=1, le=1000)
    persistent_volume_claims: int = Field(default=10, ge=0, le=1000)
    config_maps: int = Field(default=50, ge=1, le=10000)
    secrets: int = Field(default=20, ge=1, le=10000)


class KubernetesLimitsSpec(_Spec):
    """The namespace's LimitRange: defaults for a container that names no resources, and ceilings."""

    default_cpu_millis: int = Field(default=500, ge=10, le=64000)
    default_memory_mib: int = Field(default=512, ge=16, le=1048576)
    max_cpu_millis: int = Field(default=8000, ge=10, le=448000)
    max_memory_mib: int = Field(default=32768, ge=16, le=12582912)

    @model_validator(mode="after")
    def _ceiling(self) -> KubernetesLimitsSpec:
        if self.default_cpu_millis > self.max_cpu_millis:
            raise ValueError(
                f"defaultCpuMillis ({self.default_cpu_millis}) must be ≤ maxCpuMillis ({self.max_cpu_millis})"
            )
        if self.default_memory_mib > self.max_memory_mib:
            raise ValueError(
                f"defaultMemoryMib ({self.default_memory_mib}) must be ≤ maxMemoryMib ({self.max_memory_mib})"
            )
        return self


class MlflowSpec(_Spec):
    """The MLflow tracking server: its backend store and where artifacts go."""

    image: PinnedImage = "ghcr.io/mlflow/mlflow:v2.16.2"
    replicas: int = Field(default=2, ge=1, le=20)
    #: ``postgres``: a PostgreSQL the stack runs; ``external``: ``externalUri`` (a managed database).
    backend: Literal["postgres", "external"] = "postgres"
    #: The backend store URI with its password; set it as a secret (``pulumi config set --secret``).
    external_uri: SecretStr | None = None
    #: ``bucket``: the stack's bucket through the workload identity (AWS/GCP); ``pvc``: a volume.
    #: Unset: the bucket on AWS/GCP stacks, a volume on ``cloud: kubernetes``.
    artifacts: Literal["bucket", "pvc"] | None = None
    pvc_size_gib: int = Field(default=20, ge=1, le=65536)
    postgres_image: PinnedImage = "postgres:16.4"

    @model_validator(mode="after")
    def _backend(self) -> MlflowSpec:
        if self.backend == "external" and self.external_uri is None:
            raise ValueError("backend 'external' needs 'externalUri' (a secret database URI)")
        if self.backend == "postgres" and self.external_uri is not None:
            raise ValueError("'externalUri' is only read with backend 'external'")
        return self


class FeastSpec(_Spec):
    """The Feast feature server and its Redis online store."""

    image: PinnedImage = "feastdev/feature-server:0.40.1"
    redis_image: PinnedImage = "redis:7.4.1"
    replicas: int = Field(default=1, ge=1, le=20)


class KubernetesServingSpec(_Spec):
    """Requests (= limits) of one serving replica; GPUs come from the endpoint's accelerator."""

    cpu_millis: int = Field(default=1000, ge=10, le=448000)
    memory_mib: int = Field(default=2048, ge=16, le=12582912)


class KubernetesSpec(_Spec):
    """The team's MLOps layer as Kubernetes objects: on any cluster (``cloud: kubernetes``, through a
    kubeconfig) or inside the stack's own EKS/GKE cluster (AWS/GCP stacks with training on)."""

    #: The kubeconfig itself; set it as a secret (``pulumi config set --secret``). ``cloud: kubernetes`` only.
    kubeconfig: SecretStr | None = None
    kubeconfig_path: str | None = Field(default=None, min_length=1, max_length=4096)
    context: str | None = Field(default=None, min_length=1, max_length=253)
    #: The team's namespace; ``<team>-<environment>`` when unset.
    namespace: DnsLabel | None = None
    #: Whose price catalog prices the nodes (an AWS/GCP stack's own cloud).
    node_cloud: NodeCloud = "aws"
    #: The on-demand nodes MLflow, Feast and serving run on, priced from the catalog.
    node_instance_type: str = Field(default="m6i.xlarge", min_length=1, max_length=64)
    #: Whether KServe is installed: serving is an InferenceService, else Deployment + Service + HPA + PDB.
    kserve: bool = True
    #: Whether the Prometheus Operator is installed: ServiceMonitors and a PrometheusRule.
    prometheus_operator: bool = True
    #: On EKS: Karpenter NodePools + EC2NodeClasses for the training pools.
    karpenter: bool = True
    #: Kueue ClusterQueue/LocalQueue/ResourceFlavors with the namespace quota.
    queueing: bool = False
    monitoring_namespace: DnsLabel = "monitoring"
    ingress_namespaces: list[DnsLabel] = Field(
        default_factory=lambda: ["istio-system", "knative-serving"], max_length=10
    )
    quota: KubernetesQuotaSpec = Field(default_factory=KubernetesQuotaSpec)
    limits: KubernetesLimitsSpec = Field(default_factory=KubernetesLimitsSpec)
    mlflow: MlflowSpec = Field(default_factory=MlflowSpec)
    feast: FeastSpec = Field(default_factory=FeastSpec)
    serving: KubernetesServingSpec = Field(default_factory=KubernetesServingSpec)

    @model_validator(mode="after")
    def _kubeconfig(self) -> KubernetesSpec:
        if self.kubeconfig is not None and self.kubeconfig_path is not None:
            raise ValueError("give 'kubeconfig' (a secret) or 'kubeconfigPath', not both")
        return self


class StackSpec(_Spec):
    """One team stack: who pays, where data may live, and which capabilities run at which sizes."""

    team: TagValue
    environment: Environment
    cloud: Cloud
    region: str = Field(min_length=1, max_length=64)
    residency_zone: ResidencyZone
    data_classification: DataClassification
    cost_center: TagValue
    owner: TagValue
    project: ProjectId | None = None
    billing_account: BillingAccount | None = None
    tags: dict[str, TagValue] = Field(default_factory=dict, max_length=20)
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    encryption: EncryptionSpec = Field(default_factory=EncryptionSpec)
    registry: RegistrySpec = Field(default_factory=RegistrySpec)
    feature_store: FeatureStoreSpec = Field(default_factory=FeatureStoreSpec)
    training: TrainingSpec = Field(default_factory=lambda: TrainingSpec(enabled=False))
    serving: ServingSpec = Field(default_factory=ServingSpec)
    monitoring: MonitoringSpec = Field(default_factory=MonitoringSpec)
    access: AccessSpec = Field(default_factory=AccessSpec)
    audit: AuditSpec = Field(default_factory=AuditSpec)
    budget: BudgetSpec = Field(default_factory=BudgetSpec)
    #: The self-healing loop (off unless enabled).
    self_healing: SelfHealingSpec = Field(default_factory=SelfHealingSpec)
    #: The in-cluster layer: required on ``cloud: kubernetes``; on AWS/GCP it turns the layer on in the
    #: stack's own cluster.
    kubernetes: KubernetesSpec | None = None

    @field_validator("tags")
    @classmethod
    def _extra_tag_keys(cls, tags: dict[str, str]) -> dict[str, str]:
        from mlkeel.contracts import COST_TAG_KEYS

        for key in tags:
            if not is_valid_tag_key(key):
                raise ValueError(f"tag key '{key}' is not valid: {LABEL_KEY_RULE}")
            if key in COST_TAG_KEYS:
                raise ValueError(
                    f"tag key '{key}' is set by mlkeel from the spec; set the spec field instead"
                )
        return tags

    @property
    def stack_name(self) -> str:
        """``<team>-<environment>``: the prefix of every physical name in the stack."""
        return f"{self.team}-{self.environment}"

    def cost_tags(self, component: str) -> dict[str, str]:
        """The cost tags of a resource belonging to ``component``."""
        from mlkeel.contracts import cost_tags

        return cost_tags(
            team=self.team,
            cost_center=self.cost_center,
            environment=self.environment,
            owner=self.owner,
            data_classification=self.data_classification,
            data_residency=self.residency_zone,
            component=component,
            extra=self.tags,
        )


def cross_field_problems(spec: StackSpec) -> list[Problem]:
    """Rules that span several fields (paths relative to the namespace); empty when the spec is sound.

    Kept apart from the models so that every broken rule is reported at once rather than the first one.
    The region (its form and its residency zone) is checked in ``_regions``, which needs the cloud rules to
    suggest only regions that pass them.
    """
    problems: list[Problem] = []
    if spec.data_classification in ("confidential", "restricted"):
        if spec.residency_zone == ANY_ZONE:
            problems.append(
                Problem(
                    "residencyZone",
                    spec.residency_zone,
                    f"{spec.data_classification} data needs a residency zone, not 'any'",
                )
            )
        if not spec.audit.enabled:
            problems.append(
                Problem("audit.enabled", False, f"{spec.data_classification} data needs audit logging on")
            )
    if spec.cloud == "gcp":
        if spec.project is None:
            problems.append(Problem("project", None, "a GCP stack needs its project id ('project')"))
        if spec.budget.enabled and spec.billing_account is None:
            problems.append(
                Problem(
                    "billingAccount", None, "a GCP budget needs the billing account id (XXXXXX-XXXXXX-XXXXXX)"
                )
            )
        if spec.encryption.rotation_days > 90:
            problems.append(
                Problem("encryption.rotationDays", spec.encryption.rotation_days, "must be ≤ 90 on GCP")
            )
    if spec.cloud != "gcp" and spec.budget.billing_export_table is not None:
        problems.append(
            Problem(
                "budget.billingExportTable",
                spec.budget.billing_export_table,
                "is a Google Cloud billing export, read on cloud: gcp only; remove it on this cloud",
            )
        )
    if spec.cloud != "aws" and spec.budget.cost_export_s3_uri is not None:
        problems.append(
            Problem(
                "budget.costExportS3Uri",
                spec.budget.cost_export_s3_uri,
                "is an AWS cost export, read on cloud: aws only; remove it on this cloud",
            )
        )
    if spec.cloud == "aws" and spec.encryption.rotation_days < 90:
        problems.append(
            Problem(
                "encryption.rotationDays",
                spec.encryption.rotation_days,
                "must be between 90 and 365 on AWS KMS",
            )
        )
    if (
        spec.cloud != "kubernetes"
        and spec.serving.enabled
        and spec.serving.endpoints
        and not spec.network.enabled
    ):
        problems.append(
            Problem("network.enabled", False, "serving endpoints run in the private network; turn it on")
        )
    if spec.cloud != "kubernetes" and spec.training.enabled and not spec.network.enabled:
        problems.append(
            Problem("network.enabled", False, "training pools run in the private network; turn it on")
        )
    for i, endpoint in enumerate(spec.serving.endpoints):
        rollout = endpoint.rollout
        if rollout.strategy != "all-at-once" and rollout.rollback_on_alarms and not spec.monitoring.enabled:
            problems.append(
                Problem(
                    f"serving.endpoints[{i}].rollout.rollbackOnAlarms",
                    True,
                    "rollback on alarms needs monitoring on (the alarms live there)",
                )
            )
    problems.extend(self_healing_problems(spec))
    return problems


def _training_type_problems(spec: StackSpec) -> list[Problem]:
    """Retraining types are the cloud's own: SageMaker names on AWS, machine types on GCP."""
    healing = spec.self_healing
    sagemaker = [t for t in healing.training_instance_types if t.startswith("ml.")]
    if spec.cloud == "aws" and len(sagemaker) != len(healing.training_instance_types):
        other = [t for t in healing.training_instance_types if not t.startswith("ml.")]
        return [
            Problem(
                "selfHealing.trainingInstanceTypes",
                other,
                "on cloud: aws retraining runs as SageMaker training jobs: name SageMaker types such as "
                "'ml.m5.large'",
            )
        ]
    if spec.cloud == "gcp" and "training_instance_types" in healing.model_fields_set and sagemaker:
        return [
            Problem(
                "selfHealing.trainingInstanceTypes",
                sagemaker,
                "on cloud: gcp retraining runs as Vertex AI custom jobs: name Compute Engine machine types "
                "such as 'n1-standard-4' (leave the field out for the runtime's defaults)",
            )
        ]
    return []


def self_healing_problems(spec: StackSpec) -> list[Problem]:
    """What the self-healing loop needs from the rest of the stack (only when it is on)."""
    healing = spec.self_healing
    if not healing.enabled:
        return []
    problems: list[Problem] = [*_runner_problems(spec), *_training_type_problems(spec)]
    if not spec.registry.enabled:
        problems.append(
            Problem(
                "registry.enabled",
                False,
                "self-healing keeps its audit log and models in the registry bucket",
            )
        )
    if not (spec.serving.enabled and spec.serving.endpoints):
        problems.append(
            Problem("serving.endpoints", [], "self-healing watches serving endpoints; declare one")
        )
    if not spec.monitoring.enabled:
        problems.append(
            Problem(
                "monitoring.enabled", False, "self-healing alerts through the monitoring topic; turn it on"
            )
        )
    return problems


#: The runners each cloud admits, the first being the default when ``selfHealing.runner`` is unset.
SELF_HEALING_RUNNERS: dict[str, tuple[str, ...]] = {
    "aws": ("lambda", "kubernetes"),
    "gcp": ("cloud-run", "kubernetes"),
}


def self_healing_runner(cloud: str, runner: str | None) -> str:
    """The runner a stack's controller runs on: the spec's, else the cloud's default."""
    return runner or SELF_HEALING_RUNNERS.get(cloud, ("kubernetes",))[0]


def _runner_problems(spec: StackSpec) -> list[Problem]:
    """Where the controller may run on this stack's cloud.

    Why ``cloud: kubernetes`` is refused outright: the controller retrains and rolls out through SageMaker or
    Vertex AI endpoints, and such a stack serves with KServe in the cluster, with no cloud endpoint, model
    registry or training service to act on. The CronJob runs on the AWS and GCP stacks' own clusters.
    """
    healing = spec.self_healing
    if spec.cloud not in SELF_HEALING_RUNNERS:
        return [
            Problem(
                "selfHealing.enabled",
                True,
                "the controller retrains and rolls out through SageMaker (cloud: aws) or Vertex AI "
                f"(cloud: gcp) endpoints; a cloud: {spec.cloud} stack has none. Run it on an aws or gcp "
                "stack (runner: kubernetes puts it in that stack's own cluster)",
            )
        ]
    allowed = SELF_HEALING_RUNNERS[spec.cloud]
    runner = self_healing_runner(spec.cloud, healing.runner)
    if runner not in allowed:
        return [
            Problem(
                "selfHealing.runner",
                runner,
                f"on cloud: {spec.cloud} the runner is one of {', '.join(allowed)} (default {allowed[0]})",
            )
        ]
    if runner == "kubernetes" and (spec.kubernetes is None or not spec.training.enabled):
        cluster = "EKS" if spec.cloud == "aws" else "GKE"
        return [
            Problem(
                "selfHealing.runner",
                runner,
                f"runs the controller as a CronJob in the stack's {cluster} cluster: needs the 'kubernetes' "
                f"section and training.enabled (the cluster); otherwise use {allowed[0]}",
            )
        ]
    return []

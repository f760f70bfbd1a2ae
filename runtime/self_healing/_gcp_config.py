"""The controller's configuration on Google Cloud (``"cloud": "gcp"``): the stack's names and the same policy.

The GCP component (components/self_healing/gcp.py) derives every name from the spec and hands the
controller this document in ``MLKEEL_SELF_HEALING_CONFIG``, as on AWS. Field by field in
docs/self-healing.md ("Google Cloud").
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from runtime.self_healing._config import HealingPolicy, RolloutConfig, _Model

__all__ = ["BILLING_EXPORT_TABLE", "DEFAULT_GCP_MACHINE_TYPES", "GcpControllerConfig", "GcpServing"]

#: ``project.dataset.table`` of a standard or detailed Cloud Billing export to BigQuery.
BILLING_EXPORT_TABLE = (
    r"^[a-z][a-z0-9-]{4,28}[a-z0-9]\.[A-Za-z0-9_]{1,1024}"  # project.dataset
    r"\.gcp_billing_export_(resource_)?v1_[0-9A-Fa-f_]{1,64}$"
)
#: The cost labels naming one stack (its prefix is ``<team>-<environment>``): the budget guard's filter.
STACK_LABELS = ("team", "environment")

#: Machine types the spot scheduler may pick for a CustomJob when the policy lists only SageMaker types.
DEFAULT_GCP_MACHINE_TYPES = ["n1-standard-4", "e2-standard-4", "n2-standard-4"]


class GcpServing(_Model):
    """Dedicated resources for a candidate's DeployModel (absent: copied from the live deployed model)."""

    machine_type: str = Field(min_length=1, max_length=64)
    min_replicas: int = Field(default=1, ge=1, le=1000)
    max_replicas: int = Field(default=1, ge=1, le=1000)


class GcpControllerConfig(_Model):
    """Names of the GCP stack's resources plus the policy; built by the GCP component or ``keel watch``."""

    cloud: Literal["gcp"] = "gcp"
    stack: str = Field(min_length=1, max_length=64)
    project: str = Field(min_length=6, max_length=30)
    region: str = Field(min_length=1, max_length=64)
    residency_zone: str = "any"
    bucket: str = Field(min_length=3, max_length=63)
    kms_key: str | None = Field(default=None, max_length=512)
    endpoints: dict[str, str] = Field(default_factory=dict, max_length=50)
    """Spec endpoint name → Vertex endpoint id (or full resource name)."""
    models: dict[str, str] = Field(default_factory=dict)
    """Spec endpoint name → the Vertex model new versions are added to; absent: the live model's."""
    prediction_log_dataset: str = Field(min_length=1, max_length=1024)
    prediction_log_table: str = Field(default="request_response_logging", min_length=1, max_length=1024)
    training_service_account: str = Field(min_length=3, max_length=320)
    training_image: str | None = Field(default=None, max_length=2048)
    serving_image: str | None = Field(default=None, max_length=2048)
    subnet: str | None = Field(default=None, max_length=1024)
    network: str | None = Field(default=None, max_length=1024)
    """The VPC network CustomJobs peer with (``projects/NUMBER/global/networks/N``); None: Vertex's own."""
    alerts_topic: str | None = Field(default=None, max_length=1024)
    alert_policies: dict[str, list[str]] = Field(default_factory=dict)
    latency_p99_ms: int | None = Field(default=None, ge=1, le=600000)
    """The latency alert policy's threshold (spec ``monitoring.latencyP99Ms``): a canary whose deployed
    model's p99 is above it rolls back. None: latency does not judge the canary."""
    error_rate_percent: float | None = Field(default=None, gt=0, le=100)
    """The error alert policy's threshold (spec ``monitoring.errorRatePercent``), for the candidate alone."""
    monitoring_endpoint: str | None = Field(default=None, max_length=256)
    """Cloud Monitoring's API host (``host:port``); None: ``monitoring.googleapis.com``. Tests: a stand-in."""
    serving: dict[str, GcpServing] = Field(default_factory=dict)
    monthly_budget_usd: float | None = Field(default=None, gt=0)
    monthly_run_rate_usd: float | None = Field(default=None, ge=0)
    billing_export_table: str | None = Field(default=None, pattern=BILLING_EXPORT_TABLE, max_length=1100)
    """The Cloud Billing export (``project.dataset.gcp_billing_export_v1_XXXX``) the budget guard reads the
    stack's month-to-date spend from; None: the run-rate and the ledger (docs/self-healing.md)."""
    pushgateway_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$", max_length=2048)
    cost_tags: dict[str, str] = Field(default_factory=dict)
    rollout: dict[str, RolloutConfig] = Field(default_factory=dict)
    policy: HealingPolicy = Field(default_factory=HealingPolicy)

    def rollout_for(self, endpoint: str) -> RolloutConfig:
        return self.rollout.get(endpoint, RolloutConfig())

    def log_table(self) -> str:
        """``project.dataset.table`` of the endpoints' request-response log."""
        dataset = self.prediction_log_dataset.removeprefix("bq://")
        if "." not in dataset:
            dataset = f"{self.project}.{dataset}"
        return f"{dataset}.{self.prediction_log_table}"

    def stack_labels(self) -> dict[str, str]:
        """The cost labels every resource of this stack carries and no other stack's has all of."""
        return {k: self.cost_tags[k] for k in STACK_LABELS if self.cost_tags.get(k)}

    def machine_types(self) -> list[str]:
        own = [t for t in self.policy.training_instance_types if not t.startswith("ml.")]
        return own or list(DEFAULT_GCP_MACHINE_TYPES)

    def training_image_uri(self) -> str:
        """The runtime image (it holds the example entry point, run as ``python -m ...training.train``)."""
        if not self.training_image:
            from mlkeel.files import InputError

            raise InputError(
                "training_image is not set: the CustomJob runs the stack's runtime image",
                field="training_image",
                value=None,
                allowed="the runtime image in the stack's Artifact Registry",
            )
        return self.training_image

    def serving_image_uri(self) -> str:
        prebuilt = "vertex-ai/prediction/sklearn-cpu.1-3:latest"
        return self.serving_image or f"{self._multi_region()}-docker.pkg.dev/{prebuilt}"

    def _multi_region(self) -> str:
        return {"europe": "europe", "asia": "asia"}.get(self.region.split("-")[0], "us")

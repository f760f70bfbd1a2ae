"""What one controller run needs to know: the stack's names and the decision policy.

Why one JSON document: the same run happens in a Lambda function, an ECS task, a Kubernetes CronJob and
``keel watch`` on a laptop. The stack (or ``keel watch``) derives every name from the spec once and hands
the controller a single document (environment variable ``MLKEEL_SELF_HEALING_CONFIG``), so the runtime
never needs Pulumi or the spec to find its bucket, endpoints, lease table and topic.
"""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mlkeel.files import InputError, parse_json

__all__ = [
    "CONFIG_ENV",
    "ControllerConfig",
    "FairnessGateConfig",
    "HealingPolicy",
    "RolloutConfig",
    "config_from_state",
    "load_any_config",
    "load_config",
]

#: Environment variable holding the controller's JSON configuration.
CONFIG_ENV = "MLKEEL_SELF_HEALING_CONFIG"

#: SageMaker's scikit-learn 1.2-1 framework image account per region (the documented ECR registry).
SKLEARN_IMAGE_ACCOUNTS = {
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-west-2": "246618743249",
    "eu-west-1": "141502667606",
    "eu-west-2": "764974769150",
    "eu-central-1": "492215442770",
    "ca-central-1": "341280168497",
    "ap-southeast-2": "783357654285",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FairnessGateConfig(_Model):
    """The runtime.fairness gate a retrained model must pass before it may be promoted."""

    sensitive_feature: str = Field(min_length=1, max_length=128)
    max_demographic_parity_difference: float | None = Field(default=None, ge=0, le=1)
    min_demographic_parity_ratio: float | None = Field(default=None, ge=0, le=1)
    max_equalized_odds_difference: float | None = Field(default=None, ge=0, le=1)
    min_equalized_odds_ratio: float | None = Field(default=None, ge=0, le=1)
    max_equal_opportunity_difference: float | None = Field(default=None, ge=0, le=1)
    min_equal_opportunity_ratio: float | None = Field(default=None, ge=0, le=1)

    def limits(self) -> dict[str, float]:
        """The limits that are set, as :class:`runtime.fairness.FairnessGate` keyword arguments."""
        return {k: v for k, v in self.model_dump(exclude={"sensitive_feature"}).items() if v is not None}


class HealingPolicy(_Model):
    """The decision policy (the spec's ``selfHealing`` section, snake_case). See docs/self-healing.md."""

    enabled: bool = False
    schedule: str = "rate(1 hour)"
    runner: Literal["lambda", "cloud-run", "kubernetes"] | None = None
    """Where the stack runs the controller (the components pass it resolved; unset: the cloud's default)."""
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
    fairness: FairnessGateConfig | None = None
    label_column: str = Field(default="label", min_length=1, max_length=128)
    training_image: str | None = Field(default=None, max_length=2048)
    training_instance_types: list[str] = Field(
        default_factory=lambda: ["ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge"], min_length=1, max_length=20
    )
    max_runtime_minutes: int = Field(default=60, ge=5, le=40320)
    max_wait_minutes: int = Field(default=120, ge=5, le=40320)
    lease_seconds: int = Field(default=900, ge=60, le=3600)

    @model_validator(mode="after")
    def _spot_wait(self) -> HealingPolicy:
        if self.max_wait_minutes < self.max_runtime_minutes:
            raise ValueError(
                f"max_wait_minutes ({self.max_wait_minutes}) must be at least max_runtime_minutes "
                f"({self.max_runtime_minutes}): managed spot waits for capacity within it"
            )
        return self


class RolloutConfig(_Model):
    """How a promoted version reaches an endpoint (the serving spec's rollout)."""

    strategy: Literal["all-at-once", "canary", "linear"] = "canary"
    canary_percent: float = Field(default=10, gt=0, le=100)
    linear_step_percent: float = Field(default=25, gt=0, le=100)
    wait_minutes: int = Field(default=10, ge=0, le=60)


class ControllerConfig(_Model):
    """Names of the stack's resources plus the policy; built by the stack or ``keel watch``."""

    cloud: Literal["aws"] = "aws"
    stack: str = Field(min_length=1, max_length=64)
    region: str = Field(min_length=1, max_length=64)
    residency_zone: str = "any"
    bucket: str = Field(min_length=3, max_length=63)
    kms_key_arn: str | None = None
    endpoints: list[str] = Field(default_factory=list, max_length=50)
    model_package_group: str = Field(min_length=1, max_length=63)
    lease_table: str = Field(min_length=3, max_length=255)
    topic_arn: str | None = None
    training_role_arn: str = Field(min_length=20, max_length=2048)
    model_role_arn: str = Field(min_length=20, max_length=2048)
    subnet_ids: list[str] = Field(default_factory=list, max_length=16)
    security_group_ids: list[str] = Field(default_factory=list, max_length=5)
    monthly_budget_usd: float | None = Field(default=None, gt=0)
    budget_name: str | None = Field(default=None, min_length=1, max_length=100)
    monthly_run_rate_usd: float | None = Field(default=None, ge=0)
    """The stack's priced monthly estimate (from the spec, as ``keel cost`` prices it): the guard's spend
    when the AWS Budget cannot be read (no VPC endpoint) is this x the month's elapsed share + the ledger."""
    cost_export_uri: str | None = Field(default=None, max_length=1024)
    """``s3://bucket/prefix/`` of the account's AWS Data Exports cost export (FOCUS 1.0 or CUR 2.0, CSV):
    the guard's month-to-date spend when Budgets cannot be reached (no VPC endpoint; S3 has one), filtered
    to the stack's ``team`` and ``environment`` cost tags. None: Budgets, else the run-rate."""
    pushgateway_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$", max_length=2048)
    """Where to push the figures for Prometheus (on Kubernetes: a CronJob's pod lives too briefly to be
    scraped); None: CloudWatch only."""
    cost_tags: dict[str, str] = Field(default_factory=dict)
    alarms: dict[str, list[str]] = Field(default_factory=dict)
    rollout: dict[str, RolloutConfig] = Field(default_factory=dict)
    policy: HealingPolicy = Field(default_factory=HealingPolicy)

    @field_validator("cost_export_uri")
    @classmethod
    def _export_uri(cls, value: str | None) -> str | None:
        if value is not None:
            from runtime.cost._actuals import parse_export_uri

            parse_export_uri(value)  # its error says what is allowed
        return value

    def stack_tags(self) -> dict[str, str]:
        """The cost tags that select the stack's rows in a cost export: team and environment (as on GCP)."""
        return {k: self.cost_tags[k] for k in ("team", "environment") if self.cost_tags.get(k)}

    def training_image(self) -> str:
        """The training container: the policy's, else SageMaker's scikit-learn image for the region."""
        if self.policy.training_image:
            return self.policy.training_image
        account = SKLEARN_IMAGE_ACCOUNTS.get(self.region)
        if account is None:
            raise InputError(
                f"no SageMaker scikit-learn image is known for region {self.region}; set trainingImage",
                field="policy.training_image",
                value=None,
                allowed=f"an image URI, or a region among {sorted(SKLEARN_IMAGE_ACCOUNTS)}",
            )
        return f"{account}.dkr.ecr.{self.region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"

    def rollout_for(self, endpoint: str) -> RolloutConfig:
        return self.rollout.get(endpoint, RolloutConfig())


def load_config(text: str | None = None, *, source: str = CONFIG_ENV) -> ControllerConfig:
    """Parse and validate an AWS configuration (default: from the environment variable).

    Raises :class:`mlkeel.files.InputError` naming the field, the bad value and what is allowed.
    """
    config = load_any_config(text, source=source)
    if not isinstance(config, ControllerConfig):
        raise InputError(
            f"{source}: cloud: this entry point runs AWS stacks (got {config.cloud!r})",
            file=source,
            field="cloud",
            value=config.cloud,
            allowed="aws",
        )
    return config


def load_any_config(text: str | None = None, *, source: str = CONFIG_ENV) -> Any:
    """:func:`load_config` for either cloud: ``"cloud": "gcp"`` gives a ``GcpControllerConfig``."""
    if text is None:
        text = os.environ.get(CONFIG_ENV)
        if not text:
            raise InputError(
                f"{CONFIG_ENV} is not set: the controller needs its JSON configuration",
                file=source,
                allowed="a JSON document (docs/self-healing.md, 'Configuration')",
            )
    data: Any = parse_json(text, source)
    model: type[BaseModel] = ControllerConfig
    if isinstance(data, dict) and data.get("cloud") == "gcp":
        from runtime.self_healing._gcp_config import GcpControllerConfig

        model = GcpControllerConfig
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise InputError(
            f"{source}: {where}: {err['msg']} (got {json.dumps(err.get('input'), default=str)[:80]})",
            file=source,
            field=where,
            value=err.get("input"),
            allowed=err["msg"],
        ) from None


#: The Pulumi type of the function the stack runs the controller in.
LAMBDA_TYPE = "aws:lambda/function:Function"


def config_from_state(path: str | os.PathLike[str]) -> Any:
    """The configuration the stack gave its controller, read from a state (``pulumi stack export``).

    Why from the state: ``keel watch`` must run exactly what the stack runs, with the names the
    components derived; the Lambda function's environment in the state holds that document.
    """
    from mlkeel.state import load_state

    return config_from_stack_state(load_state(path), str(path))


#: The Cloud Run job the GCP stack runs the controller in (its container's env holds the document).
CLOUD_RUN_JOB_TYPE = "gcp:cloudrunv2/job:Job"


def _cloud_run_config(props: dict[str, Any]) -> Any:
    """The ``MLKEEL_SELF_HEALING_CONFIG`` value of a Cloud Run job's first container (None if absent)."""
    template = ((props.get("template") or {}).get("template")) or {}
    for container in template.get("containers") or []:
        for env in container.get("envs") or []:
            if isinstance(env, dict) and env.get("name") == CONFIG_ENV:
                return env.get("value")
    return None


def config_from_stack_state(state: Any, path: str) -> Any:
    """:func:`config_from_state` for a state already parsed (``keel watch --stack NAME`` reads it from
    ``pulumi stack export``'s output); ``path`` names where it came from in errors. AWS stacks keep the
    document in the Lambda function's environment, GCP stacks in the Cloud Run job's container env."""
    from mlkeel.state import is_secret

    for resource in state.resources:
        if resource.type == CLOUD_RUN_JOB_TYPE:
            for props in (resource.outputs, resource.inputs):
                text = _cloud_run_config(props)
                if isinstance(text, str):
                    return load_any_config(text, source=f"{path}: {resource.urn}: {CONFIG_ENV}")
            continue
        if resource.type != LAMBDA_TYPE:
            continue
        for props in (resource.outputs, resource.inputs):
            variables = ((props.get("environment") or {}).get("variables")) or {}
            text = variables.get(CONFIG_ENV) if isinstance(variables, dict) else None
            if isinstance(text, str):
                return load_config(text, source=f"{path}: {resource.urn}: environment.{CONFIG_ENV}")
            if text is not None and is_secret(text):
                raise InputError(
                    f"{path}: {resource.urn}: {CONFIG_ENV} is a secret in this state; "
                    "export it with `pulumi stack export --show-secrets`",
                    file=str(path),
                    field=f"environment.variables.{CONFIG_ENV}",
                    allowed="a plain JSON document",
                )
    raise InputError(
        f"{path}: no Lambda function with {CONFIG_ENV} in this state: "
        "is selfHealing.enabled set in the stack?",
        file=str(path),
        field="resources",
        allowed=f"a state holding the self-healing function ({LAMBDA_TYPE})",
    )

"""The Pulumi program: what ``pulumi up`` runs and what ``keel plan`` runs offline, the very same code.

It reads the stack's config, validates the whole ``StackSpec`` before registering anything, and declares
the team's ``Platform``. A bad spec stops the program with every problem listed and nothing created.
"""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as _config

from stacks.stackspec import NAMESPACE, SpecError, StackSpec, spec_from_config


def current_config() -> tuple[dict[str, str], set[str]]:
    """The flat config map and secret keys the language host gave this program."""
    values: dict[str, str] = {}
    values.update(_config.get_config_env())
    values.update(_config.CONFIG.get())
    secret_keys = set(_config._SECRET_KEYS.get()) | set(_config.get_config_secret_keys_env())
    return values, secret_keys


def stack_file_name() -> str:
    """The stack file the config came from, for error messages."""
    return f"Pulumi.{pulumi.get_stack()}.yaml"


def load_spec() -> StackSpec:
    """The validated spec of the running stack; raises ``SpecError`` listing every problem."""
    values, _ = current_config()
    return spec_from_config(values, stack_file_name(), NAMESPACE)


def platform_args(spec: StackSpec) -> dict:
    """The spec as ``PlatformArgs``; secret config stays secret (an ``Output.secret``), never plain text."""
    args = spec.model_dump()
    args["prefix"] = spec.stack_name
    webhook = spec.monitoring.alert_webhook
    args["monitoring"]["alert_webhook"] = (
        pulumi.Output.secret(webhook.get_secret_value()) if webhook is not None else None
    )
    if spec.kubernetes is not None:
        k8s = args["kubernetes"]
        for section, key, value in (
            (k8s, "kubeconfig", spec.kubernetes.kubeconfig),
            (k8s["mlflow"], "external_uri", spec.kubernetes.mlflow.external_uri),
        ):
            section[key] = pulumi.Output.secret(value.get_secret_value()) if value is not None else None
    return args


def main() -> None:
    """Declare the team's platform from its spec."""
    from components.platform import Platform

    try:
        spec = load_spec()
    except SpecError as exc:
        # RunError prints the message without a Python traceback under `pulumi up`.
        raise pulumi.RunError(str(exc)) from exc
    platform = Platform(spec.stack_name, platform_args(spec))  # type: ignore[arg-type]
    pulumi.export("stack", spec.stack_name)
    pulumi.export("team", spec.team)
    pulumi.export("environment", spec.environment)
    pulumi.export("cloud", spec.cloud)
    pulumi.export("region", spec.region)
    pulumi.export("residencyZone", spec.residency_zone)
    pulumi.export("costTags", spec.cost_tags("platform"))
    pulumi.export("budgetMonthlyLimitUsd", spec.budget.monthly_limit_usd if spec.budget.enabled else None)
    pulumi.export("platform", platform.outputs)

"""The AWS stacks the component tests read, each planned once per test process with the offline engine.

- ``full``: ``fixtures/aws_full.json``, every capability on with every AWS shape (a requirements pool, an
  on-demand pool, weighted variants on two instance types, a shadow from a model package, an external
  artifact, an ECR image, an endpoint without data capture, an offline-only feature group);
- ``fraud``: the example stack ``stacks/config/Pulumi.fraud-dev.yaml``;
- ``bare``: serving on but no model named yet, monitoring off (the budget brings its own topic);
- ``small_aws`` / ``gpu_training``: new team stacks written by ``keel new-team`` from the AWS templates.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from stacks.engine import PlanResult, find_project_file, plan_config, plan_stack_file

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FULL_CONFIG = HERE / "fixtures" / "aws_full.json"
FRAUD_STACK = ROOT / "stacks" / "config" / "Pulumi.fraud-dev.yaml"

BARE_CONFIG: dict[str, Any] = {
    "aws:region": "us-east-1",
    "mlkeel:team": "growth",
    "mlkeel:environment": "test",
    "mlkeel:cloud": "aws",
    "mlkeel:region": "us-east-1",
    "mlkeel:residencyZone": "us",
    "mlkeel:dataClassification": "internal",
    "mlkeel:costCenter": "cc-0042",
    "mlkeel:owner": "sam-lee",
    "mlkeel:monitoring": {"enabled": False, "alertEmails": ["growth@example.com"]},
    "mlkeel:audit": {"enabled": False},
}


def full_config() -> dict[str, Any]:
    return json.loads(FULL_CONFIG.read_text(encoding="utf-8"))


@cache
def full() -> PlanResult:
    return plan_config(full_config(), stack="payments-prod")


@cache
def fraud() -> PlanResult:
    return plan_stack_file(FRAUD_STACK)


@cache
def bare() -> PlanResult:
    return plan_config(BARE_CONFIG, stack="growth-test")


def _template(name: str) -> PlanResult:
    from stacks.teams import new_team_stack

    folder = Path(tempfile.mkdtemp(prefix=f"mlkeel-aws-{name}-"))
    project_file = find_project_file(FRAUD_STACK)
    shutil.copy(project_file, folder / project_file.name)
    stack_file = new_team_stack(
        "claims",
        name,
        "dev",
        {"costCenter": "cc-1234", "owner": "claims-lead"},
        folder,
        folder / project_file.name,
    )
    return plan_stack_file(stack_file)


@cache
def small_aws() -> PlanResult:
    return _template("small-aws")


@cache
def gpu_training() -> PlanResult:
    return _template("gpu-training")


PLANS = {"full": full, "fraud": fraud, "bare": bare, "small_aws": small_aws, "gpu_training": gpu_training}


# ------------------------------------------------------------------------------------------ helpers
def name_of(resource: dict[str, Any]) -> str:
    return resource["urn"].rsplit("::", 1)[-1]


def one(plan: PlanResult, type_token: str, suffix: str) -> dict[str, Any]:
    """The resource of ``type_token`` whose logical name ends with ``suffix`` (exactly one)."""
    found = [r for r in plan.by_type(type_token) if name_of(r).endswith(suffix)]
    assert len(found) == 1, (
        f"expected one {type_token} ending in {suffix!r}, found {[name_of(r) for r in found]}"
    )
    return found[0]


def providers(plan: PlanResult) -> dict[str, dict[str, Any]]:
    """Provider reference (``urn::id``) -> provider resource."""
    return {f"{r['urn']}::{r['id']}": r for r in plan.resources if r["type"].startswith("pulumi:providers:")}


def effective_tags(plan: PlanResult, resource: dict[str, Any]) -> dict[str, str]:
    """Provider default tags merged with the resource's own, as AWS applies them; a Kubernetes object's cost
    tags are its labels (the in-cluster layer on EKS)."""
    if resource["type"].startswith("kubernetes:"):
        return dict((resource["inputs"].get("metadata") or {}).get("labels") or {})
    provider = providers(plan).get(resource.get("provider", ""), {})
    defaults = json.loads(provider.get("inputs", {}).get("defaultTags") or "{}").get("tags", {})
    return {**defaults, **(resource["inputs"].get("tags") or {})}


def policy_documents(plan: PlanResult) -> list[tuple[str, dict[str, Any]]]:
    """Every IAM-style JSON policy in the plan: role, bucket, key, topic policies and trust policies."""
    out = []
    for resource in plan.resources:
        for key in ("policy", "assumeRolePolicy"):
            value = resource.get("inputs", {}).get(key)
            if isinstance(value, str) and value.lstrip().startswith("{") and '"Statement"' in value:
                out.append((f"{name_of(resource)}.{key}", json.loads(value)))
    return out


def parent_type(plan: PlanResult, resource: dict[str, Any]) -> str:
    return plan.by_urn(resource["parent"])["type"]


def key_arn(plan: PlanResult) -> str:
    """The ARN of the stack's one KMS key."""
    keys = plan.by_type("aws:kms/key:Key")
    assert len(keys) == 1, [name_of(k) for k in keys]
    return str(keys[0]["outputs"]["arn"])

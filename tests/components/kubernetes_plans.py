"""The Kubernetes stacks the component tests read, each planned once per test process with the offline engine.

- ``search``: the example stack ``stacks/config/Pulumi.search-dev.yaml`` (``cloud: kubernetes``: KServe,
  Prometheus Operator, Kueue, MLflow on PostgreSQL, Feast, a CPU and a GPU spot pool);
- ``plain``: ``fixtures/kubernetes_plain.json``, a cluster without KServe (serving as Deployment + Service +
  HPA + PDB), MLflow on an external database whose URI is a secret, no queueing;
- ``fraud``: the AWS example ``stacks/config/Pulumi.fraud-dev.yaml``, whose ``kubernetes:`` section builds
  the layer inside its EKS cluster (Karpenter, Pod Identity).

Helpers turn a planned resource back into the manifest the provider would apply.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from mlkeel.state import SECRET_SIG_KEY
from stacks.engine import PlanResult, plan_config, plan_stack_file

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SEARCH_STACK = ROOT / "stacks" / "config" / "Pulumi.search-dev.yaml"
PLAIN_CONFIG = HERE / "fixtures" / "kubernetes_plain.json"
#: The external backend password the ``plain`` stack's secret URI carries; it must never reach the state.
PLAIN_PASSWORD = "hunter2-correct-horse"
#: Custom resource groups (their objects are validated against the bundled CRDs, not the core schemas).
CUSTOM_GROUPS = (
    "serving.kserve.io",
    "monitoring.coreos.com",
    "karpenter.sh",
    "karpenter.k8s.aws",
    "kueue.x-k8s.io",
)


@cache
def search() -> PlanResult:
    return plan_stack_file(SEARCH_STACK)


@cache
def plain() -> PlanResult:
    config = json.loads(PLAIN_CONFIG.read_text(encoding="utf-8"))
    config["mlkeel:kubernetes"]["mlflow"]["externalUri"] = (
        f"postgresql://mlflow:{PLAIN_PASSWORD}@db.example/mlflow"
    )
    return plan_config(config, stack="plain-dev", secret_keys={"mlkeel:kubernetes"})


def fraud() -> PlanResult:
    # The AWS component tests plan the same file: share their cached plan within a process.
    from .aws_plans import fraud as aws_fraud

    return aws_fraud()


PLANS = {"search": search, "plain": plain, "fraud": fraud}


def kubernetes_objects(plan: PlanResult) -> list[dict[str, Any]]:
    """Every Kubernetes object (custom resources included) of a plan, providers excluded."""
    return [r for r in plan.resources if r["type"].startswith("kubernetes:") and r.get("custom")]


def _plain(value: Any, key: str = "") -> Any:
    """Secret envelopes replaced by a placeholder of the shape the API server receives there: a map for a
    Secret's whole ``stringData``/``data`` (the provider marks it secret as a whole), else a string."""
    if isinstance(value, dict):
        if SECRET_SIG_KEY in value:
            return {"secret": "c2VjcmV0"} if key in ("stringData", "data") else "secret"
        return {k: _plain(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def manifest(resource: dict[str, Any]) -> dict[str, Any]:
    """The object as applied: ``apiVersion`` and ``kind`` from the type token, then the inputs."""
    group_version, kind = resource["type"].split(":", 1)[1].rsplit(":", 1)
    api_version = group_version.removeprefix("core/")
    body = {k: v for k, v in _plain(resource["inputs"]).items() if not k.startswith("__")}
    return {**body, "apiVersion": api_version, "kind": kind}


def is_custom(resource: dict[str, Any]) -> bool:
    group = resource["type"].split(":", 1)[1].split("/", 1)[0]
    return group in CUSTOM_GROUPS


def of_kind(plan: PlanResult, kind: str) -> list[dict[str, Any]]:
    return [manifest(r) for r in kubernetes_objects(plan) if r["type"].rsplit(":", 1)[-1] == kind]


def pod_specs(plan: PlanResult) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, pod metadata, pod spec) of every workload: Deployments, StatefulSets, InferenceServices."""
    out = []
    for kind in ("Deployment", "StatefulSet"):
        for obj in of_kind(plan, kind):
            template = obj["spec"]["template"]
            out.append((f"{kind}/{obj['metadata']['name']}", template["metadata"], template["spec"]))
    for obj in of_kind(plan, "InferenceService"):
        predictor = obj["spec"]["predictor"]
        out.append(
            (f"InferenceService/{obj['metadata']['name']}", {"labels": predictor["labels"]}, predictor)
        )
    return out

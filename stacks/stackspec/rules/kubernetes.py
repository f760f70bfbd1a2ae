"""Spec-time rules of the in-cluster layer: ``cloud: kubernetes`` stacks and the ``kubernetes:`` section.

They stop, before any object reaches an API server, what the cluster would only refuse later (or, worse,
accept and never schedule): a GPU quota with no GPU pool to spend it on, a canary on a cluster without
KServe (a Deployment cannot split traffic), a model with no image or storage URI, a principal that is not a
Kubernetes subject, a node type the price catalog cannot price. Like the cloud rules they read only the spec
and the pricing catalog, never Pulumi, so ``keel new-team`` runs them too.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from .._errors import MISSING, Problem
from .._model import StackSpec, TrainingPoolSpec

if TYPE_CHECKING:
    from runtime.pricing import Catalog

#: Schemes a KServe storage initializer (and the serving image's loader) can fetch a model from.
STORAGE_SCHEMES = ("s3://", "gs://", "pvc://", "https://", "oci://")
#: How a persona principal names a Kubernetes RBAC subject on ``cloud: kubernetes``.
SUBJECT = re.compile(r"^(user|group):[A-Za-z0-9@._:=/-]{1,250}$")
#: The pool the in-cluster layer adds for its own services (components/training/aws.py and gcp.py).
PLATFORM_POOL = "platform"
_SUBJECT_RULE = "must be a Kubernetes RBAC subject: 'user:<name>' or 'group:<name>' (no wildcards)"


def _catalog() -> Catalog:
    from runtime.pricing import load_catalog

    return load_catalog()


def node_cloud(spec: StackSpec) -> str:
    """The cloud whose catalog prices this stack's nodes: an AWS/GCP stack's own, else the spec's choice."""
    if spec.cloud != "kubernetes":
        return spec.cloud
    return spec.kubernetes.node_cloud if spec.kubernetes is not None else "aws"


def pool_has_gpu(pool: TrainingPoolSpec, cat: Catalog | None, cloud: str, region: str) -> bool:
    """Whether a training pool offers GPUs: an accelerator, GPU requirements or GPU instance types."""
    if pool.accelerator is not None or (pool.requirements is not None and pool.requirements.gpus > 0):
        return True
    if cat is None:
        return False
    for name in pool.instance_types:
        info = cat.instance_type(cloud, region, name)
        if info is not None and info.gpu_count > 0:
            return True
    return False


def _type_problem(cat: Catalog, cloud: str, region: str, path: str, name: str) -> list[Problem]:
    if cat.instance_type(cloud, region, name) is not None:
        return []
    known = sorted(t.name for t in cat.instance_types(cloud, region) if not t.name.startswith("ml."))
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return [
        Problem(
            path,
            name,
            f"is not a {cloud} node type the price catalog knows in {region}{hint} "
            "(nodes are priced from it: `keel cost refresh-prices` adds types)",
        )
    ]


def _cluster_problems(spec: StackSpec) -> list[Problem]:
    """The ``kubernetes:`` section on an AWS/GCP stack: the layer lives in the stack's own cluster."""
    k8s = spec.kubernetes
    assert k8s is not None
    out: list[Problem] = []
    if not spec.training.enabled:
        out.append(
            Problem(
                "kubernetes",
                "(section)",
                f"the in-cluster layer runs in the stack's {'EKS' if spec.cloud == 'aws' else 'GKE'} "
                "cluster, which training creates: turn training on or remove the 'kubernetes' section",
            )
        )
    for field in ("kubeconfig", "kubeconfig_path", "context"):
        if getattr(k8s, field) is not None:
            camel = {"kubeconfig_path": "kubeconfigPath"}.get(field, field)
            out.append(
                Problem(
                    f"kubernetes.{camel}",
                    "(set)",
                    f"is only read on 'cloud: kubernetes'; on {spec.cloud} the provider is built from the "
                    "stack's own cluster",
                )
            )
    for i, pool in enumerate(spec.training.pools if spec.training.enabled else []):
        if pool.name == PLATFORM_POOL:
            out.append(
                Problem(
                    f"training.pools[{i}].name",
                    pool.name,
                    f"'{PLATFORM_POOL}' is the in-cluster layer's own untainted on-demand pool "
                    "(kubernetes.nodeInstanceType); give this pool another name",
                )
            )
    if "node_cloud" in k8s.model_fields_set and k8s.node_cloud != spec.cloud:
        out.append(
            Problem("kubernetes.nodeCloud", k8s.node_cloud, f"must be '{spec.cloud}' (the stack's cloud)")
        )
    if k8s.mlflow.artifacts != "pvc" and not spec.registry.enabled:
        out.append(
            Problem(
                "kubernetes.mlflow.artifacts",
                k8s.mlflow.artifacts or "bucket",
                "MLflow artifacts go to the registry bucket, which 'registry.enabled: false' removes; "
                "use 'pvc' or turn the registry on",
            )
        )
    return out


def _standalone_problems(spec: StackSpec, cat: Catalog) -> list[Problem]:
    """``cloud: kubernetes``: any cluster through a kubeconfig; no cloud resources, catalog prices."""
    k8s = spec.kubernetes
    assert k8s is not None
    cloud, region = k8s.node_cloud, spec.region
    out = _type_problem(cat, cloud, region, "kubernetes.nodeInstanceType", k8s.node_instance_type)
    if k8s.mlflow.artifacts == "bucket":
        out.append(
            Problem(
                "kubernetes.mlflow.artifacts",
                "bucket",
                "a 'cloud: kubernetes' stack creates no bucket: use 'pvc'",
            )
        )
    if spec.training.enabled:
        for i, pool in enumerate(spec.training.pools):
            if pool.requirements is not None:
                out.append(
                    Problem(
                        f"training.pools[{i}].requirements",
                        "(set)",
                        "on 'cloud: kubernetes' a pool is an existing node pool: name its 'instanceTypes' "
                        "(they price it)",
                    )
                )
            for j, name in enumerate(pool.instance_types):
                out += _type_problem(cat, cloud, region, f"training.pools[{i}].instanceTypes[{j}]", name)
    if spec.serving.enabled:
        for i, endpoint in enumerate(spec.serving.endpoints):
            base = f"serving.endpoints[{i}]"
            rollout = endpoint.rollout
            if rollout.strategy != "all-at-once" and not k8s.kserve:
                out.append(
                    Problem(
                        f"{base}.rollout.strategy",
                        rollout.strategy,
                        "a progressive rollout needs KServe ('kubernetes.kserve: true'); without it the "
                        "endpoint is a Deployment, which allows only 'all-at-once'",
                    )
                )
            if endpoint.shadow is not None:
                out.append(
                    Problem(f"{base}.shadow", "(set)", "shadow variants are not offered on Kubernetes yet")
                )
            if len(endpoint.variants) > 1:
                out.append(
                    Problem(
                        f"{base}.variants",
                        len(endpoint.variants),
                        "Kubernetes serving runs one variant per endpoint (the canary is the next version)",
                    )
                )
            for j, variant in enumerate(endpoint.variants):
                model = variant.model
                path = f"{base}.variants[{j}].model"
                if model.model_package is not None:
                    out.append(
                        Problem(
                            f"{path}.modelPackage",
                            model.model_package,
                            "on Kubernetes give 'image' and 'artifact' (a storage URI)",
                        )
                    )
                    continue
                image = model.image or ""
                unpinned = image.endswith(":latest") or ":" not in image.split("/")[-1]
                if unpinned and "@sha256:" not in image:
                    out.append(
                        Problem(
                            f"{path}.image",
                            model.image,
                            "must be pinned by a tag other than 'latest' or by digest",
                        )
                    )
                if model.artifact is None or not model.artifact.startswith(STORAGE_SCHEMES):
                    out.append(
                        Problem(
                            f"{path}.artifact",
                            model.artifact,
                            f"must be a storage URI starting with one of {', '.join(STORAGE_SCHEMES)}",
                        )
                    )
    for persona, principals in spec.access.personas.items():
        for j, principal in enumerate(principals):
            if not SUBJECT.match(principal):
                out.append(Problem(f"access.personas.{persona}[{j}]", principal, _SUBJECT_RULE))
    return out


def problems(spec: StackSpec) -> list[Problem]:
    """Every problem of the in-cluster layer of ``spec``; empty when sound or when there is no layer."""
    from runtime.pricing import RegionNotInCatalog

    k8s = spec.kubernetes
    if k8s is None:
        if spec.cloud == "kubernetes":
            return [
                Problem(
                    "kubernetes",
                    MISSING,
                    "a 'cloud: kubernetes' stack needs the 'kubernetes' section (kubeconfig or "
                    "kubeconfigPath, context, nodeCloud, nodeInstanceType)",
                )
            ]
        return []
    cat = _catalog()
    cloud = node_cloud(spec)
    out: list[Problem] = []
    if spec.cloud == "kubernetes":
        try:
            cat.require_region(cloud, spec.region)
        except RegionNotInCatalog as exc:
            return [Problem("region", spec.region, str(exc))]
        out += _standalone_problems(spec, cat)
    else:
        out += _cluster_problems(spec)
    if k8s.quota.gpus > 0:
        pools = spec.training.pools if spec.training.enabled else []
        if not any(pool_has_gpu(p, cat, cloud, spec.region) for p in pools):
            out.append(
                Problem(
                    "kubernetes.quota.gpus",
                    k8s.quota.gpus,
                    "a GPU quota needs a GPU training pool (a pool with 'accelerator', 'requirements.gpus' "
                    "or GPU instance types); set 0 or add one",
                )
            )
    return out


__all__ = ["STORAGE_SCHEMES", "SUBJECT", "node_cloud", "pool_has_gpu", "problems"]

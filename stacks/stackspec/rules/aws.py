"""Spec-time rules only AWS knows: instance types per region, GPUs, SageMaker hosting, rollouts, names.

The loader runs :func:`problems` after the cloud-neutral validation, so an AWS stack with an instance type
the region does not offer, a GPU pool on a CPU type, a SageMaker endpoint on an EC2 type, a canary on a
single instance or a name AWS would refuse is stopped before any resource is registered, with the field,
the value and what is allowed. It reads only the spec and the pricing catalog (``runtime.pricing``), never
Pulumi, because ``keel new-team`` runs it too; it lives with the spec for that reason, and borrows the
naming and model-source rules from ``components.aws`` so a name it accepts is the name the component builds.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from components.aws._naming import RULES, aws_name
from components.aws._sources import ARTIFACT_REQUIRED, parse_artifact, parse_image, parse_package

from .._errors import Problem
from .._model import ModelSource, StackSpec

if TYPE_CHECKING:
    from runtime.pricing import Catalog

#: Retention periods CloudWatch Logs accepts (PutRetentionPolicy).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
#: Feature names SageMaker Feature Store reserves for its own columns.
RESERVED_FEATURES = ("api_invocation_time", "event_time_ns", "is_deleted", "write_time")
_FEATURE = re.compile(r"^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$")
_PRINCIPAL = re.compile(
    r"^arn:aws[a-z-]*:(iam::\d{12}:(role|user)/[\w+=,.@/-]+|iam::\d{12}:root|sts::\d{12}:assumed-role/.+)$"
)
#: AWS Budgets allows five notifications per budget; one is the forecast alert.
MAX_BUDGET_THRESHOLDS = 4
_ARM_FAMILY = re.compile(r"^[a-z]+\d+g[a-z]*$")


def _catalog() -> Catalog:
    from runtime.pricing import load_catalog

    return load_catalog()


def _nearest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def _type_problems(cat: Catalog, region: str, path: str, name: str, service: str) -> list[Problem]:
    """Unknown type or family in ``region`` for ``service`` (``ec2`` nodes or ``sagemaker`` hosting)."""
    types = [t for t in cat.instance_types("aws", region) if t.service == service]
    if any(t.name == name for t in types):
        return []
    if service == "ec2" and name.startswith("ml."):
        return [
            Problem(path, name, f"is a SageMaker type; training pools run EC2 instances: use '{name[3:]}'")
        ]
    if service == "sagemaker" and not name.startswith("ml."):
        return [
            Problem(
                path,
                name,
                f"is an EC2 type; SageMaker endpoints need an 'ml.' hosting type such as 'ml.{name}'",
            )
        ]
    family = name.split(".")[0] if service == "ec2" else ".".join(name.split(".")[:2])
    families = sorted({t.family for t in types})
    refresh = (
        f" (pricing catalog as of {cat.as_of}; if AWS has added it there, refresh with "
        f"`keel cost refresh-prices --region {region}`)"
    )
    if family not in families:
        return [
            Problem(
                path,
                name,
                f"family '{family}' is not offered in {region}; families there: "
                f"{', '.join(families)}{refresh}",
            )
        ]
    return [
        Problem(
            path, name, f"is not offered in {region}{_nearest(name, sorted(t.name for t in types))}{refresh}"
        )
    ]


def _gpu(cat: Catalog, region: str, name: str) -> tuple[int, str | None]:
    info = cat.instance_type("aws", region, name)
    return (info.gpu_count, info.gpu_type) if info else (0, None)


def _gpu_matches(wanted: str, actual: str | None) -> bool:
    def norm(text: str) -> str:
        return re.sub(r"^(nvidia|amd)[-_ ]?", "", text.lower()).replace("-", "").replace("_", "")

    return actual is not None and norm(wanted) == norm(actual)


def _pool_problems(spec: StackSpec, cat: Catalog) -> list[Problem]:
    out: list[Problem] = []
    region = spec.region
    for i, pool in enumerate(spec.training.pools):
        base = f"training.pools[{i}]"
        wants_gpu = pool.accelerator is not None or (
            pool.requirements is not None and pool.requirements.gpus > 0
        )
        known = True
        for j, name in enumerate(pool.instance_types):
            found = _type_problems(cat, region, f"{base}.instanceTypes[{j}]", name, "ec2")
            out += found
            known = known and not found
            if found:
                continue
            count, gpu_type = _gpu(cat, region, name)
            if wants_gpu and count == 0:
                out.append(
                    Problem(
                        f"{base}.instanceTypes[{j}]",
                        name,
                        "has no GPU but the pool asks for one (accelerator or requirements.gpus); "
                        "use a GPU family such as g5, g6 or p4d",
                    )
                )
            elif pool.accelerator is not None and not _gpu_matches(pool.accelerator.type, gpu_type):
                out.append(
                    Problem(
                        f"{base}.instanceTypes[{j}]",
                        name,
                        f"carries {gpu_type}, not the pool's accelerator '{pool.accelerator.type}'",
                    )
                )
            elif pool.accelerator is not None and count < pool.accelerator.count:
                out.append(
                    Problem(
                        f"{base}.instanceTypes[{j}]",
                        name,
                        f"has {count} GPU(s), "
                        f"fewer than the pool's accelerator count {pool.accelerator.count}",
                    )
                )
        if known and pool.instance_types:
            arches = {bool(_ARM_FAMILY.match(t.split(".")[0])) for t in pool.instance_types}
            gpus = {_gpu(cat, region, t)[0] > 0 for t in pool.instance_types}
            if len(arches) > 1 or len(gpus) > 1:
                out.append(
                    Problem(
                        f"{base}.instanceTypes",
                        pool.instance_types,
                        "mixes Arm and x86, or GPU and CPU types; one node group runs one machine image, "
                        "so split them into separate pools",
                    )
                )
        if pool.spot and pool.instance_types and len(pool.instance_types) < 2:
            out.append(
                Problem(
                    f"{base}.instanceTypes",
                    pool.instance_types,
                    "a spot pool needs at least 2 instance types so one interrupted spot pool cannot stop "
                    "training; add similar types (e.g. m5.2xlarge with m6i.2xlarge)",
                )
            )
        name_problem = _name_problem("eks-nodegroup", spec.stack_name, pool.name)
        if name_problem:
            out.append(Problem(f"{base}.name", pool.name, name_problem))
    for j, cidr in enumerate(spec.training.control_plane_cidrs):
        if ":" in cidr:
            out.append(
                Problem(f"training.controlPlaneCidrs[{j}]", cidr, "EKS public access CIDRs must be IPv4")
            )
    return out


def _name_problem(kind: str, prefix: str, role: str) -> str | None:
    try:
        aws_name(kind, prefix, role)
    except ValueError as exc:
        return str(exc)
    return None


def _model_problems(spec: StackSpec, path: str, model: ModelSource) -> list[Problem]:
    out: list[Problem] = []
    package, image, artifact = model.model_package, model.image, model.artifact
    if package:
        try:
            parsed = parse_package(package)
        except ValueError as exc:
            return [Problem(f"{path}.modelPackage", package, str(exc))]
        if parsed.arn and f":sagemaker:{spec.region}:" not in parsed.arn:
            out.append(
                Problem(f"{path}.modelPackage", package, f"must be in the stack's region {spec.region}")
            )
        return out
    if image:
        try:
            parsed_image = parse_image(image)
        except ValueError as exc:
            out.append(Problem(f"{path}.image", image, str(exc)))
        else:
            if parsed_image.region and parsed_image.region != spec.region:
                out.append(
                    Problem(
                        f"{path}.image",
                        image,
                        f"is in {parsed_image.region}; SageMaker pulls images only from its own region "
                        f"({spec.region}): replicate the repository there",
                    )
                )
            if parsed_image.builtin and parsed_image.repository in ARTIFACT_REQUIRED and not artifact:
                out.append(
                    Problem(
                        f"{path}.artifact",
                        None,
                        f"the prebuilt '{parsed_image.repository}' algorithm serves a trained model: give "
                        "'artifact' (e.g. models/<name>/model.tar.gz in the registry bucket)",
                    )
                )
    if artifact:
        try:
            parsed_artifact = parse_artifact(artifact)
        except ValueError as exc:
            out.append(Problem(f"{path}.artifact", artifact, str(exc)))
        else:
            if parsed_artifact.bucket is None and not spec.registry.enabled:
                out.append(
                    Problem(
                        f"{path}.artifact",
                        artifact,
                        "is relative to the registry bucket but registry.enabled is false; turn the registry "
                        "on or give an s3:// URI",
                    )
                )
    return out


def _endpoint_problems(spec: StackSpec, cat: Catalog) -> list[Problem]:
    out: list[Problem] = []
    if not spec.serving.enabled:
        return out
    if spec.serving.endpoints and not spec.registry.enabled:
        out.append(
            Problem(
                "registry.enabled",
                False,
                "serving endpoints capture their traffic into the registry bucket; turn the registry on",
            )
        )
    for i, ep in enumerate(spec.serving.endpoints):
        base = f"serving.endpoints[{i}]"
        out += _type_problems(cat, spec.region, f"{base}.instanceType", ep.instance_type, "sagemaker")
        count, gpu_type = _gpu(cat, spec.region, ep.instance_type)
        if ep.accelerator is not None and (count == 0 or not _gpu_matches(ep.accelerator.type, gpu_type)):
            out.append(
                Problem(
                    f"{base}.instanceType",
                    ep.instance_type,
                    f"carries {gpu_type or 'no GPU'}; on AWS the accelerator comes with the instance type, "
                    f"pick an ml.* type with '{ep.accelerator.type}'",
                )
            )
        rollout = ep.rollout
        if rollout.strategy in ("canary", "linear") and ep.min_replicas < 2:
            out.append(
                Problem(
                    f"{base}.minReplicas",
                    ep.min_replicas,
                    f"a {rollout.strategy} rollout shifts part of the fleet first, so it needs at least 2 "
                    "instances (minReplicas ≥ 2); use strategy 'all-at-once' for a single instance",
                )
            )
        inf1 = [
            t
            for t in [ep.instance_type, *(v.instance_type for v in ep.variants)]
            if t and t.startswith("ml.inf1.")
        ]
        if rollout.strategy in ("canary", "linear") and inf1:
            out.append(
                Problem(
                    f"{base}.rollout.strategy",
                    rollout.strategy,
                    f"SageMaker deployment guardrails exclude Inf1 instances ({inf1[0]}): "
                    "updates fall back to all at once without baking; use 'all-at-once' or an Inf2/GPU type",
                )
            )
        if rollout.strategy == "canary" and rollout.canary_percent > 50:
            out.append(
                Problem(
                    f"{base}.rollout.canaryPercent",
                    rollout.canary_percent,
                    "SageMaker canaries take at most 50% of the fleet",
                )
            )
        if rollout.strategy == "linear" and not 10 <= rollout.linear_step_percent <= 50:
            out.append(
                Problem(
                    f"{base}.rollout.linearStepPercent",
                    rollout.linear_step_percent,
                    "SageMaker linear steps are 10-50% of the fleet",
                )
            )
        for j, variant in enumerate(ep.variants):
            if variant.instance_type:
                out += _type_problems(
                    cat, spec.region, f"{base}.variants[{j}].instanceType", variant.instance_type, "sagemaker"
                )
            out += _model_problems(spec, f"{base}.variants[{j}].model", variant.model)
        if ep.shadow is not None:
            out += _model_problems(spec, f"{base}.shadow.model", ep.shadow.model)
        for kind in ("sagemaker",):
            problem = _name_problem(kind, spec.stack_name, ep.name)
            if problem:
                out.append(Problem(f"{base}.name", ep.name, problem))
    return out


def _feature_problems(spec: StackSpec) -> list[Problem]:
    out: list[Problem] = []
    if not spec.feature_store.enabled:
        return out
    for i, group in enumerate(spec.feature_store.groups):
        base = f"featureStore.groups[{i}]"
        for j, feature in enumerate(group.features):
            if feature.name in RESERVED_FEATURES:
                out.append(
                    Problem(
                        f"{base}.features[{j}].name",
                        feature.name,
                        f"is reserved by SageMaker Feature Store ({', '.join(RESERVED_FEATURES)})",
                    )
                )
            elif not _FEATURE.match(feature.name):
                out.append(
                    Problem(
                        f"{base}.features[{j}].name",
                        feature.name,
                        "SageMaker feature names end with a letter or digit (no trailing '_')",
                    )
                )
            if feature.name == group.event_time and feature.type not in ("string", "fractional"):
                out.append(
                    Problem(
                        f"{base}.features[{j}].type",
                        feature.type,
                        "the event-time feature must be 'string' (ISO-8601) or 'fractional' (epoch seconds)",
                    )
                )
        problem = _name_problem("feature-group", spec.stack_name, group.name)
        if problem:
            out.append(Problem(f"{base}.name", group.name, problem))
    return out


def problems(spec: StackSpec) -> list[Problem]:
    """Every AWS-specific problem of ``spec`` (paths relative to the namespace); empty when sound."""
    from runtime.pricing import RegionNotInCatalog

    out: list[Problem] = []
    cat = _catalog()
    try:
        cat.require_region("aws", spec.region)
    except RegionNotInCatalog as exc:
        return [Problem("region", spec.region, str(exc))]
    if spec.training.enabled:
        out += _pool_problems(spec, cat)
    out += _endpoint_problems(spec, cat)
    out += _feature_problems(spec)
    # Flow logs, endpoint, cluster and trail log groups all keep this long, network or not.
    if spec.network.flow_log_retention_days not in LOG_RETENTION_DAYS:
        allowed = LOG_RETENTION_DAYS
        nearest = min(allowed, key=lambda d: abs(d - spec.network.flow_log_retention_days))
        out.append(
            Problem(
                "network.flowLogRetentionDays",
                spec.network.flow_log_retention_days,
                f"CloudWatch Logs keeps logs for one of {', '.join(map(str, allowed))} days; "
                f"nearest: {nearest}",
            )
        )
    for persona, principals in spec.access.personas.items():
        for j, principal in enumerate(principals):
            if not _PRINCIPAL.match(principal):
                out.append(
                    Problem(
                        f"access.personas.{persona}[{j}]",
                        principal,
                        "must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name>); wildcards are "
                        "not allowed",
                    )
                )
    if spec.budget.enabled and len(spec.budget.alert_thresholds) > MAX_BUDGET_THRESHOLDS:
        out.append(
            Problem(
                "budget.alertThresholds",
                spec.budget.alert_thresholds,
                "AWS Budgets sends at most 5 notifications per budget and one is the forecast alert: "
                f"give at most {MAX_BUDGET_THRESHOLDS} thresholds",
            )
        )
    if RULES["s3-bucket"].problem(spec.stack_name.lower()) and len(spec.stack_name) > 63:
        out.append(
            Problem(
                "team", spec.team, "team and environment together must fit S3's 63-character bucket names"
            )
        )
    return out

"""Self-healing on Kubernetes: a CronJob that never overlaps, locked by one Lease its account alone may touch.

Planned with the offline engine (a program declaring ``K8sSelfHealing`` in a team namespace); the objects are
checked as the API server would get them: strictly against the OpenAPI schemas of every supported version,
by the policy pack's Kubernetes rules, and property by property (restricted pod, least-privilege RBAC).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.kubernetes import SUPPORTED_VERSIONS
from components.self_healing.kubernetes import (
    COMMAND,
    LEASE_VERBS,
    K8sSelfHealing,
    K8sSelfHealingArgs,
    cron_schedule,
)
from stacks.engine import PlanResult, plan_config

from .kubernetes_plans import kubernetes_objects, manifest

TAGS = {
    "team": "search",
    "cost-center": "cc-0042",
    "environment": "dev",
    "owner": "sam-lee",
    "data-classification": "internal",
    "data-residency": "us",
    "managed-by": "mlkeel",
}
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlkeel/search-dev/models:self-healing-0.1.0"


def _program() -> None:
    provider = k8s.Provider("search-dev-k8s", kubeconfig="{}", namespace="search-dev")
    K8sSelfHealing(
        "search-dev-self-healing",
        K8sSelfHealingArgs(
            prefix="search-dev",
            tags=TAGS,
            region="us-east-1",
            namespace="search-dev",
            image=IMAGE,
            schedule="rate(1 hour)",
            config='{"stack": "search-dev"}',
        ),
        opts=pulumi.ResourceOptions(provider=provider),
    )


@cache
def plan() -> PlanResult:
    return plan_config({}, stack="search-dev", program=_program)


def _objects(kind: str) -> list[dict[str, Any]]:
    return [manifest(r) for r in kubernetes_objects(plan()) if r["type"].rsplit(":", 1)[-1] == kind]


def _pod() -> dict[str, Any]:
    (cron,) = _objects("CronJob")
    return dict(cron["spec"]["jobTemplate"]["spec"]["template"])


@pytest.fixture(autouse=True, scope="module")
def _schemas_read_once() -> Iterator[None]:
    utils = kubernetes_validate.utils
    original = utils.schema_contents
    utils.schema_contents = functools.cache(original)  # type: ignore[assignment]
    yield
    utils.schema_contents = original  # type: ignore[assignment]


def test_self_healing_kubernetes_objects_validate_strictly_on_every_supported_version() -> None:
    objects = kubernetes_objects(plan())
    kinds = sorted(r["type"].rsplit(":", 1)[-1] for r in objects)
    assert kinds == ["ConfigMap", "CronJob", "Lease", "Role", "RoleBinding", "ServiceAccount"]
    failures = []
    for version in SUPPORTED_VERSIONS:
        for resource in objects:
            try:
                kubernetes_validate.validate(manifest(resource), f"{version}.0", strict=True)
            except kubernetes_validate.ValidationError as exc:
                failures.append(f"{version} {resource['urn']}: {exc.message} at {list(exc.path)}")
    assert not failures, "\n".join(failures)


def test_self_healing_kubernetes_cron_job_never_overlaps_and_runs_the_container_command() -> None:
    (cron,) = _objects("CronJob")
    spec = cron["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["schedule"] == "0 * * * *" and spec["timeZone"] == "Etc/UTC"
    job = spec["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 0 and job["activeDeadlineSeconds"] == 3600
    (container,) = _pod()["spec"]["containers"]
    assert container["image"] == IMAGE and container["command"] == COMMAND
    env = {e["name"]: e for e in container["env"]}
    assert env["MLKEEL_SELF_HEALING_CONFIG"]["valueFrom"]["configMapKeyRef"]["key"] == "config.json"
    assert env["MLKEEL_LEASE_NAME"]["value"] == "search-dev-self-healing-lease"
    assert env["MLKEEL_LEASE_BACKEND"]["value"] == "kubernetes"


def test_self_healing_kubernetes_pod_is_restricted_with_a_bounded_tmp() -> None:
    pod = _pod()["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    ctx = container["securityContext"]
    assert ctx["readOnlyRootFilesystem"] is True and ctx["allowPrivilegeEscalation"] is False
    assert ctx["capabilities"] == {"drop": ["ALL"]} and ctx["privileged"] is False
    assert container["resources"]["requests"] == container["resources"]["limits"]
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    (volume,) = pod["volumes"]
    assert volume["emptyDir"]["sizeLimit"].endswith("Mi")
    assert _pod()["metadata"]["labels"]["mlkeel.io/egress-https"] == "true"
    assert {k: _pod()["metadata"]["labels"][k] for k in TAGS} == TAGS


def test_self_healing_kubernetes_account_may_touch_only_its_lease() -> None:
    (account,) = _objects("ServiceAccount")
    (role,) = _objects("Role")
    (binding,) = _objects("RoleBinding")
    (lease,) = _objects("Lease")
    (rule,) = role["rules"]
    assert rule == {
        "apiGroups": ["coordination.k8s.io"],
        "resources": ["leases"],
        "resourceNames": [lease["metadata"]["name"]],
        "verbs": LEASE_VERBS,
    }
    assert "create" not in LEASE_VERBS and "*" not in str(role["rules"])  # the Lease exists before any run
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": role["metadata"]["name"],
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": "search-dev"}
    ]
    assert _pod()["spec"]["serviceAccountName"] == account["metadata"]["name"]


def test_self_healing_kubernetes_objects_pass_the_policy_pack(tmp_path: Path) -> None:
    from policies._check import check_files

    state = plan().write(tmp_path / "search-dev.json")
    result = check_files([state])
    mine = [f"{f.policy}: {f.urn}: {f.message}" for f in result.findings if "self-healing" in f.urn]
    assert not mine, "\n".join(mine)


@pytest.mark.parametrize(
    ("expression", "cron"),
    [
        ("rate(1 hour)", "0 * * * *"),
        ("rate(6 hours)", "0 */6 * * *"),
        ("rate(15 minutes)", "*/15 * * * *"),
        ("rate(1 minute)", "* * * * *"),
        ("rate(2 days)", "0 0 */2 * *"),
        ("cron(0 3 ? * MON-FRI *)", "0 3 * * MON-FRI"),
        ("cron(30 2 * * ? *)", "30 2 * * *"),
        ("cron(0 8 ? * 2 *)", "0 8 * * 1"),  # AWS weekday 2 (Monday) is cron's 1
    ],
)
def test_self_healing_kubernetes_schedule_converts_eventbridge_expressions(
    expression: str, cron: str
) -> None:
    assert cron_schedule(expression) == cron


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("rate(7 minutes)", "must divide 60"),
        ("rate(5 hours)", "must divide 24"),
        ("cron(0 3 L * ? *)", "no Kubernetes cron equivalent"),
        ("cron(0 3 * *)", "6 fields"),
        ("every tuesday", "expected rate"),
    ],
)
def test_self_healing_kubernetes_schedule_refuses_what_cron_cannot_say(expression: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cron_schedule(expression)

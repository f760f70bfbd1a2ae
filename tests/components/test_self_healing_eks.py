"""``selfHealing.runner: kubernetes`` on AWS: the controller as a CronJob in the stack's EKS cluster, its AWS
identity an EKS Pod Identity role holding the Lambda role's very policy (one policy, two principals) without
the DynamoDB lease, which the namespace's Lease replaces.

Planned with the offline engine from the example stack ``Pulumi.fraud-dev.yaml`` (EKS with the ``kubernetes:``
layer), once with the Lambda runner and once with the Kubernetes runner, so the two roles are compared.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from components.aws._iam import wildcard_problems
from components.kubernetes import SUPPORTED_VERSIONS
from components.self_healing.aws import CONTROLLER_GRANTS, IMAGE_TAG, POD_GRANTS
from components.self_healing.kubernetes import COMMAND
from policies._check import check_files
from stacks.engine import PlanResult

from .kubernetes_plans import is_custom, kubernetes_objects, manifest
from .self_healing_plans import healing_fraud, healing_fraud_eks
from .test_iam_documents_lint import ALLOWLIST, SCANNER_PYTHON, allowed_by, documents, run_parliament

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
LAMBDA_ONLY = (
    "aws:lambda/function:Function",
    "aws:dynamodb/table:Table",
    "aws:scheduler/schedule:Schedule",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
)


@pytest.fixture(autouse=True, scope="module")
def _schemas_read_once() -> Iterator[None]:
    utils = kubernetes_validate.utils
    original = utils.schema_contents
    utils.schema_contents = functools.cache(original)  # type: ignore[assignment]
    yield
    utils.schema_contents = original  # type: ignore[assignment]


def _mine(plan: PlanResult, token: str) -> list[dict[str, Any]]:
    return [r for r in plan.by_type(token) if "SelfHealing" in r["urn"]]


def _policy(plan: PlanResult) -> dict[str, Any]:
    (policy,) = [r for r in _mine(plan, ROLE_POLICY) if r["urn"].endswith("self-healing-role-policy")]
    return dict(json.loads(policy["inputs"]["policy"]))


def _objects(plan: PlanResult, kind: str) -> list[dict[str, Any]]:
    return [
        manifest(r)
        for r in kubernetes_objects(plan)
        if "SelfHealing" in r["urn"] and r["type"].rsplit(":", 1)[-1] == kind
    ]


def _statements(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy["Statement"]}


def test_self_healing_eks_builds_the_cronjob_instead_of_the_lambda() -> None:
    plan = healing_fraud_eks()
    assert not [r for t in LAMBDA_ONLY for r in _mine(plan, t)]
    kinds = sorted(
        r["type"].rsplit(":", 1)[-1] for r in kubernetes_objects(plan) if "SelfHealing" in r["urn"]
    )
    controller = ["ConfigMap", "CronJob", "Lease", "Role", "RoleBinding", "ServiceAccount"]
    pushgateway = ["Deployment", "Service", "ServiceAccount", "ServiceMonitor"]
    assert kinds == sorted(controller + pushgateway)
    section = plan.outputs["platform"]["selfHealing"]
    assert section["runner"] == "kubernetes" and section["cronJob"] == "fraud-dev-self-healing"


def test_self_healing_eks_role_holds_the_lambda_roles_grants_but_the_dynamodb_lease() -> None:
    pods, function = _statements(_policy(healing_fraud_eks())), _statements(_policy(healing_fraud()))
    granted = {a for s in pods.values() for a in s["Action"]}
    assert granted == set(POD_GRANTS)
    assert set(CONTROLLER_GRANTS) - granted == {"dynamodb:UpdateItem", "dynamodb:DeleteItem"}

    # One policy, two principals: each action is granted on the very resources, under the very conditions,
    # of the Lambda role (statements differ only where the Lambda's own needs share a scope, like "*").
    def scope(statements: dict[str, dict[str, Any]], action: str) -> tuple[Any, Any]:
        (stmt,) = [s for s in statements.values() if action in s["Action"]]
        return stmt["Resource"], stmt.get("Condition")

    for action in granted:
        assert scope(pods, action) == scope(function, action), action
    assert not [a for s in pods.values() for a in s["Action"] if a.startswith(("logs:", "ec2:", "dynamodb:"))]
    assert wildcard_problems(_policy(healing_fraud_eks())) == []


def test_self_healing_eks_role_is_assumed_only_through_pod_identity_for_the_cronjobs_account() -> None:
    plan = healing_fraud_eks()
    (role,) = [r for r in _mine(plan, "aws:iam/role:Role") if r["urn"].endswith("self-healing-role")]
    (trust,) = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert role["inputs"]["path"].startswith("/mlkeel/")  # the key policy lets stack roles use the key
    (association,) = _mine(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    (account,) = [
        a for a in _objects(plan, "ServiceAccount") if a["metadata"]["name"] == "fraud-dev-self-healing"
    ]
    assert association["inputs"]["serviceAccount"] == account["metadata"]["name"]
    assert association["inputs"]["namespace"] == account["metadata"]["namespace"] == "fraud-ml"
    assert association["inputs"]["roleArn"] == role["outputs"]["arn"]
    assert association["inputs"]["clusterName"] == plan.outputs["platform"]["training"]["cluster"]


def test_self_healing_eks_pods_run_the_stack_image_locked_by_the_lease() -> None:
    plan = healing_fraud_eks()
    (cron,) = _objects(plan, "CronJob")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    (container,) = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container["image"] == f"{plan.outputs['platform']['registry']['repositoryUrl']}:{IMAGE_TAG}"
    assert container["command"] == COMMAND
    env = {e["name"]: e for e in container["env"]}
    (lease,) = _objects(plan, "Lease")
    assert env["MLKEEL_LEASE_BACKEND"]["value"] == "kubernetes"
    assert env["MLKEEL_LEASE_NAME"]["value"] == lease["metadata"]["name"]
    (config_map,) = _objects(plan, "ConfigMap")
    config = json.loads(config_map["data"]["config.json"])
    assert config["policy"]["runner"] == "kubernetes" and config["stack"] == "fraud-dev"
    assert config["endpoints"] and config["model_package_group"]
    from runtime.self_healing._config import load_config

    assert load_config(config_map["data"]["config.json"], source="ConfigMap").policy.runner == "kubernetes"


def test_self_healing_eks_objects_validate_strictly_on_every_supported_version() -> None:
    failures = []
    for version in SUPPORTED_VERSIONS:
        for resource in [
            r
            for r in kubernetes_objects(healing_fraud_eks())
            if "SelfHealing" in r["urn"] and not is_custom(r)
        ]:
            try:
                kubernetes_validate.validate(manifest(resource), f"{version}.0", strict=True)
            except kubernetes_validate.ValidationError as exc:
                failures.append(f"{version} {resource['urn']}: {exc.message} at {list(exc.path)}")
    assert not failures, "\n".join(failures)


def test_self_healing_eks_network_has_no_lease_table_endpoint() -> None:
    services = [
        e["inputs"]["serviceName"] for e in healing_fraud_eks().by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    ]
    assert not [s for s in services if s.endswith(".dynamodb")]
    assert [s for s in services if s.endswith(".sns")]  # alerts still leave through the private endpoint


def test_self_healing_eks_resources_pass_the_policy_pack(tmp_path: Path) -> None:
    result = check_files([healing_fraud_eks().write(tmp_path / "fraud-eks.json")])
    violations = [f"{f.policy}: {f.urn}: {f.message}" for f in result.findings if f.status == "violation"]
    assert not violations, "\n".join(violations)


def test_self_healing_eks_figures_reach_the_namespaces_prometheus_through_a_pushgateway() -> None:
    plan = healing_fraud_eks()
    (config_map,) = _objects(plan, "ConfigMap")
    url = json.loads(config_map["data"]["config.json"])["pushgateway_url"]
    assert url == "http://self-healing-pushgateway.fraud-ml.svc:9091"
    (service,) = _objects(plan, "Service")
    assert (
        service["metadata"]["name"] == "self-healing-pushgateway" and service["spec"]["type"] == "ClusterIP"
    )
    assert service["spec"]["ports"][0]["port"] == 9091
    (monitor,) = _objects(plan, "ServiceMonitor")
    # The pushed labels (stack, endpoint) are kept, and the target adds namespace="fraud-ml", which the
    # namespace's PrometheusRule selects the drift gauge by.
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["honorLabels"] is True and endpoint["port"] == "http"
    assert monitor["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]
    (deployment,) = _objects(plan, "Deployment")
    pod = deployment["spec"]["template"]
    assert pod["metadata"]["labels"]["mlkeel.io/metrics"] == "true"  # the monitoring namespace may scrape it
    (container,) = pod["spec"]["containers"]
    assert container["image"].startswith("quay.io/prometheus/pushgateway:v")
    assert pod["spec"]["automountServiceAccountToken"] is False


def test_self_healing_eks_key_admits_no_lambda_table_or_schedule_services() -> None:
    def statements(plan: PlanResult) -> set[str]:
        (key,) = plan.by_type("aws:kms/key:Key")
        return {s["Sid"] for s in json.loads(key["inputs"]["policy"])["Statement"]}

    lambda_only = "SelfHealingResourcesThroughTheirServices"
    assert lambda_only in statements(healing_fraud()) and lambda_only not in statements(healing_fraud_eks())


@pytest.mark.skipif(
    not SCANNER_PYTHON.exists() and not os.environ.get("MLKEEL_REQUIRE_SCANNERS"),
    reason=f"{SCANNER_PYTHON} is missing: run benchmarks/setup_scanners.sh to lint IAM documents",
)
def test_self_healing_eks_role_passes_parliament_but_reviewed_findings() -> None:
    docs = [d for d in documents("fraud-eks", healing_fraud_eks()) if "self-healing" in d["where"]]
    assert len(docs) == 1  # the pods' role policy (its trust is not a permissions document)
    entries = json.loads(ALLOWLIST.read_text(encoding="utf-8"))["entries"]
    unreviewed = [
        f"{f['where']}: {f['issue']} {f.get('detail')}"
        for f in run_parliament(docs)
        if allowed_by(f, entries) is None
    ]
    assert not unreviewed, "\n".join(unreviewed)

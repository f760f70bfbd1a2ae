"""Self-healing on GCP: Cloud Scheduler runs a Cloud Run job from the stack's image, as an account holding
only what the controller needs; with ``runner: kubernetes`` the same account drives a CronJob in the GKE
cluster.

Planned with the offline engine from the example stack ``Pulumi.risk-prod.yaml`` with ``selfHealing`` on
(and once more with the ``kubernetes:`` layer and the Kubernetes runner). IAM exactness is judged on the
plan: every grant that names the runtime account is listed, and must be exactly the expected set.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from components.kubernetes import SUPPORTED_VERSIONS
from components.platform.kubernetes import GKE_ANNOTATION
from components.self_healing.aws import IMAGE_TAG, READ_PREFIXES, WRITE_PREFIXES
from components.self_healing.gcp import (
    CONFIG_VARIABLE,
    CONTAINER_COMMAND,
    IMAGE_NAME,
    NOT_ROLE_PERMISSIONS,
    PROJECT_PERMISSIONS,
    VERTEX_PERMISSIONS,
    custom_role_id,
)
from policies._check import check_files
from stacks.engine import PlanResult

from .gcp_plans import key_id, risk
from .kubernetes_plans import is_custom, kubernetes_objects, manifest
from .self_healing_plans import healing_risk, healing_risk_gke

JOB = "gcp:cloudrunv2/job:Job"
SCHEDULER = "gcp:cloudscheduler/job:Job"
ACCOUNT = "gcp:serviceaccount/account:Account"
#: Every IAM grant type a GCP stack plans (member-style): the runtime account's grants are found among them.
GRANT_TYPES = (
    "gcp:projects/iAMMember:IAMMember",
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:bigquery/datasetIamMember:DatasetIamMember",
    "gcp:serviceaccount/iAMMember:IAMMember",
    "gcp:pubsub/topicIAMMember:TopicIAMMember",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    "gcp:cloudrunv2/jobIamMember:JobIamMember",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
)


def _out(plan: PlanResult) -> dict[str, Any]:
    """The platform's stack outputs."""
    return dict(plan.outputs["platform"])


def _only(plan: PlanResult, token: str, suffix: str = "") -> dict[str, Any]:
    found = [r for r in plan.by_type(token) if r["urn"].endswith(suffix) and "self-healing" in r["urn"]]
    assert len(found) == 1, [r["urn"] for r in found]
    return found[0]


def _account(plan: PlanResult, suffix: str) -> dict[str, Any]:
    return dict(_only(plan, ACCOUNT, f"self-healing-{suffix}")["outputs"])


def _grants(plan: PlanResult, member: str) -> list[tuple[str, str, str]]:
    """(type, role, on what) of every grant in the plan naming ``member``."""
    out = []
    for token in GRANT_TYPES:
        for r in plan.by_type(token):
            inputs = r["inputs"]
            if inputs.get("member") != member:
                continue
            target = next(
                str(inputs[k])
                for k in (
                    "serviceAccountId",
                    "bucket",
                    "datasetId",
                    "topic",
                    "cryptoKeyId",
                    "name",
                    "project",
                )
                if k in inputs
            )
            out.append((token.split("/")[0], str(inputs.get("role")), target))
    return sorted(out)


def _config(plan: PlanResult) -> dict[str, Any]:
    (container,) = _only(plan, JOB)["inputs"]["template"]["template"]["containers"]
    (env,) = container["envs"]
    assert env["name"] == CONFIG_VARIABLE
    return dict(json.loads(env["value"]))


def test_self_healing_gcp_is_off_unless_the_spec_switches_it_on() -> None:
    plan = risk()
    assert not plan.by_type("mlkeel:index:GcpSelfHealing") and not plan.by_type(JOB)


def test_self_healing_gcp_job_runs_the_stack_image_encrypted_in_the_private_subnet() -> None:
    plan = healing_risk()
    job = _only(plan, JOB)["inputs"]
    template = job["template"]["template"]
    (container,) = template["containers"]
    repository = _out(plan)["registry"]["imageRepository"]
    assert container["image"] == f"{repository}/{IMAGE_NAME}:{IMAGE_TAG}"
    assert repository.startswith("europe-west4-docker.pkg.dev/risk-ml-prod/")
    assert container["commands"] == CONTAINER_COMMAND
    assert template["encryptionKey"] == key_id(plan)
    assert template["serviceAccount"] == _account(plan, "runtime")["email"]
    access = template["vpcAccess"]
    assert access["egress"] == "ALL_TRAFFIC"
    (interface,) = access["networkInterfaces"]
    assert interface["subnetwork"] == _out(plan)["network"]["subnetId"]
    assert interface["network"] == _out(plan)["network"]["networkId"]
    assert template["maxRetries"] == 1 and template["timeout"] == "3600s"
    assert job["template"]["taskCount"] == 1


def test_self_healing_gcp_config_names_the_stacks_resources_and_the_policy() -> None:
    plan = healing_risk()
    config = _config(plan)
    assert config["cloud"] == "gcp" and config["stack"] == "risk-prod" and config["project"] == "risk-ml-prod"
    assert config["bucket"] == _out(plan)["registry"]["bucket"]
    assert config["prediction_log_dataset"] == _out(plan)["serving"]["predictionLogDataset"]
    assert config["training_service_account"].startswith("risk-prod-training@")
    assert set(config["endpoints"]) == {"scorecard"} and set(config["rollout"]) == {"scorecard"}
    assert config["rollout"]["scorecard"]["canary_percent"] == 5
    assert config["policy"]["runner"] == "cloud-run" and config["policy"]["auto_promote"] is True
    policies = _out(plan)["monitoring"]["alertPolicies"]
    assert config["alert_policies"] == {"scorecard": [policies["latency"], policies["errors"]]}
    assert config["serving"] == {
        "scorecard": {"machine_type": "n1-standard-4", "min_replicas": 2, "max_replicas": 6}
    }
    assert "pushgateway_url" not in config  # Cloud Run: Cloud Monitoring only


@pytest.mark.parametrize("planned", [healing_risk, healing_risk_gke], ids=["cloud-run", "gke"])
def test_self_healing_gcp_config_is_a_document_the_gcp_controller_accepts(planned: Any) -> None:
    from runtime.self_healing._gcp_config import GcpControllerConfig

    plan = planned()
    if planned is healing_risk:
        config = _config(plan)
    else:
        (config_map,) = [manifest(r) for r in _healing_objects(plan) if r["type"].endswith(":ConfigMap")]
        config = json.loads(config_map["data"]["config.json"])
    parsed = GcpControllerConfig.model_validate(config)  # unknown fields are refused
    assert parsed.project == "risk-ml-prod" and parsed.network == _out(plan)["network"]["networkId"]


def test_self_healing_gcp_custom_role_holds_exactly_the_controllers_calls() -> None:
    role = _only(healing_risk(), "gcp:projects/iAMCustomRole:IAMCustomRole")["inputs"]
    assert role["roleId"] == custom_role_id("risk-prod") == "mlkeel_risk_prod_self_healing"
    permissions = role["permissions"]
    assert sorted(permissions) == sorted(VERTEX_PERMISSIONS + PROJECT_PERMISSIONS)
    assert len(set(permissions)) == len(permissions)
    assert all("*" not in p for p in permissions)
    # Every permission is a Vertex AI one, but for the one a BigQuery query job needs in the project and the
    # Cloud Monitoring writes and reads (metrics have no IAM finer than the project).
    assert {p for p in permissions if not p.startswith("aiplatform.")} == {
        "bigquery.jobs.create",
        "monitoring.timeSeries.create",
        "monitoring.timeSeries.list",
    }


#: Scope of the runtime's GCP_PERMISSIONS -> the grant the component makes for it (type, role).
SCOPE_GRANTS = {
    "bucket": ("gcp:storage", "roles/storage.objectUser"),
    "dataset": ("gcp:bigquery", "roles/bigquery.dataViewer"),
    "training-service-account": ("gcp:serviceaccount", "roles/iam.serviceAccountUser"),
}


def test_self_healing_gcp_grants_are_the_runtimes_calls() -> None:
    from runtime.self_healing._calls import GCP_PERMISSIONS

    project = {p for p, scopes in GCP_PERMISSIONS.items() if "project" in scopes}
    # The custom role is the runtime's project-wide calls, less names that are no grantable permission.
    assert project - NOT_ROLE_PERMISSIONS == set(VERTEX_PERMISSIONS + PROJECT_PERMISSIONS)
    plan = healing_risk()
    granted = {g[:2] for g in _grants(plan, _account(plan, "runtime")["member"])}
    for scope in {s for scopes in GCP_PERMISSIONS.values() for s in scopes} - {"project"}:
        if scope == "topic":  # the stack has no alert topic: no publish grant, alerts stay in the audit log
            assert _config(plan)["alerts_topic"] is None
            continue
        assert SCOPE_GRANTS[scope] in granted, scope


def test_self_healing_gcp_runtime_account_holds_nothing_else() -> None:
    plan = healing_risk()
    member = _account(plan, "runtime")["member"]
    bucket = _out(plan)["registry"]["bucket"]
    training = _out(plan)["access"]["workloadServiceAccounts"]["training"]
    assert _grants(plan, member) == sorted(
        [
            ("gcp:bigquery", "roles/bigquery.dataViewer", _out(plan)["serving"]["predictionLogDataset"]),
            ("gcp:projects", "projects/risk-ml-prod/roles/mlkeel_risk_prod_self_healing", "risk-ml-prod"),
            (
                "gcp:serviceaccount",
                "roles/iam.serviceAccountUser",
                f"projects/risk-ml-prod/serviceAccounts/{training}",
            ),
            ("gcp:storage", "roles/storage.objectUser", bucket),
            ("gcp:storage", "roles/storage.objectViewer", bucket),
        ]
    )


@pytest.mark.parametrize(
    ("role", "prefixes"), [("objectViewer", READ_PREFIXES), ("objectUser", WRITE_PREFIXES)]
)
def test_self_healing_gcp_bucket_access_is_limited_to_the_controllers_prefixes(
    role: str, prefixes: tuple[str, ...]
) -> None:
    plan = healing_risk()
    bucket = _out(plan)["registry"]["bucket"]
    (grant,) = [
        r["inputs"]
        for r in plan.by_type("gcp:storage/bucketIAMMember:BucketIAMMember")
        if "self-healing" in r["urn"] and r["inputs"]["role"] == f"roles/storage.{role}"
    ]
    expression = grant["condition"]["expression"]
    for prefix in prefixes:
        assert f'"projects/_/buckets/{bucket}/objects/{prefix}"' in expression
    assert expression.count("objects/") == len(prefixes)


def test_self_healing_gcp_scheduler_runs_the_job_as_an_invoker_that_may_do_nothing_else() -> None:
    plan = healing_risk()
    invoker = _account(plan, "invoker")
    target = _only(plan, SCHEDULER)["inputs"]
    job = _only(plan, JOB)["inputs"]
    assert target["schedule"] == "0 * * * *" and target["timeZone"] == "Etc/UTC"
    http = target["httpTarget"]
    assert http["httpMethod"] == "POST"
    assert http["uri"] == (
        f"https://run.googleapis.com/v2/projects/risk-ml-prod/locations/europe-west4/jobs/{job['name']}:run"
    )
    assert http["oauthToken"]["serviceAccountEmail"] == invoker["email"]
    assert _grants(plan, invoker["member"]) == [("gcp:cloudrunv2", "roles/run.invoker", job["name"])]


def test_self_healing_gcp_cloud_run_agent_may_use_the_stack_key() -> None:
    plan = healing_risk()
    grant = _only(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")["inputs"]
    assert grant["cryptoKeyId"] == key_id(plan)
    assert grant["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    assert grant["member"].endswith("@serverless-robot-prod.iam.gserviceaccount.com")


def test_self_healing_gcp_outputs_name_the_job_schedule_and_accounts() -> None:
    section = _out(healing_risk())["selfHealing"]
    assert section["runner"] == "cloud-run" and section["job"] == "risk-prod-self-healing"
    assert section["serviceAccount"].startswith("risk-prod-self-healing@")
    assert section["invokerServiceAccount"].startswith("risk-prod-heal-invoker@")
    assert (
        section["image"] == f"{_out(healing_risk())['registry']['imageRepository']}/{IMAGE_NAME}:{IMAGE_TAG}"
    )


# ------------------------------------------------------------------------------- runner: kubernetes (GKE)
@pytest.fixture(autouse=True, scope="module")
def _schemas_read_once() -> Iterator[None]:
    utils = kubernetes_validate.utils
    original = utils.schema_contents
    utils.schema_contents = functools.cache(original)  # type: ignore[assignment]
    yield
    utils.schema_contents = original  # type: ignore[assignment]


def _healing_objects(plan: PlanResult) -> list[dict[str, Any]]:
    return [r for r in kubernetes_objects(plan) if "SelfHealing" in r["urn"]]


def test_self_healing_gke_runs_a_cronjob_instead_of_the_job_and_schedule() -> None:
    plan = healing_risk_gke()
    assert not [r for r in plan.by_type(JOB) + plan.by_type(SCHEDULER) if "self-healing" in r["urn"]]
    kinds = sorted(r["type"].rsplit(":", 1)[-1] for r in _healing_objects(plan))
    controller = ["ConfigMap", "CronJob", "Lease", "Role", "RoleBinding", "ServiceAccount"]
    pushgateway = ["Deployment", "Service", "ServiceAccount", "ServiceMonitor"]
    assert kinds == sorted(controller + pushgateway)
    section = _out(plan)["selfHealing"]
    assert section["runner"] == "kubernetes" and section["cronJob"] == "risk-prod-self-healing"


def test_self_healing_gke_objects_validate_strictly_on_every_supported_version() -> None:
    failures = []
    for version in SUPPORTED_VERSIONS:
        for resource in [r for r in _healing_objects(healing_risk_gke()) if not is_custom(r)]:
            try:
                kubernetes_validate.validate(manifest(resource), f"{version}.0", strict=True)
            except kubernetes_validate.ValidationError as exc:
                failures.append(f"{version} {resource['urn']}: {exc.message} at {list(exc.path)}")
    assert not failures, "\n".join(failures)


def test_self_healing_gke_pods_act_as_the_runtime_account_through_workload_identity_only() -> None:
    plan = healing_risk_gke()
    runtime = _account(plan, "runtime")
    namespace = _out(plan)["kubernetes"]["namespace"]
    (account,) = [
        manifest(r)
        for r in _healing_objects(plan)
        if r["type"].endswith(":ServiceAccount")
        and r["inputs"]["metadata"]["name"] == "risk-prod-self-healing"
    ]
    assert account["metadata"]["annotations"] == {GKE_ANNOTATION: runtime["email"]}
    ksa = account["metadata"]["name"]
    grants = _grants(plan, f"serviceAccount:risk-ml-prod.svc.id.goog[{namespace}/{ksa}]")
    assert grants == [("gcp:serviceaccount", "roles/iam.workloadIdentityUser", runtime["name"])]
    (cron,) = [manifest(r) for r in _healing_objects(plan) if r["type"].endswith(":CronJob")]
    (container,) = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    repository = _out(plan)["registry"]["imageRepository"]
    assert container["image"] == f"{repository}/{IMAGE_NAME}:{IMAGE_TAG}"
    env = {e["name"]: e for e in container["env"]}
    assert env["MLKEEL_LEASE_BACKEND"]["value"] == "kubernetes"
    (config_map,) = [manifest(r) for r in _healing_objects(plan) if r["type"].endswith(":ConfigMap")]
    config = json.loads(config_map["data"]["config.json"])
    assert config["policy"]["runner"] == "kubernetes"
    assert config["pushgateway_url"] == f"http://self-healing-pushgateway.{namespace}.svc:9091"
    # The same account and the same grants as the Cloud Run runner, but no invoker and no key grant.
    member = runtime["member"]
    assert [g[:2] for g in _grants(plan, member)] == [g[:2] for g in _grants(healing_risk(), member)]


def test_self_healing_gcp_resources_pass_the_policy_pack(tmp_path: Path) -> None:
    states = [p().write(tmp_path / f"{p.__name__}.json") for p in (healing_risk, healing_risk_gke)]
    # The whole stack's pass is test_policies_gcp's; here the resources this component adds are judged.
    result = check_files(states)
    mine = [
        f"{f.policy}: {f.urn}: {f.message}"
        for f in result.findings
        if f.status == "violation" and "self-healing" in f.urn
    ]
    assert not mine, "\n".join(mine)

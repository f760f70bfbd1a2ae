"""The rules for the self-healing runners (issues 15 and 16) judge every shape of the resources they claim,
not only the one the fixture's runner plans: Cloud Run services and worker pools keep their template one
level higher than jobs, IAM grants come as members, bindings and whole policies, Scheduler targets may be
any host, and a Pod Identity role may live outside the stack.

The one-field mutations of the runner in the base states are in ``fixtures/cases`` (MLK_ENC_009,
MLK_NET_011, MLK_IAM_009 to MLK_IAM_012, MLK_PUB_004), run in-process and over the analyzer protocol.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from policies.analyzer import parse_state
from policies.rules import RULES_BY_ID
from policies.rules.iam.gcp_iam_custom_role_no_escalation import GcpIamCustomRoleNoEscalation
from policies.testing import Outcome, run_rule

from ._kit import base_state, resource_urn

JOB = "vision-prod-self-healing-job"
SCHEDULE = "vision-prod-self-healing-schedule"
INVOKER = "vision-prod-self-healing-invoker-run"
CUSTOM_ROLE = "vision-prod-self-healing-role"
POD_ROLE = "fraud-dev-self-healing-role"
ASSOCIATION = "fraud-dev-self-healing-identity"


def _outcome(rule_id: str, data: dict[str, Any], **settings: Any) -> Outcome:
    return run_rule(RULES_BY_ID[rule_id](**settings), parse_state(json.dumps(data), Path("case.json")))


def _resource(data: dict[str, Any], name: str) -> dict[str, Any]:
    urn = resource_urn(data, name)
    return next(r for r in data["deployment"]["resources"] if r["urn"] == urn)


def _retype(data: dict[str, Any], name: str, type_: str, props: dict[str, Any]) -> str:
    """Turn the named resource into another type with ``props`` (inputs and outputs); its new URN."""
    target = _resource(data, name)
    old = target["urn"]
    target["type"] = type_
    target["urn"] = old.rsplit("$", 1)[0] + f"${type_}::{name}"
    target["inputs"], target["outputs"] = props, copy.deepcopy(props)
    for other in data["deployment"]["resources"]:
        other["dependencies"] = [target["urn"] if d == old else d for d in other.get("dependencies", [])]
        for key, urns in other.get("propertyDependencies", {}).items():
            other["propertyDependencies"][key] = [target["urn"] if d == old else d for d in urns]
    return str(target["urn"])


def _as_service(data: dict[str, Any], **changes: Any) -> str:
    """The runner's job as a Cloud Run service: the same task template, one level up, plus ``changes``."""
    job = _resource(data, JOB)["inputs"]
    props = {k: v for k, v in job.items() if k != "template"}
    props["template"] = copy.deepcopy(job["template"]["template"])
    props["ingress"] = "INGRESS_TRAFFIC_INTERNAL_ONLY"
    props.update(changes)
    return _retype(data, JOB, "gcp:cloudrunv2/service:Service", props)


CLOUD_RUN_RULES = ("MLK_ENC_009", "MLK_NET_011", "MLK_IAM_009")


@pytest.mark.parametrize("rule_id", CLOUD_RUN_RULES)
def test_cloud_run_service_is_read_at_its_own_template_path(rule_id: str) -> None:
    data = base_state("gcp_good.json")
    _as_service(data)
    assert _outcome(rule_id, data).violations == []


@pytest.mark.parametrize("rule_id", CLOUD_RUN_RULES)
def test_cloud_run_service_with_settings_nested_like_a_job_fails(rule_id: str) -> None:
    """A service's key, network and identity under ``template.template`` are ignored by Cloud Run."""
    data = base_state("gcp_good.json")
    job = _resource(data, JOB)["inputs"]
    urn = _as_service(data, template={"template": copy.deepcopy(job["template"]["template"])})
    assert {u for u, _ in _outcome(rule_id, data).violations} == {urn}


def test_cloud_run_service_open_to_the_internet_fails_on_ingress_only() -> None:
    data = base_state("gcp_good.json")
    urn = _as_service(data, ingress="INGRESS_TRAFFIC_ALL")
    violations = _outcome("MLK_NET_011", data).violations
    assert len(violations) == 1 and violations[0][0] == urn and "ingress" in violations[0][1], violations


def test_cloud_run_worker_pool_is_judged_like_a_service_without_ingress() -> None:
    data = base_state("gcp_good.json")
    job = _resource(data, JOB)["inputs"]
    template = copy.deepcopy(job["template"]["template"])
    del template["encryptionKey"]
    urn = _retype(data, JOB, "gcp:cloudrunv2/workerPool:WorkerPool", {"name": "pool", "template": template})
    assert _outcome("MLK_NET_011", data).violations == []
    assert {u for u, _ in _outcome("MLK_ENC_009", data).violations} == {urn}


def test_cloud_run_egress_through_a_serverless_vpc_connector_passes() -> None:
    data = base_state("gcp_good.json")
    for props in (_resource(data, JOB)["inputs"], _resource(data, JOB)["outputs"]):
        props["template"]["template"]["vpcAccess"] = {
            "egress": "ALL_TRAFFIC",
            "connector": "projects/vision-prod-1234/locations/europe-west4/connectors/vision-prod",
        }
    assert _outcome("MLK_NET_011", data).violations == []


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        (
            "gcp:cloudrunv2/jobIamBinding:JobIamBinding",
            {"name": "vision-prod-self-healing", "role": "roles/run.invoker", "members": ["allUsers"]},
        ),
        (
            "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy",
            {
                "name": "vision-prod-scorer",
                "policyData": json.dumps(
                    {"bindings": [{"role": "roles/run.invoker", "members": ["allAuthenticatedUsers"]}]}
                ),
            },
        ),
        (
            "gcp:bigquery/datasetIamMember:DatasetIamMember",
            {"datasetId": "features", "role": "roles/bigquery.dataViewer", "member": "allUsers"},
        ),
    ],
    ids=["job-binding", "service-policy", "dataset-member"],
)
def test_public_grants_fail_whatever_the_type_spells_iam_as(type_: str, props: dict[str, Any]) -> None:
    data = base_state("gcp_good.json")
    urn = _retype(data, INVOKER, type_, props)
    assert {u for u, _ in _outcome("MLK_PUB_004", data).violations} == {urn}


def test_iam_policy_naming_only_real_principals_passes() -> None:
    data = base_state("gcp_good.json")
    member = "serviceAccount:a@p.iam.gserviceaccount.com"
    policy = {"bindings": [{"role": "roles/run.invoker", "members": [member]}]}
    _retype(data, INVOKER, "gcp:cloudrunv2/jobIamPolicy:JobIamPolicy", {"policyData": json.dumps(policy)})
    assert _outcome("MLK_PUB_004", data).violations == []


def _target(data: dict[str, Any], **target: Any) -> None:
    for props in (_resource(data, SCHEDULE)["inputs"], _resource(data, SCHEDULE)["outputs"]):
        props["httpTarget"] = {"httpMethod": "POST", **target}


def test_scheduler_calls_other_hosts_with_an_oidc_token() -> None:
    data = base_state("gcp_good.json")
    _target(
        data,
        uri="https://scorer-abc123-ez.a.run.app/retrain",
        oidcToken={"serviceAccountEmail": "invoker@vision-prod-1234.iam.gserviceaccount.com"},
    )
    assert _outcome("MLK_IAM_010", data).violations == []


def test_scheduler_sends_no_oidc_token_to_a_google_api() -> None:
    data = base_state("gcp_good.json")
    _target(
        data,
        uri="https://run.googleapis.com/v2/projects/p/locations/l/jobs/j:run",
        oidcToken={"serviceAccountEmail": "invoker@vision-prod-1234.iam.gserviceaccount.com"},
    )
    messages = [m for _, m in _outcome("MLK_IAM_010", data).violations]
    assert len(messages) == 2 and "oauthToken" in messages[0] and "oidcToken" in messages[1], messages


def test_scheduler_jobs_without_an_http_target_are_not_judged() -> None:
    data = base_state("gcp_good.json")
    for props in (_resource(data, SCHEDULE)["inputs"], _resource(data, SCHEDULE)["outputs"]):
        del props["httpTarget"]
        props["pubsubTarget"] = {"topicName": "projects/vision-prod-1234/topics/retrain", "data": "e30="}
    assert _outcome("MLK_IAM_010", data).violations == []


def test_organisation_custom_roles_are_judged_too() -> None:
    data = base_state("gcp_good.json")
    urn = _retype(
        data,
        CUSTOM_ROLE,
        "gcp:organizations/iAMCustomRole:IAMCustomRole",
        {"orgId": "123", "roleId": "r", "title": "r", "permissions": ["iam.serviceAccounts.signBlob"]},
    )
    assert {u for u, _ in _outcome("MLK_IAM_011", data).violations} == {urn}


def test_custom_role_denied_permissions_are_a_setting() -> None:
    data = base_state("gcp_good.json")
    rule = GcpIamCustomRoleNoEscalation(deniedPermissions=["bigquery.jobs.*"])
    outcome = run_rule(rule, parse_state(json.dumps(data), Path("case.json")))
    assert [m for _, m in outcome.violations] == [
        "IAMCustomRole permissions must not include privilege-escalation permissions "
        "(found bigquery.jobs.create)."
    ]


def test_pod_identity_role_found_by_arn_alone_is_still_judged() -> None:
    data = base_state("aws_good.json")
    association = _resource(data, ASSOCIATION)
    association["propertyDependencies"] = {}
    role = _resource(data, POD_ROLE)
    for props in (role["inputs"], role["outputs"]):
        props["assumeRolePolicy"] = json.dumps(
            {
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:*"}
                ]
            }
        )
    outcome = _outcome("MLK_IAM_012", data)
    assert {u for u, _ in outcome.violations} == {role["urn"]} and len(outcome.violations) == 2, outcome


def test_pod_identity_role_outside_the_stack_could_not_be_checked() -> None:
    data = base_state("aws_good.json")
    association = _resource(data, ASSOCIATION)
    association["propertyDependencies"] = {}
    for props in (association["inputs"], association["outputs"]):
        props["roleArn"] = "arn:aws:iam::123456789012:role/made-elsewhere"
    outcome = _outcome("MLK_IAM_012", data)
    assert outcome.violations == [] and outcome.unchecked, outcome
    assert "made-elsewhere" in outcome.unchecked[0][1]

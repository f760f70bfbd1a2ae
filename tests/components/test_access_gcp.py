"""GcpAccess: persona and workload service accounts with predefined least-privilege roles, impersonation
for people, Workload Identity for workloads, no keys (issue 3)."""

from __future__ import annotations

import pytest

from components.access.gcp import PERSONA_ROLES, is_admin_role
from stacks.engine import PlanResult

from .gcp_plans import PLANS, full, of_type


@pytest.fixture(scope="module", params=sorted(PLANS))
def plan(request: pytest.FixtureRequest) -> PlanResult:
    return PLANS[request.param]()


def test_access_gcp_no_project_role_is_basic_or_admin(plan: PlanResult) -> None:
    for member in of_type(plan, "gcp:projects/iAMMember:IAMMember"):
        role = member["inputs"]["role"]
        assert not is_admin_role(role), f"{member['urn']} grants {role}"
        assert member["inputs"]["member"].startswith("serviceAccount:"), (
            "people get roles only through personas"
        )
    assert not plan.by_type("gcp:serviceaccount/key:Key")
    assert not plan.by_type("gcp:projects/iAMBinding:IAMBinding")


def test_access_gcp_people_may_only_impersonate_their_persona() -> None:
    plan = full()
    people = [
        m
        for m in of_type(plan, "gcp:serviceaccount/iAMMember:IAMMember")
        if not m["inputs"]["member"].startswith("serviceAccount:")
    ]
    assert {m["inputs"]["member"] for m in people} == {
        "group:fraud-ds@example.com",
        "group:fraud-mle@example.com",
        "group:platform@example.com",
        "user:auditor@example.com",
    }
    assert {m["inputs"]["role"] for m in people} == {"roles/iam.serviceAccountTokenCreator"}


def test_access_gcp_persona_accounts_hold_their_predefined_roles() -> None:
    plan = full()
    emails = plan.outputs["platform"]["access"]["personaServiceAccounts"]
    for persona, email in emails.items():
        roles = {
            m["inputs"]["role"]
            for m in of_type(plan, "gcp:projects/iAMMember:IAMMember")
            if m["inputs"]["member"] == f"serviceAccount:{email}"
        }
        assert roles == set(PERSONA_ROLES[persona]), persona
    bucket_roles = {
        m["inputs"]["member"].split(":", 1)[1]: m["inputs"]["role"]
        for m in of_type(plan, "gcp:storage/bucketIAMMember:BucketIAMMember")
    }
    assert bucket_roles[emails["ml-engineer"]] == "roles/storage.objectUser"
    assert bucket_roles[emails["auditor"]] == "roles/storage.objectViewer"


def test_access_gcp_workloads_are_bound_with_workload_identity() -> None:
    plan = full()
    bindings = {
        m["inputs"]["member"]
        for m in of_type(plan, "gcp:serviceaccount/iAMMember:IAMMember")
        if m["inputs"]["role"] == "roles/iam.workloadIdentityUser"
    }
    assert bindings == {
        "serviceAccount:fraud-ml-prod.svc.id.goog[mlkeel-training/trainer]",
        "serviceAccount:fraud-ml-prod.svc.id.goog[mlkeel-serving/predictor]",
    }
    cluster = of_type(plan, "gcp:container/cluster:Cluster")[0]["urn"]
    for binding in of_type(plan, "gcp:serviceaccount/iAMMember:IAMMember"):
        if binding["inputs"]["role"] == "roles/iam.workloadIdentityUser":
            assert cluster in binding["dependencies"], "the pool exists only once the cluster does"


def test_access_gcp_admin_role_detection() -> None:
    assert (
        is_admin_role("roles/owner")
        and is_admin_role("roles/editor")
        and is_admin_role("roles/aiplatform.admin")
    )
    assert is_admin_role("roles/storage.objectAdmin") and not is_admin_role("roles/storage.objectUser")

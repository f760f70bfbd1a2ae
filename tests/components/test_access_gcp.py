"""GcpAccess: persona and workload service accounts with predefined least-privilege roles, impersonation
for people, Workload Identity for workloads, no keys (issue 3)."""

from __future__ import annotations

from typing import Any

import pytest

from components.access.gcp import PERSONA_KUBERNETES, PERSONA_ROLES, is_admin_role
from stacks.engine import PlanResult, plan_config

from .gcp_plans import PLANS, full, full_config, of_type, one


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


def persona_roles(plan: PlanResult) -> dict[str, set[str]]:
    """Persona -> the project roles its service account holds."""
    emails = plan.outputs["platform"]["access"]["personaServiceAccounts"]
    members = of_type(plan, "gcp:projects/iAMMember:IAMMember")
    return {
        persona: {m["inputs"]["role"] for m in members if m["inputs"]["member"] == f"serviceAccount:{email}"}
        for persona, email in emails.items()
    }


def test_access_gcp_no_identity_holds_container_developer_only_cluster_users_view_the_cluster(
    plan: PlanResult,
) -> None:
    """``roles/container.developer`` reads every Secret of every cluster in the project: nobody holds it.
    Only the personas with RBAC in the cluster may fetch its credentials (``container.clusterViewer``)."""
    for member in of_type(plan, "gcp:projects/iAMMember:IAMMember"):
        assert member["inputs"]["role"] != "roles/container.developer", member["urn"]
    roles = persona_roles(plan)
    viewers = {p for p, held in roles.items() if "roles/container.clusterViewer" in held}
    assert viewers == {"ml-engineer", "platform-admin"} & set(roles)
    assert not any(
        r.startswith("roles/container.") and r != "roles/container.clusterViewer"
        for r in set().union(*roles.values())
    )
    assert {p for p in PERSONA_ROLES if "roles/container.clusterViewer" in PERSONA_ROLES[p]} == set(
        PERSONA_KUBERNETES
    ), "clusterViewer goes exactly to the personas that have Kubernetes RBAC"


def test_access_gcp_rbac_ml_engineer_edits_training_namespace_platform_admin_administers_no_one_else(
    plan: PlanResult,
) -> None:
    emails = plan.outputs["platform"]["access"]["personaServiceAccounts"]
    provider = one(plan, "pulumi:providers:kubernetes")["urn"]
    access = one(plan, "mlkeel:index:GcpAccess")["urn"]
    role_bindings = of_type(plan, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
    cluster_bindings = of_type(plan, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
    for binding in role_bindings + cluster_bindings:
        assert binding["provider"].startswith(provider + "::"), "RBAC goes into the training cluster"
        assert binding["parent"] == access
        for subject in binding["inputs"]["subjects"]:
            assert subject["kind"] == "User" and subject["apiGroup"] == "rbac.authorization.k8s.io"

    def grants(bindings: list[dict[str, Any]]) -> set[tuple[str, str | None, str]]:
        return {
            (s["name"], b["inputs"]["metadata"].get("namespace"), b["inputs"]["roleRef"]["name"])
            for b in bindings
            for s in b["inputs"]["subjects"]
        }

    assert {b["inputs"]["roleRef"]["kind"] for b in role_bindings + cluster_bindings} <= {"ClusterRole"}
    # Only the personas the stack declares get an account, hence a binding (the template declares none).
    assert grants(role_bindings) == {
        (emails[p], "mlkeel-training", "edit") for p in ("ml-engineer",) if p in emails
    }
    assert grants(cluster_bindings) == {
        (emails[p], None, "cluster-admin") for p in ("platform-admin",) if p in emails
    }
    namespace = one(plan, "kubernetes:core/v1:Namespace")["urn"]
    assert all(namespace in b["dependencies"] for b in role_bindings), "bound once the namespace exists"


def test_access_gcp_rbac_binds_only_ml_engineer_and_platform_admin_in_the_full_stack() -> None:
    plan = full()
    emails = plan.outputs["platform"]["access"]["personaServiceAccounts"]
    subjects = {
        s["name"]: b["inputs"]["roleRef"]["name"]
        for token in ("RoleBinding", "ClusterRoleBinding")
        for b in of_type(plan, f"kubernetes:rbac.authorization.k8s.io/v1:{token}")
        for s in b["inputs"]["subjects"]
    }
    assert subjects == {emails["ml-engineer"]: "edit", emails["platform-admin"]: "cluster-admin"}
    assert emails["data-scientist"] not in subjects and emails["auditor"] not in subjects


def test_access_gcp_without_a_cluster_no_kubernetes_access_is_declared() -> None:
    config = full_config()
    config["mlkeel:training"] = {**config["mlkeel:training"], "enabled": False}
    plan = plan_config(config, stack="no-cluster")
    assert not [r for r in plan.resources if r["type"].startswith(("kubernetes:", "pulumi:providers:kub"))]
    roles = persona_roles(plan)
    assert "roles/container.developer" not in set().union(*roles.values())


def test_access_gcp_each_persona_holds_exactly_its_vertex_and_cluster_roles(plan: PlanResult) -> None:
    """Vertex AI does not recognize IAM Conditions resource attributes, so no ``resource.name`` condition
    can narrow ``roles/aiplatform.user`` (docs/security.md): it stays unconditioned, on the personas that
    run Vertex work only. Cluster access is credentials only (``clusterViewer``) for the RBAC personas."""
    expected = {
        "data-scientist": {"roles/aiplatform.user"},
        "ml-engineer": {"roles/aiplatform.user", "roles/container.clusterViewer"},
        "platform-admin": {"roles/aiplatform.viewer", "roles/container.clusterViewer"},
        "auditor": {"roles/aiplatform.viewer"},
    }
    for persona, held in persona_roles(plan).items():
        scoped = {r for r in held if r.startswith(("roles/aiplatform.", "roles/container."))}
        assert scoped == expected[persona], persona

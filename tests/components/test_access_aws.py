"""Access: least-privilege IAM everywhere, a permissions boundary, personas scoped to this stack."""

from __future__ import annotations

import json

import pytest

from components.access.aws import MANAGED_POLICY_LIMIT, policy_size
from components.aws._iam import wildcard_problems

from .aws_plans import PLANS, full, name_of, one, policy_documents

STACK_PATH = "/mlkeel/payments/prod/"


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_access_aws_no_policy_has_wildcard_grants(plan: str) -> None:
    """Grants name their actions. VPC endpoint policies are ceilings, not grants: a service-wide ceiling
    limited to this account's principals is tested in test_security_aws (interface endpoints)."""
    result = PLANS[plan]()
    endpoints = {f"{name_of(e)}.policy" for e in result.by_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    documents = [(where, doc) for where, doc in policy_documents(result) if where not in endpoints]
    assert len(documents) >= 8
    for where, doc in documents:
        assert wildcard_problems(doc) == [], where
        for stmt in doc["Statement"]:
            if stmt["Effect"] == "Allow" and stmt.get("Resource") == "*":
                assert all("*" not in a for a in stmt["Action"]), (
                    f"{where}: {stmt['Sid']} widens actions on '*'"
                )


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_access_aws_no_full_access_or_admin_policies_attached(plan: str) -> None:
    result = PLANS[plan]()
    for attachment in result.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        arn = attachment["inputs"]["policyArn"]
        assert "FullAccess" not in arn and not arn.endswith("/AdministratorAccess"), arn
    for role in result.by_type("aws:iam/role:Role"):
        assert not role["inputs"].get("managedPolicyArns"), name_of(role)


def test_access_aws_pass_role_only_to_sagemaker_on_the_execution_roles() -> None:
    for where, doc in policy_documents(full()):
        for stmt in doc["Statement"]:
            if (
                "iam:PassRole" in stmt["Action"]
                and stmt["Effect"] == "Allow"
                and "Ceiling" not in stmt["Sid"]
            ):
                assert stmt["Resource"] != "*" and "*" not in json.dumps(stmt["Resource"]), where
                assert stmt["Condition"] == {
                    "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
                }
                assert sorted(r.rsplit("/", 1)[-1] for r in stmt["Resource"]) == [
                    "payments-prod-sagemaker-execution",
                    "payments-prod-training-jobs",
                ]


def test_access_aws_persona_and_execution_roles_carry_the_boundary() -> None:
    plan = full()
    boundary = one(plan, "aws:iam/policy:Policy", "-access-boundary")
    roles = {r["inputs"]["name"]: r["inputs"] for r in plan.by_type("aws:iam/role:Role")}
    expected = {
        f"payments-prod-{n}"
        for n in (
            "data-scientist",
            "ml-engineer",
            "platform-admin",
            "auditor",
            "sagemaker-execution",
            "training-jobs",
        )
    }
    assert expected <= set(roles)
    for name in expected:
        assert roles[name]["permissionsBoundary"] == boundary["outputs"]["arn"], name
        assert roles[name]["path"] == STACK_PATH
        assert roles[name]["maxSessionDuration"] == 3600
    trust = json.loads(roles["payments-prod-auditor"]["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::123456789012:role/security-auditors"]}
    service = json.loads(roles["payments-prod-sagemaker-execution"]["assumeRolePolicy"])["Statement"][0]
    assert service["Principal"] == {"Service": ["sagemaker.amazonaws.com"]}
    assert service["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_access_aws_boundary_is_the_ceiling_of_every_role_and_protects_the_stack() -> None:
    plan = full()
    boundary = one(plan, "aws:iam/policy:Policy", "-access-boundary")["inputs"]["policy"]
    assert policy_size(boundary) <= MANAGED_POLICY_LIMIT
    doc = json.loads(boundary)
    allowed = {a for s in doc["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    for policy in plan.by_type("aws:iam/rolePolicy:RolePolicy"):
        role = policy["inputs"]["role"]
        if not role.startswith("payments-prod-") or role.endswith(
            ("feature-store", "vpc-flow-logs", "eks-cluster")
        ):
            continue
        granted = {a for s in json.loads(policy["inputs"]["policy"])["Statement"] for a in s["Action"]}
        assert granted <= allowed, f"{role}: {sorted(granted - allowed)} outside the boundary"
    denies = {s["Sid"] for s in doc["Statement"] if s["Effect"] == "Deny"}
    assert denies == {
        "DenyBoundaryChanges",
        "DenyBoundaryRemoval",
        "DenyKeyDestruction",
        "DenyBucketExposure",
        "DenyAuditTampering",
    }


def test_access_aws_persona_grants_are_scoped_to_stack_resources() -> None:
    plan = full()
    policies = {
        p["inputs"]["role"]: json.loads(p["inputs"]["policy"])
        for p in plan.by_type("aws:iam/rolePolicy:RolePolicy")
    }
    scientist = {s["Sid"]: s for s in policies["payments-prod-data-scientist"]["Statement"]}
    assert scientist["InvokeStackEndpoints"]["Resource"] == [
        "arn:aws:sagemaker:eu-west-1:123456789012:endpoint/payments-prod-*"
    ]
    assert "sagemaker:PutRecord" not in scientist["UseFeatureGroups"]["Action"]
    assert "PushImages" not in scientist
    engineer = {s["Sid"]: s for s in policies["payments-prod-ml-engineer"]["Statement"]}
    assert engineer["PushImages"]["Resource"] == [
        "arn:aws:ecr:eu-west-1:123456789012:repository/mlkeel/payments-prod/models"
    ]
    assert engineer["UseTrainingCluster"]["Resource"] == [
        "arn:aws:eks:eu-west-1:123456789012:cluster/payments-prod-training"
    ]
    auditor = {s["Sid"]: s for s in policies["payments-prod-auditor"]["Statement"]}
    assert auditor["ReadTrail"]["Resource"] == [
        "arn:aws:cloudtrail:eu-west-1:123456789012:trail/payments-prod-audit"
    ]
    assert not any(
        a.startswith(("s3:Put", "sagemaker:Create", "sagemaker:Update"))
        for s in auditor.values()
        for a in s["Action"]
    )


def test_access_aws_execution_role_reads_exactly_the_served_sources() -> None:
    plan = full()
    policy = next(
        json.loads(p["inputs"]["policy"])
        for p in plan.by_type("aws:iam/rolePolicy:RolePolicy")
        if p["inputs"]["role"] == "payments-prod-sagemaker-execution"
    )
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["ReadExternalModelArchives"]["Resource"] == [
        "arn:aws:s3:::payments-shared-models/fraud/challenger/model.tar.gz"
    ]
    assert sorted(statements["PullImages"]["Resource"]) == [
        "arn:aws:ecr:eu-west-1:123456789012:repository/mlkeel/payments-prod/models",
        "arn:aws:ecr:eu-west-1:123456789012:repository/payments/refunds",
        "arn:aws:ecr:eu-west-1:141502667606:repository/sagemaker-xgboost",
    ]
    assert (
        "arn:aws:sagemaker:eu-west-1:123456789012:model-package/payments-prod-models/7"
        in statements["ReadModelPackages"]["Resource"]
    )
    assert statements["PublishMetrics"]["Condition"]["StringEquals"]["cloudwatch:namespace"]

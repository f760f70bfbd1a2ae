"""Issue 13: what third-party scanners (Checkov, parliament) expect of every AWS stack, resource by resource.

Each test walks every AWS stack the component tests plan (full, example, bare, both templates), so a
capability that stops doing it in any shape of stack fails here.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

from stacks.engine import PlanResult

from .aws_plans import key_arn, name_of, one, policy_documents


def _by_id(plan: PlanResult, token: str) -> dict[str, dict[str, Any]]:
    return {str(r["outputs"]["id"]): r for r in plan.by_type(token)}


def test_security_aws_every_vpc_owns_its_default_security_group_with_no_rules(aws_plan: PlanResult) -> None:
    vpcs = aws_plan.by_type("aws:ec2/vpc:Vpc")
    defaults = {
        r["inputs"]["vpcId"]: r["inputs"]
        for r in aws_plan.by_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    }
    for vpc in vpcs:
        group = defaults.get(vpc["outputs"]["id"])
        assert group is not None, f"{name_of(vpc)}: its default security group is not managed"
        assert group.get("ingress") in (None, []) and group.get("egress") in (None, []), name_of(vpc)
        assert "ingress" in group and "egress" in group, (
            "an absent list keeps AWS's rules; an empty one removes them"
        )


def test_security_aws_node_groups_launch_encrypted_roots_with_imdsv2_one_hop(aws_plan: PlanResult) -> None:
    templates = _by_id(aws_plan, "aws:ec2/launchTemplate:LaunchTemplate")
    key = key_arn(aws_plan) if aws_plan.by_type("aws:eks/nodeGroup:NodeGroup") else None
    for group in aws_plan.by_type("aws:eks/nodeGroup:NodeGroup"):
        inputs = group["inputs"]
        assert "diskSize" not in inputs, f"{name_of(group)}: diskSize would bypass the template's volume"
        ref = inputs.get("launchTemplate")
        assert ref and ref.get("id") in templates and ref.get("version"), name_of(group)
        template = templates[ref["id"]]["inputs"]
        roots = [m for m in template["blockDeviceMappings"] if m["deviceName"] == "/dev/xvda"]
        assert len(roots) == 1, name_of(group)
        ebs = roots[0]["ebs"]
        assert ebs["encrypted"] == "true" and ebs["kmsKeyId"] == key, name_of(group)
        meta = template["metadataOptions"]
        assert meta["httpTokens"] == "required" and meta["httpPutResponseHopLimit"] == 1, name_of(group)


def test_security_aws_key_lets_autoscaling_encrypt_node_volumes_only_with_training(
    aws_plan: PlanResult,
) -> None:
    policy = json.loads(aws_plan.by_type("aws:kms/key:Key")[0]["inputs"]["policy"])
    sids = {s["Sid"] for s in policy["Statement"]}
    has_nodes = bool(aws_plan.by_type("aws:eks/nodeGroup:NodeGroup"))
    assert ({"NodeVolumesByAutoScaling", "NodeVolumeGrantsByAutoScaling"} <= sids) is has_nodes
    assert bool(sids & {"NodeVolumesByAutoScaling", "NodeVolumeGrantsByAutoScaling"}) is has_nodes


def _prefix(plan: PlanResult) -> str:
    return str(one(plan, "aws:iam/policy:Policy", "-access-boundary")["inputs"]["name"]).removesuffix(
        "-boundary"
    )


def test_security_aws_no_cluster_creator_admin_and_admin_comes_from_personas(aws_plan: PlanResult) -> None:
    prefix = _prefix(aws_plan)
    personas = {
        r["outputs"]["arn"]: str(r["inputs"]["name"]).removeprefix(f"{prefix}-")
        for r in aws_plan.by_type("aws:iam/role:Role")
    }
    entries = {e["inputs"]["principalArn"] for e in aws_plan.by_type("aws:eks/accessEntry:AccessEntry")}
    clusters = aws_plan.by_type("aws:eks/cluster:Cluster")
    for cluster in clusters:
        assert cluster["inputs"]["accessConfig"]["bootstrapClusterCreatorAdminPermissions"] is False, name_of(
            cluster
        )
    granted = {}
    for assoc in aws_plan.by_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation"):
        inputs = assoc["inputs"]
        assert inputs["principalArn"] in entries, "a policy association needs the principal's access entry"
        granted[personas[inputs["principalArn"]]] = inputs
    assert set(granted) <= {"platform-admin", "ml-engineer"}, (
        f"only these personas reach the cluster: {set(granted)}"
    )
    if "platform-admin" in granted:
        assert granted["platform-admin"]["policyArn"].endswith("/AmazonEKSClusterAdminPolicy")
        assert granted["platform-admin"]["accessScope"]["type"] == "cluster"
    if "ml-engineer" in granted:
        assert granted["ml-engineer"]["policyArn"].endswith("/AmazonEKSEditPolicy")
        assert granted["ml-engineer"]["accessScope"] == {
            "type": "namespace",
            "namespaces": ["mlkeel-training"],
        }
    if clusters:
        mapped = set(personas.values()) & {"platform-admin", "ml-engineer"}
        assert set(granted) == mapped, "every mapped operating persona gets its access entry"


def test_security_aws_every_endpoint_log_group_is_declared_encrypted_and_expiring(
    aws_plan: PlanResult,
) -> None:
    groups = {g["inputs"]["name"]: g for g in aws_plan.by_type("aws:cloudwatch/logGroup:LogGroup")}
    key = key_arn(aws_plan)
    for endpoint in aws_plan.by_type("aws:sagemaker/endpoint:Endpoint"):
        name = f"/aws/sagemaker/Endpoints/{endpoint['inputs']['name']}"
        assert name in groups, f"{name_of(endpoint)}: SageMaker would create {name} unencrypted, kept forever"
        group = groups[name]
        assert group["inputs"]["kmsKeyId"] == key and group["inputs"]["retentionInDays"] > 0
        assert group["urn"] in endpoint.get("dependencies", []), (
            "the group must exist before SageMaker writes"
        )


def test_security_aws_trail_records_reads_of_its_own_log_bucket_but_not_its_deliveries(
    aws_plan: PlanResult,
) -> None:
    for trail in aws_plan.by_type("aws:cloudtrail/trail:Trail"):
        bucket = next(
            b
            for b in aws_plan.by_type("aws:s3/bucket:Bucket")
            if b["outputs"]["bucket"] == trail["inputs"]["s3BucketName"]
        )
        own = f"{bucket['outputs']['arn']}/"
        covering = []
        for selector in trail["inputs"]["advancedEventSelectors"]:
            fields = {f["field"]: f for f in selector["fieldSelectors"]}
            if own in (fields.get("resources.ARN", {}).get("startsWiths") or []):
                covering.append(fields)
        assert len(covering) == 1, f"{name_of(trail)}: reads of {own} are recorded nowhere"
        assert covering[0]["eventCategory"]["equals"] == ["Data"]
        assert covering[0]["readOnly"]["equals"] == ["true"], "write events on its own bucket would loop"


def test_security_aws_s3_gateway_admits_only_this_accounts_principals_on_stack_buckets(
    aws_plan: PlanResult,
) -> None:
    account = aws_plan.outputs["platform"]["accountId"]
    stack_buckets = {b["outputs"]["arn"] for b in aws_plan.by_type("aws:s3/bucket:Bucket")}
    for endpoint in aws_plan.by_type("aws:ec2/vpcEndpoint:VpcEndpoint"):
        if endpoint["inputs"]["vpcEndpointType"] != "Gateway":
            continue
        policy = json.loads(endpoint["inputs"]["policy"])
        for stmt in policy["Statement"]:
            assert stmt["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}, stmt["Sid"]
            if stmt["Effect"] != "Allow":
                continue
            for resource in stmt["Resource"]:
                bucket = resource.split("/", 1)[0]
                assert bucket in stack_buckets or (
                    stmt["Sid"] == "EcrImageLayers" and bucket.endswith("-starport-layer-bucket")
                ), f"{name_of(endpoint)}: {resource} is not a bucket of this stack"
            assert all(a.startswith("s3:") and "*" not in a for a in stmt["Action"]), stmt["Sid"]


def test_security_aws_alarm_reads_name_the_stack_alarms_not_everything(aws_plan: PlanResult) -> None:
    prefix = _prefix(aws_plan)
    for where, doc in policy_documents(aws_plan):
        for stmt in doc["Statement"]:
            if stmt["Effect"] == "Allow" and "cloudwatch:DescribeAlarms" in stmt["Action"]:
                assert stmt["Resource"] != "*", where
                resources = stmt["Resource"] if isinstance(stmt["Resource"], list) else [stmt["Resource"]]
                assert any(r.endswith(f":alarm:{prefix}-*") for r in resources), where


def test_security_aws_interface_endpoints_admit_only_this_accounts_principals(aws_plan: PlanResult) -> None:
    """Every interface endpoint has a policy (not AWS's allow-all default). Each Allow is limited to this
    account's principals by Principal and ``aws:PrincipalAccount``, except STS's web-identity exchange
    (unauthenticated by nature), which may only reach this account's roles."""
    account = aws_plan.outputs["platform"]["accountId"]
    root = {"AWS": f"arn:aws:iam::{account}:root"}
    interfaces = [
        e
        for e in aws_plan.by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
        if e["inputs"]["vpcEndpointType"] == "Interface"
    ]
    assert interfaces, "every AWS plan here has a network"
    for endpoint in interfaces:
        policy = json.loads(endpoint["inputs"].get("policy") or "null")
        assert policy, f"{name_of(endpoint)}: no policy, AWS's default admits anyone's credentials"
        for stmt in policy["Statement"]:
            where = f"{name_of(endpoint)}:{stmt['Sid']}"
            if stmt["Effect"] != "Allow":
                continue
            if stmt["Action"] == ["sts:AssumeRoleWithWebIdentity"]:
                assert endpoint["inputs"]["serviceName"].endswith(".sts"), where
                assert all(r.startswith(f"arn:aws:iam::{account}:role/") for r in stmt["Resource"]), where
                continue
            assert stmt["Principal"] == root, where
            assert stmt["Condition"] == {"StringEquals": {"aws:PrincipalAccount": account}}, where
            assert "*" not in stmt["Action"], where


def test_security_aws_runtime_endpoint_invokes_only_the_stack_endpoints(aws_plan: PlanResult) -> None:
    """``sagemaker.runtime`` carries only invokes, and only of this stack's endpoints: every planned
    endpoint matches its resource pattern, an endpoint of another stack in the account does not."""
    account = aws_plan.outputs["platform"]["accountId"]
    runtime = [
        e
        for e in aws_plan.by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
        if e["inputs"]["serviceName"].endswith(".sagemaker.runtime")
    ]
    assert len(runtime) == 1
    (stmt,) = json.loads(runtime[0]["inputs"]["policy"])["Statement"]
    assert all(a.startswith("sagemaker:InvokeEndpoint") for a in stmt["Action"]), stmt["Action"]
    (pattern,) = stmt["Resource"]
    region = runtime[0]["inputs"]["serviceName"].split(".")[2]
    prefix = runtime[0]["inputs"]["tags"]["Name"].removesuffix("-sagemaker.runtime")
    assert pattern == f"arn:aws:sagemaker:{region}:{account}:endpoint/{prefix}-*"
    for endpoint in aws_plan.by_type("aws:sagemaker/endpoint:Endpoint"):
        arn = f"arn:aws:sagemaker:{region}:{account}:endpoint/{endpoint['inputs']['name']}"
        assert fnmatch.fnmatchcase(arn.lower(), pattern.lower()), f"{name_of(endpoint)} could not be invoked"
    assert not fnmatch.fnmatchcase(
        f"arn:aws:sagemaker:{region}:{account}:endpoint/other-team-prod-x", pattern
    )


# ------------------------------------------------------------------ EKS service boundary (issue 13)
MANAGED_POLICIES = Path(__file__).resolve().parent / "fixtures" / "eks-managed-policies.json"
#: What would let a compromised control plane or node outgrow its boundary, and the resource each names.
ESCALATIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreatePolicyVersion",
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PassRole",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "organizations:LeaveOrganization",
    "kms:DisableKey",
    "kms:ScheduleKeyDeletion",
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
)


def _service_boundary(plan: PlanResult) -> dict[str, Any] | None:
    found = [p for p in plan.by_type("aws:iam/policy:Policy") if name_of(p).endswith("-service-boundary")]
    assert len(found) == len(plan.by_type("aws:eks/cluster:Cluster")), [name_of(p) for p in found]
    return found[0] if found else None


def _matches(patterns: Any, action: str) -> bool:
    items = patterns if isinstance(patterns, list) else [patterns]
    return any(fnmatch.fnmatchcase(action.lower(), str(p).lower()) for p in items)


def _managed_actions() -> dict[str, set[str]]:
    policies = json.loads(MANAGED_POLICIES.read_text(encoding="utf-8"))["policies"]
    return {name: set(p["actions"]) for name, p in policies.items()}


def test_security_aws_eks_cluster_and_node_roles_carry_the_service_boundary(aws_plan: PlanResult) -> None:
    boundary = _service_boundary(aws_plan)
    roles = {name_of(r): r["inputs"] for r in aws_plan.by_type("aws:iam/role:Role")}
    eks_roles = {
        n: r for n, r in roles.items() if n.endswith(("-training-cluster-role", "-training-node-role"))
    }
    if boundary is None:
        assert not eks_roles
        return
    assert len(eks_roles) == 2, sorted(eks_roles)
    stack_boundary = one(aws_plan, "aws:iam/policy:Policy", "-access-boundary")["outputs"]["arn"]
    for name, role in eks_roles.items():
        assert role["permissionsBoundary"] == boundary["outputs"]["arn"] != stack_boundary, name


def test_security_aws_service_boundary_denies_iam_changes_leaving_the_org_key_and_trail_tampering(
    aws_plan: PlanResult,
) -> None:
    boundary = _service_boundary(aws_plan)
    if boundary is None:
        return
    statements = json.loads(boundary["inputs"]["policy"])["Statement"]
    key = key_arn(aws_plan)
    for action in ESCALATIONS:
        denies = [s for s in statements if s["Effect"] == "Deny" and _matches(s["Action"], action)]
        target = key if action.startswith("kms:") else "*"
        assert any(s["Resource"] == "*" or target in s["Resource"] for s in denies), f"{action} not denied"
        assert not any(s["Effect"] == "Allow" and _matches(s["Action"], action) for s in statements), action


def test_security_aws_service_boundary_passes_every_action_the_managed_policies_grant(
    aws_plan: PlanResult,
) -> None:
    boundary = _service_boundary(aws_plan)
    if boundary is None:
        return
    managed = _managed_actions()
    attached = {
        a["inputs"]["policyArn"].rsplit("/", 1)[-1]
        for a in aws_plan.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if name_of(a).split("-training-", 1)[-1].startswith(("cluster-role", "node-role"))
    }
    assert attached == set(managed), "the data file must list exactly the policies the roles carry"
    statements = json.loads(boundary["inputs"]["policy"])["Statement"]
    allowed = {a for s in statements if s["Effect"] == "Allow" for a in s["Action"]}
    wanted = set().union(*managed.values())
    assert wanted - allowed == set(), "the boundary caps actions the managed policies grant"
    for action in wanted:
        denied = [s["Sid"] for s in statements if s["Effect"] == "Deny" and _matches(s["Action"], action)]
        assert not denied, f"{action} is denied by {denied}"
    # Nothing beyond them but the cluster's use of the stack key (its inline policy).
    assert allowed - wanted == {"kms:CreateGrant", "kms:Decrypt", "kms:Encrypt"}

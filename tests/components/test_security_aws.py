"""Issue 13: what third-party scanners (Checkov, parliament) expect of every AWS stack, resource by resource.

Each test walks every AWS stack the component tests plan (full, example, bare, both templates), so a
capability that stops doing it in any shape of stack fails here.
"""

from __future__ import annotations

import json
from typing import Any

from stacks.engine import PlanResult

from .aws_plans import key_arn, name_of, policy_documents


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
    return str(plan.by_type("aws:iam/policy:Policy")[0]["inputs"]["name"]).removesuffix("-boundary")


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

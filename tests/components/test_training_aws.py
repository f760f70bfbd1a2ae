"""Training pools: private EKS control plane, SPOT node groups over several types, spot job settings."""

from __future__ import annotations

import json

import pytest

from components.access.aws import MANAGED_POLICY_LIMIT, policy_size
from components.training.aws import ami_type

from .aws_plans import fraud, full, key_arn, name_of, one


def _groups(plan) -> dict[str, dict]:
    return {g["inputs"]["nodeGroupName"]: g for g in plan.by_type("aws:eks/nodeGroup:NodeGroup")}


def plan_template(plan, group: dict) -> dict:
    """The launch template a node group launches from (by id)."""
    wanted = group["inputs"]["launchTemplate"]["id"]
    return next(
        t["inputs"]
        for t in plan.by_type("aws:ec2/launchTemplate:LaunchTemplate")
        if t["outputs"]["id"] == wanted
    )


def test_training_aws_control_plane_is_private_or_cidr_restricted() -> None:
    cluster = full().by_type("aws:eks/cluster:Cluster")[0]["inputs"]
    vpc = cluster["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is True
    assert vpc["publicAccessCidrs"] == ["198.51.100.0/24", "203.0.113.16/28"]
    assert "0.0.0.0/0" not in vpc["publicAccessCidrs"]
    assert set(cluster["enabledClusterLogTypes"]) >= {"api", "audit", "authenticator"}
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    assert cluster["accessConfig"]["authenticationMode"] == "API"


def test_training_aws_control_plane_logs_go_to_the_encrypted_group_created_first() -> None:
    plan = full()
    cluster = plan.by_type("aws:eks/cluster:Cluster")[0]
    group = next(
        g
        for g in plan.by_type("aws:cloudwatch/logGroup:LogGroup")
        if g["inputs"]["name"].startswith("/aws/eks/")
    )
    assert group["inputs"]["name"] == f"/aws/eks/{cluster['inputs']['name']}/cluster"
    assert group["urn"] in cluster["dependencies"]


def test_training_aws_spot_pools_are_diversified_tainted_and_bounded() -> None:
    groups = _groups(full())
    assert set(groups) == {
        "payments-prod-cpu",
        "payments-prod-gpu",
        "payments-prod-big-gpu",
        "payments-prod-steady",
    }
    for name in ("payments-prod-cpu", "payments-prod-gpu", "payments-prod-big-gpu"):
        inputs = groups[name]["inputs"]
        assert inputs["capacityType"] == "SPOT", name
        assert len(inputs["instanceTypes"]) >= 2, name
        taints = {(t["key"], t["value"], t["effect"]) for t in inputs["taints"]}
        assert ("mlkeel.io/workload", "training", "NO_SCHEDULE") in taints
        assert inputs["labels"]["mlkeel.io/workload"] == "training"
        assert inputs["labels"]["team"] == "payments" and inputs["labels"]["component"] == "training"
    cpu = groups["payments-prod-cpu"]["inputs"]
    assert cpu["scalingConfig"] == {"minSize": 0, "maxSize": 8, "desiredSize": 0}
    assert cpu["amiType"] == "AL2023_x86_64_STANDARD"
    gpu = groups["payments-prod-gpu"]["inputs"]
    assert gpu["amiType"] == "AL2023_x86_64_NVIDIA"
    assert ("nvidia.com/gpu", "present", "NO_SCHEDULE") in {
        (t["key"], t["value"], t["effect"]) for t in gpu["taints"]
    }
    template = plan_template(full(), groups["payments-prod-gpu"])
    assert template["blockDeviceMappings"][0]["ebs"]["volumeSize"] == 300
    assert groups["payments-prod-steady"]["inputs"]["capacityType"] == "ON_DEMAND"


def test_training_aws_requirements_pool_resolved_by_the_scheduler_with_reason() -> None:
    plan = full()
    pools = plan.outputs["platform"]["training"]["pools"]
    chosen = pools["big-gpu"]
    assert len(chosen["instanceTypes"]) == 3
    assert chosen["gpu"] is True
    assert "spot" in chosen["reason"] and "eu-west-1" in chosen["reason"]
    assert _groups(plan)["payments-prod-big-gpu"]["inputs"]["instanceTypes"] == chosen["instanceTypes"]
    assert pools["cpu"]["reason"] == "named in the stack spec"


def test_training_aws_node_groups_belong_to_pool_components_and_the_cluster() -> None:
    plan = full()
    cluster = plan.by_type("aws:eks/cluster:Cluster")[0]
    for group in plan.by_type("aws:eks/nodeGroup:NodeGroup"):
        assert plan.by_urn(group["parent"])["type"] == "mlkeel:index:AwsTrainingPool"
        assert group["inputs"]["clusterName"] == cluster["inputs"]["name"]
        assert cluster["urn"] in group["propertyDependencies"]["clusterName"]


def test_training_aws_node_role_has_only_node_policies() -> None:
    plan = full()
    attached = sorted(
        a["inputs"]["policyArn"].rsplit("/", 1)[-1]
        for a in plan.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )
    assert attached == [
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEKSClusterPolicy",
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
    ]
    assert not any("FullAccess" in a for a in attached)


def test_training_aws_spot_job_settings_wait_at_least_the_runtime() -> None:
    jobs = full().outputs["platform"]["training"]["spotJobs"]
    assert jobs["enableManagedSpotTraining"] is True
    assert jobs["maxRuntimeInSeconds"] == 12 * 3600
    assert jobs["maxWaitTimeInSeconds"] == 30 * 3600 >= jobs["maxRuntimeInSeconds"]
    assert jobs["checkpointS3Uri"] == "s3://payments-prod-registry-123456789012/checkpoints/"
    assert jobs["roleArn"].endswith(":role/mlkeel/payments/prod/payments-prod-training-jobs")
    assert jobs["volumeKmsKeyId"].startswith("arn:aws:kms:eu-west-1:")


def test_training_aws_example_stack_pool_is_spot() -> None:
    """Every training pool is spot; the in-cluster layer's own platform pool (fraud-dev runs the layer) is not
    a training pool."""
    groups = {
        k: g for k, g in _groups(fraud()).items() if g["inputs"]["labels"]["mlkeel.io/workload"] == "training"
    }
    assert [g["inputs"]["capacityType"] for g in groups.values()] == ["SPOT"]
    assert all(len(g["inputs"]["instanceTypes"]) >= 2 for g in groups.values())
    assert [name_of(c) for c in fraud().by_type("aws:eks/cluster:Cluster")]


@pytest.mark.parametrize(
    ("types", "gpu", "expected"),
    [
        (["m5.large", "m6i.large"], False, "AL2023_x86_64_STANDARD"),
        (["g5.xlarge"], True, "AL2023_x86_64_NVIDIA"),
        (["m7g.large", "c7gn.large"], False, "AL2023_ARM_64_STANDARD"),
        (["g5g.xlarge"], True, "AL2023_ARM_64_NVIDIA"),
    ],
)
def test_training_aws_ami_type_follows_architecture_and_gpu(
    types: list[str], gpu: bool, expected: str
) -> None:
    assert ami_type(types, gpu) == expected


def test_training_aws_service_boundary_names_this_account_region_cluster_and_key() -> None:
    plan = full()
    boundary = one(plan, "aws:iam/policy:Policy", "-training-service-boundary")["inputs"]
    assert policy_size(boundary["policy"]) <= MANAGED_POLICY_LIMIT
    assert boundary["path"] == "/mlkeel/payments/prod/"
    key = key_arn(plan)
    cluster = plan.by_type("aws:eks/cluster:Cluster")[0]["inputs"]["name"]
    for stmt in json.loads(boundary["policy"])["Statement"]:
        if stmt["Effect"] != "Allow" or stmt["Resource"] == "*":
            continue
        for resource in stmt["Resource"]:
            assert (
                resource == key
                or resource == f"arn:aws:eks:eu-west-1:123456789012:cluster/{cluster}"
                or resource.startswith(("arn:aws:ec2:eu-west-1:123456789012:", "arn:aws:ecr:eu-west-1:"))
                or resource.startswith(("arn:aws:elasticloadbalancing:eu-west-1:123456789012:",))
                or resource.startswith("arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:")
                or resource.endswith(
                    ":role/aws-service-role/elasticloadbalancing.amazonaws.com/"
                    "AWSServiceRoleForElasticLoadBalancing"
                )
            ), f"{stmt['Sid']}: {resource} is outside this stack's account and region"
        if stmt["Sid"] == "CeilingLoadBalancerServiceLinkedRole":
            assert stmt["Condition"] == {
                "StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}
            }

"""Estimates from stack states: every priced type, ranges, spot, usage, not-priced and missing prices."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

from runtime.cost import (
    HOURS_PER_MONTH,
    CostEstimator,
    NotFittedError,
    StackState,
    estimate_cost,
    load_state,
    parse_state,
    parse_usage,
)
from runtime.pricing import load_catalog

FIXTURES = Path(__file__).parent / "fixtures" / "cost"
T = TypeVar("T")
H = HOURS_PER_MONTH


@pytest.fixture(scope="module")
def aws() -> StackState:
    return load_state(FIXTURES / "aws_fraud_dev.json")


@pytest.fixture(scope="module")
def gcp() -> StackState:
    return load_state(FIXTURES / "gcp_recs_prod.json")


def _by_name(resources: Sequence[T]) -> dict[str, T]:
    return {r.name: r for r in resources}  # type: ignore[attr-defined]


def _doc(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def test_estimate_eks_cluster_is_hourly_times_730(aws: StackState) -> None:
    r = _by_name(estimate_cost(aws).resources)["fraud-dev-training-cluster"]
    assert r.status == "priced" and r.monthly == pytest.approx(0.10 * H)


def test_estimate_spot_node_group_range_and_category(aws: StackState) -> None:
    cat = load_catalog()
    r = _by_name(estimate_cost(aws).resources)["fraud-dev-training-gpu-spot"]
    spot = [cat.instance_type("aws", "eu-west-1", n).spot_hourly for n in ("g5.xlarge", "g5.2xlarge")]  # type: ignore[union-attr]
    node = sum(spot) / 2  # type: ignore[arg-type]
    nodes_line = r.lines[0]
    assert nodes_line.pricing_category == "Dynamic" and r.is_spot
    assert nodes_line.monthly == pytest.approx(1 * node * H)  # desired size 1
    assert (nodes_line.low, nodes_line.high) == (0.0, pytest.approx(4 * node * H))
    gp3 = cat.price("aws", "eu-west-1", "ebs.gp3.storage").usd  # type: ignore[union-attr]
    assert r.lines[1].monthly == pytest.approx(200 * gp3)
    assert "range 0..4" in r.assumptions and "spot" in r.assumptions


def test_estimate_endpoint_variants_with_autoscaling_target(aws: StackState) -> None:
    cat = load_catalog()
    hourly = cat.instance_type("aws", "eu-west-1", "ml.g5.xlarge").on_demand_hourly  # type: ignore[union-attr]
    r = _by_name(estimate_cost(aws).resources)["fraud-dev-serving-scorer"]
    primary, challenger, capture = r.lines
    assert primary.monthly == pytest.approx(hourly * H) and primary.high == pytest.approx(4 * hourly * H)
    assert challenger.low == challenger.high == pytest.approx(hourly * H)  # no target on the challenger
    assert capture.usage_based and "data_capture_gb=10 (default)" in capture.assumption
    assert "autoscaling target 1..4" in primary.assumption


def test_estimate_configuration_and_target_are_free_not_double_counted(aws: StackState) -> None:
    by = _by_name(estimate_cost(aws).resources)
    assert by["fraud-dev-serving-scorer-config"].status == "free"
    assert by["fraud-dev-serving-scorer-primary-scaling"].status == "free"
    assert by["fraud-dev-network-s3"].monthly == 0.0 and "Gateway" in by["fraud-dev-network-s3"].assumptions


def test_estimate_interface_endpoint_per_az(aws: StackState) -> None:
    cat = load_catalog()
    r = _by_name(estimate_cost(aws).resources)["fraud-dev-network-sagemaker-api"]
    per_hour = cat.price("aws", "eu-west-1", "vpc.interface-endpoint").usd  # type: ignore[union-attr]
    assert r.lines[0].monthly == pytest.approx(2 * per_hour * H)


def test_estimate_gcp_spot_pool_with_attached_gpu(gcp: StackState) -> None:
    cat = load_catalog()
    r = _by_name(estimate_cost(gcp).resources)["recs-prod-training-t4-spot"]
    machine = cat.instance_type("gcp", "europe-west4", "n1-standard-8")
    t4 = cat.accelerator_price("gcp", "europe-west4", "nvidia-tesla-t4")
    assert machine is not None and t4 is not None
    nodes, gpus, disks = r.lines
    assert nodes.low == 0 and nodes.high == pytest.approx(6 * machine.spot_hourly * H)  # type: ignore[operator]
    assert gpus.high == pytest.approx(6 * t4.spot_hourly * H) and gpus.pricing_category == "Dynamic"  # type: ignore[operator]
    assert disks.high == pytest.approx(6 * 200 * cat.price("gcp", "europe-west4", "pd.balanced.storage").usd)  # type: ignore[union-attr]


def test_estimate_gcp_regional_pool_counts_zones(gcp: StackState) -> None:
    r = _by_name(estimate_cost(gcp).resources)["recs-prod-system"]
    assert "1..2 per zone x 3 zones" in r.assumptions
    hourly = load_catalog().instance_type("gcp", "europe-west4", "e2-standard-4").on_demand_hourly  # type: ignore[union-attr]
    assert r.lines[0].low == pytest.approx(3 * hourly * H) and r.lines[0].high == pytest.approx(
        6 * hourly * H
    )


def test_estimate_vertex_pool_and_bundled_gpu(gcp: StackState) -> None:
    cat = load_catalog()
    r = _by_name(estimate_cost(gcp).resources)["recs-prod-ranker-pool"]
    node = cat.price("gcp", "europe-west4", "vertex.prediction.g2-standard-8").usd  # type: ignore[union-attr]
    assert len(r.lines) == 1  # the L4 is bundled in g2: no separate GPU line
    assert r.low == pytest.approx(2 * node * H) and r.high == pytest.approx(6 * node * H)


def test_estimate_multi_region_bucket_uses_multi_region_price(gcp: StackState) -> None:
    r = _by_name(estimate_cost(gcp).resources)["recs-prod-artifacts"]
    multi = load_catalog().price("gcp", "europe-west4", "gcs.standard.storage.multi-region")
    assert multi is not None and r.lines[0].unit_price == multi.usd


def test_estimate_kubernetes_objects_are_free_with_reason(gcp: StackState) -> None:
    r = _by_name(estimate_cost(gcp).resources)["recs-prod-feature-sync"]
    assert r.status == "free" and "node" in r.note


def test_estimate_unknown_type_is_not_priced_never_zero() -> None:
    est = estimate_cost(load_state(FIXTURES / "aws_fraud_dev_head.json"))
    assert est.not_priced_counts() == {"aws:sagemaker/domain:Domain": 1}
    assert est.not_priced_share == pytest.approx(1 / len(est.resources))
    studio = _by_name(est.resources)["studio"]
    assert studio.status == "not_priced" and studio.lines == []


def test_estimate_unknown_instance_type_is_price_missing() -> None:
    doc = _doc("aws_fraud_dev.json")
    for res in doc["deployment"]["resources"]:
        if res["type"] == "aws:eks/nodeGroup:NodeGroup":
            res["inputs"]["instanceTypes"] = ["z9.mega"]
            res["outputs"]["instanceTypes"] = ["z9.mega"]
    est = estimate_cost(parse_state(doc))
    missing = [r for r in est.resources if r.status == "price_missing"]
    assert len(missing) == 2 and all("'z9.mega' is not priced in aws eu-west-1" in r.note for r in missing)
    assert all(r.monthly == 0 and not r.lines for r in missing)


def test_estimate_region_missing_names_refresh_command() -> None:
    doc = _doc("aws_fraud_dev.json")
    for res in doc["deployment"]["resources"]:
        if res["type"] == "pulumi:providers:aws":
            res["inputs"]["region"] = res["outputs"]["region"] = "ap-southeast-7"
    est = estimate_cost(parse_state(doc))
    cluster = _by_name(est.resources)["fraud-dev-training-cluster"]
    assert cluster.status == "price_missing"
    assert "keel cost refresh-prices --region ap-southeast-7" in cluster.note


def test_estimate_usage_file_overrides_defaults(aws: StackState) -> None:
    cat = load_catalog()
    usage = parse_usage(
        {
            "version": "0.1",
            "resource_type_default_usage": {"aws:s3/bucket:Bucket": {"storage_gb": 1000}},
            "resource_usage": {"fraud-dev-training-gpu-spot": {"nodes": 3}},
        }
    )
    by = _by_name(estimate_cost(aws, usage=usage).resources)
    s3 = by["fraud-dev-registry-artifacts"].lines[0]
    assert s3.monthly == pytest.approx(1000 * cat.price("aws", "eu-west-1", "s3.standard.storage").usd)  # type: ignore[union-attr]
    assert "usage file (type default)" in s3.assumption
    spot = by["fraud-dev-training-gpu-spot"]
    assert "3 nodes (usage file (fraud-dev-training-gpu-spot))" in spot.assumptions


def test_estimate_totals_are_sums(aws: StackState) -> None:
    est = estimate_cost(aws)
    assert est.total == pytest.approx(sum(line.monthly for r in est.resources for line in r.lines))
    assert est.total_low <= est.total <= est.total_high


def test_estimate_tags_merge_provider_defaults_and_resource_tags(aws: StackState, gcp: StackState) -> None:
    key = _by_name(aws.resources)["fraud-dev-key"]
    assert key.tags["team"] == "fraud" and key.tags["component"] == "encryption" and key.region == "eu-west-1"
    pool = _by_name(gcp.resources)["recs-prod-training-t4-spot"]
    assert pool.tags["cost-center"] == "cc-5120" and pool.tags["component"] == "training"
    assert pool.region == "europe-west4"


def test_estimator_fit_sets_attributes_and_checks_fitted(aws: StackState) -> None:
    est = CostEstimator()
    with pytest.raises(NotFittedError, match="call fit"):
        est.rollup("team")
    assert est.fit(aws) is est
    assert est.total_monthly_ == pytest.approx(estimate_cost(aws).total)
    assert est.rollup("team").as_dict()["fraud"] == pytest.approx(est.total_monthly_)
    assert est.over_budget(100.0) and not est.over_budget(1e9)


def test_unfitted_estimator_raises_the_runtime_not_fitted_error_callers_of_sklearn_catch() -> None:
    """One NotFittedError for the runtime: a ValueError and an AttributeError, like scikit-learn's."""
    from runtime._errors import NotFittedError as RuntimeNotFitted

    assert NotFittedError is RuntimeNotFitted
    for caught in (ValueError, AttributeError):
        with pytest.raises(caught):
            CostEstimator().over_budget(1.0)


def test_estimate_several_states_at_once(aws: StackState, gcp: StackState) -> None:
    both = estimate_cost([aws, gcp])
    assert both.total == pytest.approx(estimate_cost(aws).total + estimate_cost(gcp).total)
    assert both.stacks == ["fraud-dev", "recs-prod"]


def test_estimate_secret_tags_are_ignored() -> None:
    doc = _doc("aws_fraud_dev.json")
    res = copy.deepcopy(doc["deployment"]["resources"][2])
    res["inputs"]["tags"]["owner"] = {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "ciphertext": "x",
    }
    res["outputs"] = {}
    state = parse_state({"deployment": {"resources": [doc["deployment"]["resources"][1], res]}})
    assert state.resources[0].tags["owner"] == "ml-platform"  # provider default, not the secret blob


def test_estimate_monitoring_schedule_runs_times_job_price(aws: StackState) -> None:
    hourly = load_catalog().instance_type("aws", "eu-west-1", "ml.m5.xlarge")
    assert hourly is not None
    r = _by_name(estimate_cost(aws).resources)["fraud-dev-monitoring-scorer-schedule"]
    assert r.monthly == pytest.approx(H * 10 / 60 * hourly.on_demand_hourly)  # hourly cron, 10 min a run
    assert "730 runs/month (hourly)" in r.assumptions and "run_minutes" not in r.assumptions


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("cron(0 * ? * * *)", H),
        ("cron(0 0 ? * * *)", 30.42),
        ("cron(0 0/6 ? * * *)", 4 * 30.42),
        ("cron(0 1,13 ? * * *)", 2 * 30.42),
        ("rate(1 hour)", H),
    ],
)
def test_monitoring_schedule_cadence(expression: str, runs: float) -> None:
    from runtime.cost.pricers.aws import runs_per_month

    assert runs_per_month(expression)[0] == pytest.approx(runs)


def test_estimate_cloud_nat_caps_vms_at_32() -> None:
    doc = _doc("gcp_recs_prod.json")
    res = {
        "urn": "urn:pulumi:recs-prod::mlkeel::gcp:compute/routerNat:RouterNat::nat",
        "custom": True,
        "id": "n",
        "type": "gcp:compute/routerNat:RouterNat",
        "inputs": {"region": "europe-west4"},
        "outputs": {},
        "provider": doc["deployment"]["resources"][1]["urn"] + "::p1",
    }
    doc["deployment"]["resources"].append(res)
    usage = parse_usage({"version": 0.1, "resource_usage": {"nat": {"vms": 100, "monthly_data_gb": 0}}})
    nat = _by_name(estimate_cost(parse_state(doc), usage=usage).resources)["nat"]
    per_vm = load_catalog().price("gcp", "europe-west4", "cloudnat.vm")
    assert per_vm is not None and nat.monthly == pytest.approx(32 * per_vm.usd * H)


def test_every_type_the_components_create_is_priced_or_free() -> None:
    """Types the AWS/GCP components register (as of this commit) never fall into 'not priced'."""
    from runtime.cost import FREE_TYPES, PRICERS

    created = {
        "aws:appautoscaling/policy:Policy",
        "aws:appautoscaling/target:Target",
        "aws:budgets/budget:Budget",
        "aws:cloudtrail/trail:Trail",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:costexplorer/costAllocationTag:CostAllocationTag",
        "aws:ec2/flowLog:FlowLog",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:ecr/repository:Repository",
        "aws:eks/cluster:Cluster",
        "aws:eks/nodeGroup:NodeGroup",
        "aws:glue/catalogDatabase:CatalogDatabase",
        "aws:iam/policy:Policy",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:kms/alias:Alias",
        "aws:kms/key:Key",
        "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
        "aws:sagemaker/endpoint:Endpoint",
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "aws:sagemaker/featureGroup:FeatureGroup",
        "aws:sagemaker/model:Model",
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
        "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "gcp:compute/routerNat:RouterNat",
        "gcp:logging/projectBucketConfig:ProjectBucketConfig",
        "gcp:monitoring/dashboard:Dashboard",
        "gcp:monitoring/metricDescriptor:MetricDescriptor",
        "gcp:container/cluster:Cluster",
        "gcp:container/nodePool:NodePool",
        "gcp:vertex/aiEndpoint:AiEndpoint",
        "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool",
        "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore",
        "gcp:bigquery/dataset:Dataset",
    }
    assert sorted(t for t in created if t not in PRICERS and t not in FREE_TYPES) == []


@pytest.mark.parametrize("stack", ["fraud-dev", "risk-prod", "search-dev", "vision-prod"])
def test_estimate_real_planned_states_price_every_resource(
    stack: str, planned_states: dict[str, Path]
) -> None:
    """States `keel plan` writes for the example stacks: every resource priced or free, none unknown."""
    state = load_state(planned_states[stack])
    est = estimate_cost(state)
    assert est.not_priced == [], [(r.type, r.note) for r in est.not_priced]
    assert est.total > 0 and est.total_low <= est.total <= est.total_high
    assert any(r.is_spot or r.high > r.monthly for r in est.resources)  # a spot pool or autoscaled endpoint
    from runtime.cost import budget_from_outputs, rollup_by_tag

    assert budget_from_outputs(state.outputs) is not None
    assert rollup_by_tag(est, "team").total == pytest.approx(est.total)


def test_every_example_stack_is_planned(planned_states: dict[str, Path]) -> None:
    """The parametrized test above covers every stack in stacks/config (a new one must be added there)."""
    assert sorted(planned_states) == ["fraud-dev", "risk-prod", "search-dev", "vision-prod"]


def test_untaggable_types_agree_with_the_provider_sdks() -> None:
    """UNTAGGABLE matches what the provider SDKs say (mlkeel.taggable reads their signatures)."""
    from mlkeel.taggable import is_taggable
    from runtime.cost import PRICERS, UNTAGGABLE

    sdk_untaggable = {t for t in PRICERS if not is_taggable(t)} - {"gcp:container/nodePool:NodePool"}
    assert sdk_untaggable == set(UNTAGGABLE)


def test_untaggable_resource_is_untagged_despite_provider_defaults(gcp: StackState) -> None:
    by = _by_name(estimate_cost(gcp).resources)
    metadata = by["recs-prod-metadata"]
    assert metadata.tags == {} and "takes no tags" in metadata.assumptions
    assert by["recs-prod-key"].tags["team"] == "recs"

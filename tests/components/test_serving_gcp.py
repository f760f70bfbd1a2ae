"""GcpServing / GcpServingEndpoint: private CMEK Vertex endpoints with request-response logging and an
autoscaled deployment resource pool; model deployment is a documented seam, never faked (issue 3)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from hypothesis import given
from hypothesis import strategies as st

import components.gcp as gcp_components
from components.serving.gcp import CPU_METRIC, GPU_METRIC, DeploymentPlan, traffic_split
from stacks.engine import plan_config

from .gcp_plans import full, full_config, of_type


def endpoints() -> dict[str, dict[str, Any]]:
    return {e["inputs"]["displayName"]: e for e in of_type(full(), "gcp:vertex/aiEndpoint:AiEndpoint")}


def pools() -> dict[str, dict[str, Any]]:
    return {
        p["inputs"]["name"]: p["inputs"]
        for p in of_type(full(), "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool")
    }


def test_serving_gcp_endpoints_are_private_encrypted_and_logged() -> None:
    found = endpoints()
    assert set(found) == {"fraud-prod-scorer", "fraud-prod-ranker"}
    for endpoint in found.values():
        inputs = endpoint["inputs"]
        assert inputs["network"] == "projects/123456789012/global/networks/fraud-prod-vpc"
        assert "privateServiceConnectConfig" not in inputs
        assert inputs["encryptionSpec"]["kmsKeyName"].endswith("/cryptoKeys/fraud-prod-key")
        logging = inputs["predictRequestResponseLoggingConfig"]
        assert logging["enabled"] is True and logging["samplingRate"] == 1.0
        assert logging["bigqueryDestination"]["outputUri"] == "bq://fraud-ml-prod.fraud_prod_prediction_logs"
        assert inputs["name"].isdigit() and len(inputs["name"]) == 10


def test_serving_gcp_endpoints_wait_for_private_services_access() -> None:
    connection = of_type(full(), "gcp:servicenetworking/connection:Connection")[0]["urn"]
    for endpoint in endpoints().values():
        assert connection in endpoint["dependencies"]


def test_serving_gcp_resource_pools_follow_the_spec() -> None:
    found = pools()
    scorer = found["fraud-prod-scorer-pool"]["dedicatedResources"]
    assert scorer["machineSpec"] == {"machineType": "n1-standard-4"}
    assert (scorer["minReplicaCount"], scorer["maxReplicaCount"]) == (2, 6)
    assert scorer["autoscalingMetricSpecs"] == [{"metricName": CPU_METRIC, "target": 60}]
    ranker = found["fraud-prod-ranker-pool"]["dedicatedResources"]
    assert ranker["machineSpec"] == {
        "machineType": "g2-standard-8",
        "acceleratorType": "NVIDIA_L4",
        "acceleratorCount": 1,
    }
    assert ranker["autoscalingMetricSpecs"][0]["metricName"] == GPU_METRIC


def test_serving_gcp_outputs_say_model_deployment_is_not_expressible() -> None:
    out = full().outputs["platform"]["serving"]["endpoints"]["scorer"]
    deployment = out["modelDeployment"]
    assert deployment["status"] == "not-deployed"
    assert "pulumi-gcp has no Vertex AI Model/DeployedModel resource" in deployment["reason"]
    assert deployment["traffic_split"] == {"blue": 90, "green": 10} and deployment["shadow"] == "challenger"
    assert "targetInvocationsPerInstance has no Vertex AI equivalent" in out["autoscaling"]["note"]
    # Nothing in the graph pretends to deploy a model.
    assert not [r for r in full().resources if "DeployedModel" in r["type"] or "aiModel" in r["type"]]


class _RecordingDeployment(pulumi.ComponentResource):
    """Stands in for a dynamic provider: the seam under test is what reaches it and where it sits."""

    def __init__(self, name: str, plan: DeploymentPlan, opts: pulumi.ResourceOptions):
        super().__init__("mlkeel:test:VertexDeployment", name, None, opts)
        self.register_outputs({"traffic": plan["traffic_split"], "endpoint": plan["endpoint"]})


def test_serving_gcp_model_deployer_seam_receives_the_plan() -> None:
    received: list[DeploymentPlan] = []

    def deployer(name: str, plan: DeploymentPlan, opts: pulumi.ResourceOptions) -> pulumi.Resource:
        received.append(plan)
        return _RecordingDeployment(name, plan, opts)

    gcp_components.use_model_deployer(deployer)
    try:
        result = plan_config(full_config(), stack="fraud-seam")
    finally:
        gcp_components.use_model_deployer(None)
    assert [p["traffic_split"] for p in received] == [{"blue": 90, "green": 10}, {"main": 100}]
    assert [m["variant"] for m in received[0]["models"]] == ["blue", "green", "challenger"]
    assert received[0]["models"][2]["shadow"] is True and received[0]["rollout"]["strategy"] == "canary"
    deployments = result.by_type("mlkeel:test:VertexDeployment")
    assert len(deployments) == 2 and all("GcpServingEndpoint" in d["parent"] for d in deployments)
    status = result.outputs["platform"]["serving"]["endpoints"]["scorer"]["modelDeployment"]["status"]
    assert status == "deployed-by-plugin"


def test_serving_gcp_deployer_plugs_in_through_serving_and_the_cloud_package_alike() -> None:
    from components.serving.gcp import model_deployer, use_model_deployer

    def deployer(name: str, plan: DeploymentPlan, opts: pulumi.ResourceOptions) -> pulumi.Resource:
        raise AssertionError("not called")

    try:
        gcp_components.use_model_deployer(deployer)  # the earlier public name
        assert model_deployer() is deployer
        use_model_deployer(None)
        assert model_deployer() is None
    finally:
        use_model_deployer(None)


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.floats(0.01, 1000), min_size=1, max_size=10))
def test_serving_gcp_traffic_split_sums_to_100_and_stays_proportional(weights: dict[str, float]) -> None:
    split = traffic_split(weights)
    assert sum(split.values()) == 100 and set(split) == set(weights)
    total = sum(weights.values())
    assert all(abs(split[k] - 100 * w / total) < 1 for k, w in weights.items())


def test_serving_gcp_traffic_split_refuses_empty_or_non_positive_weights() -> None:
    with pytest.raises(ValueError, match="positive"):
        traffic_split({"a": 0})

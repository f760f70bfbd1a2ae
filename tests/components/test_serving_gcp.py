"""GcpServing / GcpServingEndpoint: private CMEK Vertex endpoints with request-response logging, an
autoscaled deployment resource pool, and a ModelDeployment (dynamic provider) per endpoint (issues 3, 16).

The provider's behaviour against the Vertex AI API is proved in test_vertex_deployment.py; here, what the
platform hands it, offline."""

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

DYNAMIC = "pulumi-python:dynamic:Resource"


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


def deployments() -> dict[str, dict[str, Any]]:
    return {d["inputs"]["deployment"]: d for d in of_type(full(), DYNAMIC)}


def test_serving_gcp_each_endpoint_gets_a_model_deployment_on_its_pool() -> None:
    found = deployments()
    assert set(found) == {"fraud-prod-scorer", "fraud-prod-ranker"}
    scorer = found["fraud-prod-scorer"]
    inputs = scorer["inputs"]
    assert "GcpServingEndpoint" in scorer["parent"]
    endpoint = endpoints()["fraud-prod-scorer"]
    assert endpoint["urn"] in scorer["dependencies"]
    assert (
        inputs["endpoint"]
        == f"projects/fraud-ml-prod/locations/europe-west4/endpoints/{endpoint['inputs']['name']}"
    )
    assert inputs["deployment_resource_pool"] == (
        "projects/fraud-ml-prod/locations/europe-west4/deploymentResourcePools/fraud-prod-scorer-pool"
    )
    assert inputs["encryption_key"].endswith("/cryptoKeys/fraud-prod-key")
    assert inputs.get("api_endpoint") is None  # production: the regional endpoint with ADC
    assert inputs["service_account"] == "fraud-prod-serving@fraud-ml-prod.iam.gserviceaccount.com"
    assert inputs["rollout"] == {
        "strategy": "canary",
        "canary_percent": 10,
        "linear_step_percent": 25,
        "wait_minutes": 10,
    }


def test_serving_gcp_variants_carry_weights_sources_and_artifacts_in_the_stack_bucket() -> None:
    found = deployments()
    # Unset fields (None) may be left out of the recorded inputs, as the engine leaves them out of state.
    variants = [
        {k: v for k, v in variant.items() if v is not None}
        for variant in found["fraud-prod-scorer"]["inputs"]["variants"]
    ]
    assert variants == [
        {
            "name": "blue",
            "percent": 90,
            "image": "europe-west4-docker.pkg.dev/fraud-ml-prod/models/scorer:1.4",
            "artifact": "gs://fraud-ml-prod-fraud-prod-artifacts/scorer/1.4",
        },
        {
            "name": "green",
            "percent": 10,
            "image": "europe-west4-docker.pkg.dev/fraud-ml-prod/models/scorer:1.5",
            "artifact": "gs://fraud-ml-prod-fraud-prod-artifacts/scorer/1.5",
        },
    ]
    # A registry version is deployed as it is, not uploaded again.
    (ranker,) = found["fraud-prod-ranker"]["inputs"]["variants"]
    assert (
        ranker["model"] == "projects/fraud-ml-prod/locations/europe-west4/models/ranker@3"
        and ranker.get("image") is None
    )
    machine = found["fraud-prod-ranker"]["inputs"]["machine"]
    assert (machine["machine_type"], machine["accelerator_type"], machine["accelerator_count"]) == (
        "g2-standard-8",
        "NVIDIA_L4",
        1,
    )
    assert machine["metric"] == GPU_METRIC


def test_serving_gcp_outputs_say_what_is_deployed_and_that_shadows_are_not() -> None:
    out = full().outputs["platform"]["serving"]["endpoints"]["scorer"]
    deployment = out["modelDeployment"]
    assert deployment["status"] == "deployed"
    assert deployment["resource"] == deployments()["fraud-prod-scorer"]["urn"]
    assert deployment["traffic_split"] == {"blue": 90, "green": 10} and deployment["shadow"] == "challenger"
    assert "cannot mirror requests to a shadow model" in deployment["shadow_note"]
    # Offline, ids the service assigns are unknown, and nothing pretends otherwise.
    assert deployment["deployed_model_ids"] is None and deployment["model_version_ids"] is None
    assert deployment["endpoint_traffic_split"] is None
    assert "targetInvocationsPerInstance has no Vertex AI equivalent" in out["autoscaling"]["note"]


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
    plugged = result.by_type("mlkeel:test:VertexDeployment")
    assert len(plugged) == 2 and all("GcpServingEndpoint" in d["parent"] for d in plugged)
    assert not result.by_type(DYNAMIC)  # the plugged deployer replaces the built-in one
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

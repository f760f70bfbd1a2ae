"""Serving: isolated models, weighted variants and shadow, blue/green with rollback, target tracking."""

from __future__ import annotations

from typing import Any, cast

from components.serving.aws import capacity_percent, execution_timeout

from .aws_plans import bare, fraud, full, name_of


def _endpoints(plan) -> dict[str, dict]:
    return {e["inputs"]["name"]: e for e in plan.by_type("aws:sagemaker/endpoint:Endpoint")}


def _configs(plan) -> dict[str, dict]:
    return {
        c["outputs"]["name"]: c
        for c in plan.by_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    }


def test_serving_aws_models_are_network_isolated_in_the_private_subnets() -> None:
    plan = full()
    subnets = sorted(s["id"] for s in plan.by_type("aws:ec2/subnet:Subnet"))
    role = next(
        r for r in plan.by_type("aws:iam/role:Role") if r["inputs"]["name"].endswith("sagemaker-execution")
    )
    models = plan.by_type("aws:sagemaker/model:Model")
    assert len(models) == 4
    for model in models:
        inputs = model["inputs"]
        assert inputs["enableNetworkIsolation"] is True
        assert sorted(inputs["vpcConfig"]["subnets"]) == subnets
        assert inputs["executionRoleArn"] == role["outputs"]["arn"]


def test_serving_aws_model_sources_resolve_per_region() -> None:
    plan = full()
    containers = {
        m["inputs"]["name"]: m["inputs"]["primaryContainer"]
        for m in plan.by_type("aws:sagemaker/model:Model")
    }
    champion = next(c for n, c in containers.items() if "-champion-" in n)
    # the region's own SageMaker XGBoost registry (eu-west-1), from GetPrebuiltEcrImage
    assert champion["image"] == "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    assert (
        champion["modelDataUrl"]
        == "s3://payments-prod-registry-123456789012/models/fraud/champion/model.tar.gz"
    )
    challenger = next(c for n, c in containers.items() if "-challenger-" in n)
    assert challenger["modelDataUrl"] == "s3://payments-shared-models/fraud/challenger/model.tar.gz"
    shadow = next(c for n, c in containers.items() if "-next-" in n)
    assert shadow == {
        "modelPackageName": "arn:aws:sagemaker:eu-west-1:123456789012:model-package/payments-prod-models/7"
    }
    refunds = next(c for n, c in containers.items() if "refunds-main" in n)
    assert refunds["image"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments/refunds:2.4.1"


def test_serving_aws_variants_weighted_with_shadow_and_capture() -> None:
    plan = full()
    endpoint = _endpoints(plan)["payments-prod-fraud-score"]
    config = _configs(plan)[endpoint["inputs"]["endpointConfigName"]]["inputs"]
    variants = {v["variantName"]: v for v in config["productionVariants"]}
    assert {n: v["initialVariantWeight"] for n, v in variants.items()} == {"champion": 0.8, "challenger": 0.2}
    assert variants["challenger"]["instanceType"] == "ml.c5.xlarge"
    assert variants["champion"]["instanceType"] == "ml.m5.xlarge"
    assert all(v["initialInstanceCount"] == 2 for v in variants.values())
    shadow = config["shadowProductionVariants"]
    assert [(s["variantName"], s["initialVariantWeight"]) for s in shadow] == [("next", 0.25)]
    capture = config["dataCaptureConfig"]
    assert capture["enableCapture"] is True and capture["initialSamplingPercentage"] == 100
    assert capture["destinationS3Uri"] == "s3://payments-prod-registry-123456789012/data-capture/fraud-score"


def test_serving_aws_linear_rollout_rolls_back_on_the_monitoring_alarms() -> None:
    plan = full()
    endpoint = _endpoints(plan)["payments-prod-fraud-score"]["inputs"]
    policy = endpoint["deploymentConfig"]["blueGreenUpdatePolicy"]
    routing = policy["trafficRoutingConfiguration"]
    assert routing == {
        "type": "LINEAR",
        "waitIntervalInSeconds": 300,
        "linearStepSize": {"type": "CAPACITY_PERCENT", "value": 25},
    }
    assert 600 <= policy["maximumExecutionTimeoutInSeconds"] <= 14400
    alarms = [a["alarmName"] for a in endpoint["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]]
    existing = {a["inputs"]["name"]: a for a in plan.by_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert alarms == ["payments-prod-fraud-score-p99-latency", "payments-prod-fraud-score-5xx-rate"]
    for alarm in alarms:
        queries = existing[alarm]["inputs"]["metricQueries"]
        dims = [q["metric"]["dimensions"] for q in queries if "metric" in q]
        assert {d["EndpointName"] for d in dims} == {"payments-prod-fraud-score"}
        assert {d["VariantName"] for d in dims} == {"champion", "challenger"}
    # the alarms exist before the endpoint that rolls back on them
    alarm_urns = {existing[a]["urn"] for a in alarms}
    endpoint_resource = _endpoints(plan)["payments-prod-fraud-score"]
    assert alarm_urns <= set(endpoint_resource["dependencies"])


def test_serving_aws_canary_in_the_example_stack() -> None:
    endpoint = _endpoints(fraud())["fraud-dev-scorer"]["inputs"]
    routing = endpoint["deploymentConfig"]["blueGreenUpdatePolicy"]["trafficRoutingConfiguration"]
    assert routing["type"] == "CANARY"
    assert routing["canarySize"] == {"type": "CAPACITY_PERCENT", "value": 10}
    assert len(endpoint["deploymentConfig"]["autoRollbackConfiguration"]["alarms"]) == 2


def test_serving_aws_target_tracking_on_each_production_variant() -> None:
    plan = full()
    targets = {t["inputs"]["resourceId"]: t for t in plan.by_type("aws:appautoscaling/target:Target")}
    assert set(targets) == {
        "endpoint/payments-prod-fraud-score/variant/champion",
        "endpoint/payments-prod-fraud-score/variant/challenger",
        "endpoint/payments-prod-refunds/variant/main",
    }
    champion = targets["endpoint/payments-prod-fraud-score/variant/champion"]["inputs"]
    assert (champion["minCapacity"], champion["maxCapacity"]) == (2, 10)
    assert champion["scalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert champion["serviceNamespace"] == "sagemaker"
    endpoint = _endpoints(plan)["payments-prod-fraud-score"]
    assert endpoint["urn"] in targets["endpoint/payments-prod-fraud-score/variant/champion"]["dependencies"]
    policies = {
        p["inputs"]["resourceId"]: p["inputs"] for p in plan.by_type("aws:appautoscaling/policy:Policy")
    }
    assert set(policies) == set(targets)
    tracking = policies["endpoint/payments-prod-fraud-score/variant/champion"]
    assert tracking["policyType"] == "TargetTrackingScaling"
    config = tracking["targetTrackingScalingPolicyConfiguration"]
    assert config["targetValue"] == 250
    assert (
        config["predefinedMetricSpecification"]["predefinedMetricType"]
        == "SageMakerVariantInvocationsPerInstance"
    )


def test_serving_aws_single_instance_endpoint_deploys_all_at_once_without_capture() -> None:
    plan = full()
    endpoint = _endpoints(plan)["payments-prod-refunds"]
    routing = endpoint["inputs"]["deploymentConfig"]["blueGreenUpdatePolicy"]["trafficRoutingConfiguration"]
    assert routing["type"] == "ALL_AT_ONCE"
    config = _configs(plan)[endpoint["inputs"]["endpointConfigName"]]["inputs"]
    assert config["dataCaptureConfig"]["enableCapture"] is False


def test_serving_aws_no_model_yet_creates_no_endpoint_and_says_so() -> None:
    plan = bare()
    assert plan.by_type("aws:sagemaker/endpoint:Endpoint") == []
    assert [name_of(s) for s in plan.by_type("mlkeel:index:AwsServing")] == ["growth-test-serving"]
    serving = plan.outputs["platform"]["serving"]
    assert serving["endpoints"] == {}
    assert "no model named yet" in serving["note"]
    assert serving["dataCaptureUri"] == "s3://growth-test-registry-123456789012/data-capture/"
    assert serving["executionRoleArn"].endswith("growth-test-sagemaker-execution")


def test_serving_aws_execution_timeout_covers_every_step() -> None:
    base: Any = {
        "canary_percent": 10.0,
        "linear_step_percent": 25.0,
        "wait_minutes": 30,
        "rollback_on_alarms": True,
    }

    def timeout(**changes: Any) -> int:
        return execution_timeout(cast(Any, {**base, **changes}))

    assert timeout(strategy="linear") == 5 * 1800 + 600
    assert timeout(strategy="canary") == 2 * 1800 + 600
    assert timeout(strategy="all-at-once", wait_minutes=0) == 600
    assert timeout(strategy="linear", wait_minutes=60, linear_step_percent=10) == 14400


def test_serving_aws_capacity_percent_is_whole() -> None:
    assert [capacity_percent(p) for p in (0.4, 10.0, 12.6, 50.0)] == [1, 10, 13, 50]

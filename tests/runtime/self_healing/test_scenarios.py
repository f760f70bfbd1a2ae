"""End-to-end scenarios against moto on 127.0.0.1: healthy, drift → retrain, canary → rollback, unfair."""

from __future__ import annotations

from tests.runtime.self_healing._stack import ENDPOINT, Stack
from tests.runtime.self_healing.conftest import run


def test_healthy_traffic_does_nothing(stack: Stack) -> None:
    stack.capture("healthy")
    summary = run(stack)
    assert summary.status == "ok", summary
    assert summary.endpoints[ENDPOINT]["decision"] == "nothing"
    assert stack.training_jobs() == []
    assert stack.versions() == []
    assert stack.alerts() == []
    assert stack.endpoint_config() == "fraud-dev-scoring-v1"
    steps = [r["step"] for r in stack.audit()]
    assert steps[0] == "run-start" and steps[-1] == "run-end" and "decide" in steps


def test_drifted_capture_retrains_on_spot_and_registers_one_pending_version(stack: Stack) -> None:
    stack.capture("drifted")
    first = run(stack)
    assert first.endpoints[ENDPOINT]["decision"] == "retrain", first
    jobs = stack.training_jobs()
    assert len(jobs) == 1
    job = stack.client("sagemaker").describe_training_job(TrainingJobName=jobs[0])
    assert job["EnableManagedSpotTraining"] is True
    assert job["CheckpointConfig"]["S3Uri"].endswith(f"/checkpoints/{jobs[0]}/")
    assert job["StoppingCondition"]["MaxWaitTimeInSeconds"] >= job["StoppingCondition"]["MaxRuntimeInSeconds"]
    assert job["ResourceConfig"]["InstanceType"] in stack.config().policy.training_instance_types

    stack.clock.advance(minutes=30)
    second = run(stack)
    assert second.status == "ok", second
    versions = stack.versions()
    assert len(versions) == 1 and versions[0]["ModelApprovalStatus"] == "PendingManualApproval"
    assert len(stack.alerts()) == 1
    assert len(stack.training_jobs()) == 1
    assert stack.endpoint_config() == "fraud-dev-scoring-v1"
    evaluation = next(r for r in stack.audit() if r["step"] == "evaluate")["evaluation"]
    assert evaluation["candidate_accuracy"] > evaluation["live_accuracy"]


def test_auto_promotion_canary_rolls_back_when_an_alarm_fires(stack: Stack) -> None:
    config = stack.config(auto_promote=True)
    stack.capture("drifted")
    run(stack, config)
    stack.clock.advance(minutes=30)
    run(stack, config)
    versions = stack.versions()
    assert [v["ModelApprovalStatus"] for v in versions] == ["Approved"]
    canary_config = stack.endpoint_config()
    assert canary_config != "fraud-dev-scoring-v1"
    assert stack.state()["work"]["phase"] == "canary"

    stack.client("cloudwatch").set_alarm_state(
        AlarmName=f"{ENDPOINT}-5xx-rate", StateValue="ALARM", StateReason="canary errors"
    )
    stack.clock.advance(minutes=5)
    third = run(stack, config)
    assert third.status == "ok", third
    assert stack.endpoint_config() == "fraud-dev-scoring-v1"
    assert [v["ModelApprovalStatus"] for v in stack.versions()] == ["Rejected"]
    assert stack.state()["work"] is None
    assert stack.state()["live"]["endpoint_config"] == "fraud-dev-scoring-v1"
    subjects = [a["Subject"] for a in stack.alerts()]
    assert any("rolled back" in s for s in subjects)


def test_auto_promotion_confirms_a_quiet_canary(stack: Stack) -> None:
    config = stack.config(auto_promote=True)
    stack.capture("drifted")
    run(stack, config)
    stack.clock.advance(minutes=30)
    run(stack, config)
    canary_config = stack.endpoint_config()
    stack.clock.advance(minutes=11)
    run(stack, config)
    state = stack.state()
    assert state["work"] is None
    assert state["live"]["endpoint_config"] == canary_config == stack.endpoint_config()
    assert state["live"]["model_package_arn"] == stack.versions()[0]["ModelPackageArn"]


def test_failing_fairness_gate_blocks_promotion(stack: Stack) -> None:
    config = stack.config(
        auto_promote=True, fairness={"sensitive_feature": "group", "max_demographic_parity_difference": 0.01}
    )
    stack.capture("drifted")
    run(stack, config)
    stack.clock.advance(minutes=30)
    run(stack, config)
    assert [v["ModelApprovalStatus"] for v in stack.versions()] == ["PendingManualApproval"]
    assert stack.endpoint_config() == "fraud-dev-scoring-v1"
    evaluate = next(r for r in stack.audit() if r["step"] == "evaluate")
    assert evaluate["approve"] is False
    assert any(reason.startswith("fairness gate:") for reason in evaluate["reasons"])


def test_dry_run_decides_without_writing(stack: Stack) -> None:
    stack.capture("drifted")
    summary = run(stack, dry_run=True)
    assert summary.endpoints[ENDPOINT]["decision"] == "retrain"
    assert stack.training_jobs() == []
    assert stack.audit() == []
    assert stack.client("dynamodb").scan(TableName="fraud-dev-self-healing-lease")["Items"] == []

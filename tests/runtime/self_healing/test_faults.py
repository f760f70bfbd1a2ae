"""Faults between the controller and moto: throttling, 5xx, timeouts, crashes between steps, two runs.

Each case drives the loop to the end (drift → spot retrain → approved version → canary → alarm →
rollback) and checks what an operator relies on: the audit log has no holes, there is exactly one
training job and one model version, the endpoint ends on a config the record names, and the work is
finished by a later run.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from runtime.self_healing import Lease
from tests.runtime.self_healing._faults import Crash, CrashAt, Faults
from tests.runtime.self_healing._stack import ENDPOINT, Stack
from tests.runtime.self_healing.conftest import run

#: The calls that change the stack, in chain order; a crash is injected just before and just after each.
EFFECTS = [
    ("CreateTrainingJob", 1),
    ("CreateModelPackage", 1),
    ("Publish", 1),
    ("CreateModel", 1),
    ("CreateEndpointConfig", 1),
    ("UpdateEndpoint", 1),
    ("UpdateEndpoint", 2),
    ("UpdateModelPackage", 1),
    ("Publish", 2),
]
BOUNDARIES = [(op, n, when) for op, n in EFFECTS for when in ("before", "after")]


def _config(stack: Stack) -> Any:
    return stack.config(auto_promote=True, window_hours=6, cooldown_hours=24, lease_seconds=600)


def _arm(stack: Stack) -> None:
    """Drifted traffic, and a rollback alarm already firing: the canary will be rolled back."""
    stack.capture("drifted")
    stack.client("cloudwatch").set_alarm_state(
        AlarmName=f"{ENDPOINT}-5xx-rate", StateValue="ALARM", StateReason="canary errors"
    )


def _finished(stack: Stack) -> bool:
    try:
        state = stack.state()
    except stack.client("s3").exceptions.NoSuchKey:
        return False
    return state["work"] is None and bool(state.get("retrains"))


def _drive(stack: Stack, hooks: Any = lambda: [], runs: int = 10, fresh: bool = False) -> list[Any]:
    """Run (moving the clock past the lease and the canary wait each time) until the work is done."""
    summaries: list[Any] = []
    for _ in range(runs):
        try:
            summaries.append(run(stack, _config(stack), hooks=hooks(), fresh=fresh))
        except Crash:
            summaries.append("crashed")
        stack.clock.advance(minutes=11)
        if _finished(stack):
            return summaries
    raise AssertionError(f"work not finished after {runs} runs: {summaries}")


def _assert_invariants(stack: Stack) -> None:
    assert len(stack.training_jobs()) == 1, stack.training_jobs()
    versions = stack.versions()
    assert [v["ModelApprovalStatus"] for v in versions] == ["Rejected"], versions
    state = stack.state()
    assert stack.endpoint_config() == state["live"]["endpoint_config"] == "fraud-dev-scoring-v1"
    records = stack.audit()
    by_run: dict[str, list[int]] = defaultdict(list)
    for record in records:
        by_run[record["run_id"]].append(record["seq"])
    for run_id, seqs in by_run.items():
        assert seqs == list(range(len(seqs))), f"audit log of {run_id} has holes: {seqs}"
    rolled = [r for r in records if r["step"] == "rolled-back"]
    assert [r["live"]["endpoint_config"] for r in rolled] == ["fraud-dev-scoring-v1"]


@pytest.mark.parametrize(("operation", "occurrence", "when"), BOUNDARIES)
def test_crash_between_steps_is_finished_by_a_later_run(
    stack: Stack, operation: str, occurrence: int, when: str
) -> None:
    _arm(stack)
    crash = CrashAt(operation, occurrence, when)

    def hooks() -> list[tuple[str, Any]]:
        if crash.fired:
            return []
        return [("before-send", crash.before_send), ("after-call", crash.after_call)]

    summaries = _drive(stack, hooks)
    assert crash.fired and "crashed" in summaries
    _assert_invariants(stack)


@pytest.mark.parametrize("kind", ["throttle", "500", "timeout", "landed-timeout"])
def test_first_attempt_of_every_call_failing_changes_nothing_but_the_retries(stack: Stack, kind: str) -> None:
    _arm(stack)
    # CloudWatch speaks CBOR, whose throttling body these faults do not forge; it gets the 5xx and timeouts
    faults = Faults(
        kind, services={"s3", "sagemaker", "dynamodb", "sns", "cost-explorer"} if kind == "throttle" else None
    )
    summaries = _drive(stack, lambda: [("before-send", faults)], fresh=True)
    assert all(s != "crashed" and s.status == "ok" for s in summaries), summaries
    assert faults.injected["CreateTrainingJob"] == 1 and faults.injected["UpdateEndpoint"] == 2
    _assert_invariants(stack)


def test_create_model_package_that_landed_before_a_timeout_is_not_made_twice(stack: Stack) -> None:
    _arm(stack)
    faults = Faults("landed-timeout", {"CreateModelPackage"})
    _drive(stack, lambda: [("before-send", faults)])
    assert faults.injected["CreateModelPackage"] == 1
    _assert_invariants(stack)


def test_endless_errors_during_the_canary_leave_the_endpoint_on_the_good_version(stack: Stack) -> None:
    config = _config(stack)
    stack.capture("drifted")
    run(stack, config)
    stack.clock.advance(minutes=11)
    run(stack, config)
    assert stack.state()["work"]["phase"] == "canary"
    assert stack.endpoint_config() != "fraud-dev-scoring-v1"

    stack.clock.advance(minutes=1)
    faults = Faults("500", {"DescribeAlarms"}, always=True)
    summary = run(stack, config, hooks=[("before-send", faults)], fresh=True)
    assert summary.status == "incomplete"
    assert faults.injected["DescribeAlarms"] == 5  # bounded: botocore's total_max_attempts
    assert stack.endpoint_config() == "fraud-dev-scoring-v1"
    failed = next(r for r in stack.audit() if r["step"] == "failed")
    assert failed["endpoint_config"] == failed["known_good"] == "fraud-dev-scoring-v1"
    assert any("could not finish" in a["Subject"] for a in stack.alerts())

    stack.clock.advance(minutes=11)
    run(stack, config)  # the next run finishes the rollback: the version is rejected
    assert stack.state()["work"] is None
    assert [v["ModelApprovalStatus"] for v in stack.versions()] == ["Rejected"]


def test_two_controllers_started_together_only_one_acts(stack: Stack) -> None:
    _arm(stack)
    other = Lease(stack.client("dynamodb"), "fraud-dev-self-healing-lease", "other-run", 600)
    other.acquire(stack.clock.now.timestamp())
    held = run(stack, _config(stack))
    assert held.status == "lease-held"
    assert stack.training_jobs() == []
    assert [r["step"] for r in stack.audit()] == ["lease"]

    stack.clock.advance(minutes=11)  # the other run died: its lease expires
    taken = run(stack, _config(stack))
    assert taken.status == "ok"
    assert len(stack.training_jobs()) == 1


def test_a_run_that_lost_its_lease_stops_before_acting(stack: Stack) -> None:
    _arm(stack)
    other = Lease(stack.client("dynamodb"), "fraud-dev-self-healing-lease", "other-run", 600)

    def take_over(request: Any, event_name: str, **_: Any) -> None:
        if event_name.endswith("PutObject") and "self-healing/training/" in request.url and not other_took:
            other_took.append(True)
            stack.clock.advance(minutes=11)
            other.acquire(stack.clock.now.timestamp())

    other_took: list[bool] = []
    summary = run(stack, _config(stack), hooks=[("before-send", take_over)])
    assert summary.status == "lease-lost"
    assert stack.training_jobs() == []
    stack.clock.advance(minutes=11)
    _drive(stack)
    _assert_invariants(stack)

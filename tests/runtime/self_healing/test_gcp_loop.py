"""The same controller on Google Cloud, end to end: fake-gcs-server, the local Vertex AI server (gRPC) and
the production SQL on DuckDB, all on 127.0.0.1. Faults: UNAVAILABLE, deadline exceeded, answers lost after
the call applied, a run that dies at any Vertex step, two controllers at once; nothing lost or done twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests._vertex_server import VertexServer
from tests.runtime.self_healing._gcp_stack import ENDPOINT, GcpStack
from tests.runtime.self_healing._gcs_server import fake_gcs_server


@pytest.fixture(scope="module")
def gcs_url() -> Iterator[str]:
    with fake_gcs_server() as url:
        yield url


@pytest.fixture
def gcp(gcs_url: str, reference: tuple[bytes, bytes, Any]) -> Iterator[GcpStack]:
    with VertexServer(polls_until_done=1) as server:
        yield GcpStack(gcs_url, server, reference).build()


def _to_canary(gcp: GcpStack) -> None:
    """Drift → a spot CustomJob → the container runs → evaluated, registered, canary deployed."""
    gcp.serve("drifted")
    first = gcp.run()
    assert first.endpoints[ENDPOINT]["decision"] == "retrain", first
    gcp.run_training()
    for _ in range(4):  # the job goes PENDING → RUNNING → SUCCEEDED on successive looks
        gcp.clock.advance(minutes=5)
        gcp.run()
        if gcp.state()["work"] and gcp.state()["work"]["phase"] == "canary":
            return
    raise AssertionError(f"never reached the canary: {gcp.state()}")


def _exactly_once(gcp: GcpStack) -> None:
    assert len(gcp.server.jobs) == 1
    assert gcp.server.model_versions()[gcp.model] == ["1", "2"]
    assert sum(gcp.split().values()) == 100
    seqs: dict[str, list[int]] = {}
    for record in gcp.audit():
        seqs.setdefault(record["run_id"], []).append(record["seq"])
    assert all(s == list(range(len(s))) for s in seqs.values()), "a hole in the audit log"


def test_healthy_traffic_does_nothing(gcp: GcpStack) -> None:
    gcp.serve("healthy")
    summary = gcp.run()
    assert summary.status == "ok", summary
    assert summary.endpoints[ENDPOINT]["decision"] == "nothing"
    assert gcp.server.jobs == {} and gcp.split() == {next(iter(gcp.split())): 100}


def test_drift_retrains_on_spot_registers_a_version_canaries_and_confirms(gcp: GcpStack) -> None:
    from google.cloud.aiplatform_v1 import types as t

    _to_canary(gcp)
    (raw,) = gcp.server.jobs.values()
    job = t.CustomJob.wrap(raw)
    assert job.job_spec.scheduling.strategy == t.Scheduling.Strategy.SPOT
    placement = gcp.state()["work"]["placement"]
    assert placement["region"].startswith("europe-") and placement["purchase"] == "spot"
    assert job.job_spec.worker_pool_specs[0].machine_spec.machine_type == placement["instance_type"]
    candidate = gcp.state()["work"]["candidate_id"]
    assert sorted(gcp.split().values()) == [10, 90] and gcp.split()[candidate] == 10

    gcp.clock.advance(minutes=11)
    gcp.serve("drifted", minutes_ago=5)
    gcp.run()
    assert gcp.split() == {candidate: 100}
    assert gcp.deployed() == [f"{gcp.model}@2"]
    assert gcp.state()["work"] is None and gcp.state()["live"]["model_version"].endswith("@2")
    assert gcp.state()["ledger"][0]["purchase"] == "spot"
    _exactly_once(gcp)


def test_a_canary_whose_accuracy_regresses_is_rolled_back_to_the_previous_split(gcp: GcpStack) -> None:
    previous = gcp.split()
    _to_canary(gcp)
    gcp.clock.advance(hours=2)  # the window now holds only the canary's traffic
    gcp.serve("drifted", minutes_ago=5, wrong=True)
    gcp.run()
    assert gcp.split() == previous
    assert gcp.deployed() == [f"{gcp.model}@1"]
    assert gcp.state()["work"] is None
    assert any(r["step"] == "rolled-back" for r in gcp.audit())
    _exactly_once(gcp)


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        (method, kind)
        for method in ("CreateCustomJob", "UploadModel", "DeployModel", "UpdateEndpoint", "UndeployModel")
        for kind in ("unavailable", "lost")
    ]
    + [("GetOperation", "deadline"), ("GetCustomJob", "deadline")],
)
def test_a_transient_fault_at_any_vertex_step_changes_nothing_in_the_outcome(
    gcp: GcpStack, method: str, kind: str
) -> None:
    gcp.server.fail(method, kind)
    _to_canary(gcp)
    gcp.clock.advance(minutes=11)
    gcp.run()
    assert len(gcp.deployed()) == 1 and gcp.deployed()[0].endswith("@2")
    _exactly_once(gcp)


@pytest.mark.parametrize(
    "method", ["CreateCustomJob", "UploadModel", "DeployModel", "UpdateEndpoint", "UndeployModel"]
)
@pytest.mark.parametrize("kind", ["unavailable", "lost"])
def test_a_run_that_dies_at_a_vertex_step_is_finished_by_the_next_run(
    gcp: GcpStack, method: str, kind: str
) -> None:
    """The step keeps failing past the retry budget (the run gives up, as a crash would: "unavailable" before
    the call applied, "lost" after); the next runs finish the work without doing anything twice."""
    gcp.server.fail(method, kind, times=1000)
    gcp.serve("drifted")
    config = gcp.config(auto_promote=True, cooldown_hours=24)  # one retrain: the cycle, not the next one
    failed = 0
    for _ in range(6):
        failed += gcp.run(config, retry_timeout=0.3).status == "incomplete"
        gcp.run_training()
        gcp.clock.advance(minutes=5)
    gcp.server.clear_faults()
    for _ in range(6):
        gcp.run(config)
        gcp.run_training()
        gcp.clock.advance(minutes=11)
    assert failed or kind == "lost"  # a lost answer is found by looking, so the run may not even fail
    steps = [r["step"] for r in gcp.audit()]
    assert "promoted" in steps or "rolled-back" in steps
    assert gcp.state()["work"] is None
    assert gcp.deployed() in ([f"{gcp.model}@2"], [f"{gcp.model}@1"])
    assert len(gcp.server.jobs) == 1
    assert gcp.server.model_versions()[gcp.model] == ["1", "2"]
    assert sum(gcp.split().values()) == 100 and len(gcp.split()) == 1


def test_two_controllers_at_once_only_one_acts(gcp: GcpStack) -> None:
    gcp.serve("drifted")
    first, second = gcp.controller(), gcp.controller()
    try:
        first.lease.acquire(gcp.clock.now.timestamp())
        summary = second.run()
        assert summary.status == "lease-held"
        assert gcp.server.jobs == {}
        first.lease.release()
        assert first.run().endpoints[ENDPOINT]["decision"] == "retrain"
    finally:
        first.vertex.close()
        second.vertex.close()
    assert len(gcp.server.jobs) == 1


def test_the_budget_guard_uses_the_run_rate_and_the_ledger_on_google_cloud(gcp: GcpStack) -> None:
    gcp.serve("drifted")
    config = gcp.config(auto_promote=True).model_copy(update={"monthly_run_rate_usd": 4000.0})
    summary = gcp.run(config)  # 4000 x 3.52/31 of December ≈ 454 USD > 80 % of 500
    assert summary.endpoints[ENDPOINT]["decision"] == "alert", summary
    (spend,) = [r for r in gcp.audit() if r["step"] == "spend"]
    assert spend["source"] == "run-rate+ledger" and spend["month_spend_usd"] > 400
    assert gcp.server.jobs == {}


#: State writes of one full cycle (drift → retrain → … → confirm), counted through the proxy.
STATE_WRITES = 13


@pytest.mark.parametrize(
    ("n", "when"),
    # every write landing unseen, and a sample of writes lost before they landed (the same code paths)
    [(n, "after") for n in range(1, STATE_WRITES + 1)] + [(n, "before") for n in (1, 3, 5, 8, 11)],
)
def test_a_run_that_dies_at_any_state_write_is_finished_by_later_runs(
    gcs_url: str, reference: tuple[bytes, bytes, Any], n: int, when: str
) -> None:
    """The run stops at the n-th write of the loop's state (the intent lost, or landed unseen); later runs
    finish the cycle from what was recorded, doing nothing twice."""
    from tests.runtime.self_healing._gcs_server import StateWriteFaults

    proxy = StateWriteFaults(gcs_url)
    try:
        with VertexServer(polls_until_done=1) as server:
            gcp = GcpStack(gcs_url, server, reference, controller_gcs_url=proxy.url).build()
            config = gcp.config(auto_promote=True, cooldown_hours=24)
            gcp.serve("drifted")
            proxy.arm(n, when)
            for _ in range(8):
                gcp.run(config)
                if proxy.fired:
                    proxy.disarm()
                elif gcp.state().get("work") is None and len(gcp.server.jobs) == 1:
                    break  # the cycle is over
                gcp.run_training()
                gcp.clock.advance(minutes=11)
            assert proxy.fired or proxy.state_writes < n
            steps = [r["step"] for r in gcp.audit()]
            # the last write is the promotion itself: "after" it, the run's "confirm" record is the proof
            assert {"promoted", "rolled-back", "confirm"} & set(steps), steps
            assert gcp.state()["work"] is None
            assert len(gcp.server.jobs) == 1
            assert gcp.server.model_versions()[gcp.model] == ["1", "2"]
            assert len(gcp.deployed()) == 1 and sum(gcp.split().values()) == 100
    finally:
        proxy.close()

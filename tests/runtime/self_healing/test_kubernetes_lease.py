"""The Kubernetes lease backend against a test-support Lease API on 127.0.0.1 (HTTPS, 409 on a stale
resourceVersion)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlkeel.files import InputError
from runtime.self_healing import Controller
from runtime.self_healing._lease import KubernetesLease, Lease, LeaseHeld, lease_for
from tests.runtime.self_healing._k8s_api import LeaseApi
from tests.runtime.self_healing._stack import ENDPOINT, Stack

NS, NAME = "fraud-dev", "fraud-dev-self-healing-lease"
T0 = 1_796_000_000.0


@pytest.fixture
def api(tmp_path: Path) -> Iterator[LeaseApi]:
    server = LeaseApi(tmp_path)
    server.create(NS, NAME)
    yield server
    server.stop()


def lease(api: LeaseApi, owner: str, seconds: int = 60) -> KubernetesLease:
    return KubernetesLease(api.url, NS, NAME, owner, seconds, str(api.token_file), str(api.ca_file))


def test_kubernetes_lease_acquire_writes_holder_renew_time_and_duration(api: LeaseApi) -> None:
    lease(api, "run-a").acquire(T0)
    spec = api.lease(NS, NAME)["spec"]
    assert spec["holderIdentity"] == "run-a" and spec["leaseDurationSeconds"] == 60
    assert spec["renewTime"] == "2026-11-30T00:53:20.000000Z" == spec["acquireTime"]
    assert api.writes == 1


def test_kubernetes_lease_held_by_another_run_until_renew_time_plus_duration(api: LeaseApi) -> None:
    lease(api, "run-a").acquire(T0)
    with pytest.raises(LeaseHeld) as held:
        lease(api, "run-b").acquire(T0 + 59)
    assert (held.value.holder, held.value.expires) == ("run-a", T0 + 60)
    assert api.lease(NS, NAME)["spec"]["holderIdentity"] == "run-a"


def test_kubernetes_lease_expired_is_taken_over_and_the_old_holder_cannot_renew(api: LeaseApi) -> None:
    a, b = lease(api, "run-a"), lease(api, "run-b")
    a.acquire(T0)
    b.acquire(T0 + 61)
    spec = api.lease(NS, NAME)["spec"]
    assert spec["holderIdentity"] == "run-b" and spec["leaseTransitions"] == 1
    with pytest.raises(LeaseHeld):
        a.renew(T0 + 62)


def test_kubernetes_lease_renew_by_the_holder_extends_it(api: LeaseApi) -> None:
    a = lease(api, "run-a")
    a.acquire(T0)
    a.renew(T0 + 50)
    with pytest.raises(LeaseHeld) as held:
        lease(api, "run-b").acquire(T0 + 100)
    assert held.value.expires == T0 + 110
    assert api.lease(NS, NAME)["spec"]["acquireTime"] == "2026-11-30T00:53:20.000000Z"


def test_kubernetes_lease_two_runs_that_read_the_same_version_only_one_takes_it(api: LeaseApi) -> None:
    api.hold_gets(2)  # both GETs return the same resourceVersion before either PUT
    outcomes: dict[str, str] = {}

    def take(owner: str) -> None:
        try:
            lease(api, owner).acquire(T0)
            outcomes[owner] = "acquired"
        except LeaseHeld as held:
            outcomes[owner] = f"held by {held.holder}"

    threads = [threading.Thread(target=take, args=(o,)) for o in ("run-a", "run-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    winner = api.lease(NS, NAME)["spec"]["holderIdentity"]
    loser = ({"run-a", "run-b"} - {winner}).pop()
    assert outcomes == {winner: "acquired", loser: f"held by {winner}"}
    assert (api.writes, api.conflicts) == (1, 1)


def test_kubernetes_lease_release_frees_it_only_for_its_holder(api: LeaseApi) -> None:
    a = lease(api, "run-a")
    a.acquire(T0)
    lease(api, "run-b").release()
    assert api.lease(NS, NAME)["spec"]["holderIdentity"] == "run-a"
    a.release()
    assert "holderIdentity" not in api.lease(NS, NAME)["spec"]
    lease(api, "run-b").acquire(T0 + 1)  # free at once, no need to wait for the expiry


def test_kubernetes_lease_missing_lease_or_bad_token_is_an_error_not_a_held_lease(
    api: LeaseApi, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError, match=r"404.*the stack creates it"):
        KubernetesLease(api.url, NS, "other", "run-a", 60, str(api.token_file), str(api.ca_file)).acquire(T0)
    wrong = tmp_path / "wrong-token"
    wrong.write_text("nope", encoding="utf-8")
    with pytest.raises(RuntimeError, match="401"):
        KubernetesLease(api.url, NS, NAME, "run-a", 60, str(wrong), str(api.ca_file)).acquire(T0)


def test_kubernetes_lease_backend_is_chosen_by_the_environment() -> None:
    env = {
        "MLKEEL_LEASE_BACKEND": "kubernetes",
        "MLKEEL_LEASE_NAME": NAME,
        "MLKEEL_LEASE_NAMESPACE": NS,
        "KUBERNETES_SERVICE_HOST": "10.0.0.1",
        "KUBERNETES_SERVICE_PORT": "6443",
    }
    chosen = lease_for("run-a", 60, None, "table", env)
    assert isinstance(chosen, KubernetesLease)
    assert chosen.url == f"https://10.0.0.1:6443/apis/coordination.k8s.io/v1/namespaces/{NS}/leases/{NAME}"
    assert isinstance(lease_for("run-a", 60, None, "table", {}), Lease)
    with pytest.raises(InputError, match="KUBERNETES_SERVICE_HOST") as missing:
        lease_for("run-a", 60, None, "table", {**env, "KUBERNETES_SERVICE_HOST": ""})
    assert missing.value.field == "KUBERNETES_SERVICE_HOST"
    with pytest.raises(InputError, match="dynamodb \\(default\\) or kubernetes"):
        lease_for("run-a", 60, None, "table", {"MLKEEL_LEASE_BACKEND": "etcd"})


def test_kubernetes_lease_guards_a_controller_run_end_to_end(stack: Stack, api: LeaseApi) -> None:
    """A whole run (moto for AWS) locked by the Kubernetes Lease: a held Lease stops it before acting."""
    runtime_clients, _ = stack.runtime
    stack.capture("drifted")
    lease(api, "someone-else", 900).acquire(stack.clock.now.timestamp())
    blocked = Controller(stack.config(), runtime_clients, clock=stack.clock)
    blocked.lease = lease(api, blocked.run_id, 900)
    assert blocked.run().status == "lease-held"
    assert stack.training_jobs() == []

    stack.clock.advance(seconds=901)
    runner = Controller(stack.config(), runtime_clients, clock=stack.clock)
    runner.lease = lease(api, runner.run_id, 900)
    summary = runner.run()
    assert summary.status == "ok" and summary.endpoints[ENDPOINT]["decision"] == "retrain", summary
    assert len(stack.training_jobs()) == 1
    assert "holderIdentity" not in api.lease(NS, NAME)["spec"]  # released at the end of the run


def test_container_command_with_a_lease_backend_it_cannot_reach_exits_2(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from runtime.self_healing.__main__ import main

    monkeypatch.setenv("MLKEEL_SELF_HEALING_CONFIG", stack.config().model_dump_json())
    monkeypatch.setenv("MLKEEL_LEASE_BACKEND", "kubernetes")
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert main([]) == 2
    assert "KUBERNETES_SERVICE_HOST" in capsys.readouterr().err
    assert stack.training_jobs() == []

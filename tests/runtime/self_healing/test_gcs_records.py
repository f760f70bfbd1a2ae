"""The GCP lease, state store and audit log against fake-gcs-server on 127.0.0.1 (real generation checks)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from runtime.self_healing._gcs import (
    GCS_LEASE_KEY,
    GcsAuditLog,
    GcsBucket,
    GcsLease,
    GcsStateStore,
    read_gcs_audit,
)
from runtime.self_healing._lease import LeaseHeld
from runtime.self_healing._record import StateConflict
from tests.runtime.self_healing._gcs_server import fake_gcs_server, new_bucket


@pytest.fixture(scope="module")
def gcs_url() -> Iterator[str]:
    with fake_gcs_server() as url:
        yield url


@pytest.fixture
def bucket(gcs_url: str) -> GcsBucket:
    client, name = new_bucket(gcs_url)
    return GcsBucket(client, name)


def test_a_second_run_cannot_take_a_lease_that_has_not_expired(bucket: GcsBucket) -> None:
    GcsLease(bucket, "run-a", 600).acquire(1000.0)
    with pytest.raises(LeaseHeld) as held:
        GcsLease(bucket, "run-b", 600).acquire(1100.0)
    assert held.value.holder == "run-a" and held.value.expires == 1600.0


def test_an_expired_lease_is_taken_over_and_the_old_holder_stops_at_its_next_renewal(
    bucket: GcsBucket,
) -> None:
    old = GcsLease(bucket, "run-a", 600)
    old.acquire(1000.0)
    GcsLease(bucket, "run-b", 600).acquire(1601.0)
    with pytest.raises(LeaseHeld):
        old.renew(1602.0)
    assert json.loads(bucket.read(GCS_LEASE_KEY)[0])["owner"] == "run-b"  # type: ignore[index]


def test_the_holder_renews_and_releases_so_the_next_run_need_not_wait(bucket: GcsBucket) -> None:
    lease = GcsLease(bucket, "run-a", 600)
    lease.acquire(1000.0)
    lease.renew(1500.0)
    assert json.loads(bucket.read(GCS_LEASE_KEY)[0])["expires"] == 2100.0  # type: ignore[index]
    lease.release()
    GcsLease(bucket, "run-b", 600).acquire(1501.0)


def test_a_release_after_losing_the_lease_leaves_the_new_holder_alone(bucket: GcsBucket) -> None:
    old = GcsLease(bucket, "run-a", 60)
    old.acquire(1000.0)
    GcsLease(bucket, "run-b", 600).acquire(2000.0)
    old.release()
    with pytest.raises(LeaseHeld):
        GcsLease(bucket, "run-c", 600).acquire(2001.0)


def test_of_runs_racing_for_a_free_lease_exactly_one_takes_it(bucket: GcsBucket) -> None:
    """The precondition is checked by the server (fake-gcs-server), not by our code: 8 threads, one winner."""
    results: dict[str, str] = {}
    barrier = threading.Barrier(8)

    def take(owner: str) -> None:
        barrier.wait()
        try:
            GcsLease(bucket, owner, 600).acquire(1000.0)
            results[owner] = "won"
        except LeaseHeld:
            results[owner] = "held"

    threads = [threading.Thread(target=take, args=(f"run-{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()).count("won") == 1
    winner = next(o for o, r in results.items() if r == "won")
    assert json.loads(bucket.read(GCS_LEASE_KEY)[0])["owner"] == winner  # type: ignore[index]


def test_a_state_written_by_another_run_since_the_read_is_a_conflict(bucket: GcsBucket) -> None:
    mine, theirs = GcsStateStore(bucket, "fraud"), GcsStateStore(bucket, "fraud")
    assert mine.load() == {} and theirs.load() == {}
    theirs.save({"work": {"phase": "training"}})
    with pytest.raises(StateConflict):
        mine.save({"work": None})
    assert GcsStateStore(bucket, "fraud").load() == {"work": {"phase": "training"}}


def test_a_state_save_that_landed_before_its_answer_was_lost_is_not_a_conflict(bucket: GcsBucket) -> None:
    store = GcsStateStore(bucket, "fraud")
    store.load()
    store.save({"streak": 1})
    landed_at = store.generation
    store.generation = None  # as if the answer of the write just made had been lost: a retry sends it again
    store.save({"streak": 1})
    assert store.generation == landed_at
    store.save({"streak": 2})
    assert GcsStateStore(bucket, "fraud").load() == {"streak": 2}


def test_audit_records_are_write_once_and_read_back_in_order(bucket: GcsBucket) -> None:
    started = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    log = GcsAuditLog(bucket, "20261204T170000Z-aaaa", started)
    log.write({"step": "run-start"})
    log.write({"step": "decide", "decision": {"action": "nothing"}})
    # a retried write of record 1 whose first attempt landed: taken as written, the first body kept
    again = GcsAuditLog(bucket, "20261204T170000Z-aaaa", started)
    again.records = log.records[:1]
    again.write({"step": "something else"})
    records = read_gcs_audit(bucket)
    assert [(r["seq"], r["step"]) for r in records] == [(0, "run-start"), (1, "decide")]

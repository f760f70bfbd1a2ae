"""Batches sharing quotas: the ILP's exact answer by hand, and the heuristic against it."""

from __future__ import annotations

import pytest

from runtime.scheduling import Job, Quota, Resources, SpotScheduler, Unplaceable, place_batch

from .conftest import offer


def _jobs() -> list[Job]:
    # long saves 10 x (1.0 - 0.4) = ~6 by running on spot, short saves ~0.6: spot goes to "long"
    return [
        Job(name="short", resources=Resources(gpus=1), runtime_hours=1),
        Job(name="long", resources=Resources(gpus=1), runtime_hours=10),
    ]


SPOT_ONE_GPU = Quota(cloud="aws", region="eu-west-1", purchase="spot", resource="gpus", limit=1)


@pytest.mark.parametrize("method", ["ilp", "heuristic"])
def test_place_batch_gives_the_scarce_spot_gpu_to_the_job_that_saves_most(method: str) -> None:
    batch = place_batch(_jobs(), [offer(od=1.0, spot=0.4)], quotas=[SPOT_ONE_GPU], method=method)  # type: ignore[arg-type]
    assert batch.plans["long"].purchase == "spot"
    assert batch.plans["short"].purchase == "on-demand"
    assert dict((q.purchase, used) for q, used in batch.quota_use) == {"spot": 1.0}
    assert batch.total_cost == pytest.approx(sum(p.expected_cost for p in batch.plans.values()))


def test_place_batch_without_quotas_equals_independent_placement() -> None:
    offers = [offer(od=1.0, spot=0.4), offer(region="eu-central-1", od=1.1, spot=0.35)]
    sched = SpotScheduler().fit(offers)
    batch = sched.place_batch(_jobs())
    for job in _jobs():
        assert batch.plans[job.name].expected_cost == pytest.approx(sched.place(job).plan.expected_cost)
    assert batch.status == "optimal"


def test_place_batch_reports_infeasible_quotas() -> None:
    quotas = [Quota(cloud="aws", region="eu-west-1", purchase="any", resource="gpus", limit=1)]
    for method in ("ilp", "heuristic"):
        batch = place_batch(_jobs(), [offer()], quotas=quotas, method=method)  # type: ignore[arg-type]
        assert batch.status == "infeasible" and batch.unplaced


def test_place_batch_raises_for_a_job_impossible_alone() -> None:
    jobs = [Job(name="huge", resources=Resources(gpus=8), runtime_hours=1)]
    with pytest.raises(Unplaceable, match="gpus ≥ 8"):
        place_batch(jobs, [offer()])


def test_place_batch_rejects_unknown_method() -> None:
    with pytest.raises(ValueError, match="allowed: ilp, heuristic"):
        SpotScheduler().fit([offer()]).place_batch(_jobs(), method="greedy")  # type: ignore[arg-type]


def test_batch_lower_bound_never_exceeds_the_ilp() -> None:
    sched = SpotScheduler(quotas=[SPOT_ONE_GPU]).fit(
        [offer(od=1.0, spot=0.4), offer("g5.2xlarge", od=1.2, spot=0.5)]
    )
    bound = sched.batch_lower_bound(_jobs())
    assert bound <= sched.place_batch(_jobs()).total_cost + 1e-9
    assert bound >= sum(sched.place(j).plan.expected_cost for j in _jobs()) - 1e-9

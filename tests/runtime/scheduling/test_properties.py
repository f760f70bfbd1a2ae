"""Property tests (issue 7): the optimum is never beaten by a single alternative
and never rises with more offers."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from runtime.pricing import InstanceType
from runtime.scheduling import Job, Offer, Quota, Resources, SpotScheduler, Unplaceable

REGIONS = ["eu-west-1", "eu-central-1"]


@st.composite
def offers_strategy(draw: st.DrawFn) -> Offer:
    gpus = draw(st.sampled_from([0, 1, 2, 4]))
    od = draw(st.floats(0.1, 10.0))
    spot = draw(st.one_of(st.none(), st.floats(0.05, 1.0).map(lambda f: round(f * od, 4))))
    region = draw(st.sampled_from(REGIONS))
    return Offer(
        instance=InstanceType(
            cloud="aws",
            region=region,
            name=f"t{draw(st.integers(0, 10_000))}.x",
            family="t",
            vcpu=draw(st.sampled_from([2, 4, 8, 16])),
            memory_gib=draw(st.sampled_from([8.0, 16.0, 64.0])),
            gpu_type="nvidia-l4" if gpus else None,
            gpu_count=gpus,
            gpu_memory_gib=24.0 if gpus else None,
            on_demand_hourly=round(od, 4),
            spot_hourly=spot,
            interruption_bucket=draw(st.integers(0, 4)),
            zones=[],
            service="ec2",
        )
    )


@st.composite
def jobs_strategy(draw: st.DrawFn, name: str = "job") -> Job:
    return Job(
        name=name,
        resources=Resources(
            gpus=draw(st.sampled_from([0, 1, 2])),
            min_vcpu=draw(st.sampled_from([1, 4, 8])),
            nodes=draw(st.sampled_from([1, 2, 8])),
        ),
        runtime_hours=draw(st.floats(0.2, 400.0)),
        deadline_hours=draw(st.one_of(st.none(), st.floats(0.5, 800.0))),
        checkpointable=draw(st.booleans()),
        checkpoint_write_minutes=draw(st.floats(0.5, 30.0)),
        restart_minutes=draw(st.floats(0.0, 30.0)),
        purchase=draw(st.sampled_from(["auto", "auto", "spot", "on-demand"])),
        confidence=draw(st.sampled_from([0.5, 0.9, 0.99])),
    )


def _best(job: Job, offers: list[Offer]) -> float | None:
    try:
        return SpotScheduler().fit(offers).place(job).plan.expected_cost
    except Unplaceable:
        return None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    offers=st.lists(
        offers_strategy(), min_size=1, max_size=8, unique_by=lambda o: (o.region, o.instance_type)
    ),
    job=jobs_strategy(),
)
def test_placement_never_beaten_by_a_single_alternative(offers: list[Offer], job: Job) -> None:
    best = _best(job, offers)
    for single in offers:
        alone = _best(job, [single])
        if alone is not None:
            assert best is not None, "a single offer is feasible, so the full list must be"
            assert best <= alone + 1e-9 * max(1.0, alone)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    offers=st.lists(
        offers_strategy(), min_size=2, max_size=8, unique_by=lambda o: (o.region, o.instance_type)
    ),
    job=jobs_strategy(),
)
def test_adding_an_offer_never_raises_the_optimum(offers: list[Offer], job: Job) -> None:
    before = _best(job, offers[:-1])
    after = _best(job, offers)
    if before is not None:
        assert after is not None and after <= before + 1e-9 * max(1.0, before)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    offers=st.lists(
        offers_strategy(), min_size=1, max_size=6, unique_by=lambda o: (o.region, o.instance_type)
    ),
    jobs=st.lists(jobs_strategy(), min_size=1, max_size=6),
    limit=st.integers(0, 12),
)
def test_batch_ilp_respects_quotas_and_beats_the_heuristic(
    offers: list[Offer], jobs: list[Job], limit: int
) -> None:
    jobs = [j.model_copy(update={"name": f"j{i}"}) for i, j in enumerate(jobs)]
    quotas = [Quota(cloud="aws", region=r, purchase="spot", resource="gpus", limit=limit) for r in REGIONS]
    sched = SpotScheduler(quotas=quotas).fit(offers)
    try:
        singles = [sched.place(j).plan.expected_cost for j in jobs]
    except Unplaceable:
        assume(False)
        return
    ilp = sched.place_batch(jobs, method="ilp")
    heur = sched.place_batch(jobs, method="heuristic")
    if ilp.status == "infeasible":
        assert heur.status == "infeasible"
        return
    assert ilp.status == "optimal"
    for quota, used in ilp.quota_use:
        assert used <= quota.limit
    assert ilp.total_cost >= sum(singles) - 1e-6 * max(1.0, sum(singles))
    if heur.status == "heuristic":
        assert ilp.total_cost <= heur.total_cost + 1e-6 * max(1.0, heur.total_cost)
        for quota, used in heur.quota_use:
            assert used <= quota.limit

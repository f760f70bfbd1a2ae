"""Single-job placement on small hand-checkable offer lists (issue 7's proof cases)."""

from __future__ import annotations

import pytest

from runtime.pricing import Catalog
from runtime.scheduling import (
    DataLocation,
    Job,
    NotFittedError,
    PriceProfile,
    Quota,
    Resources,
    SpotScheduler,
    Unplaceable,
    offers_from_catalog,
    place_job,
)

from .conftest import offer

GPU_JOB = Job(name="train", resources=Resources(gpus=1), runtime_hours=6, deadline_hours=24)


def test_place_cheapest_allowed_region_wins() -> None:
    offers = [offer(region="eu-central-1", spot=0.48), offer(region="eu-west-1", spot=0.44)]
    placement = place_job(GPU_JOB, offers, home=("aws", "eu-west-1"))
    assert (placement.plan.region, placement.plan.purchase) == ("eu-west-1", "spot")
    assert placement.runner_up is not None and placement.runner_up.region == "eu-central-1"


def test_place_residency_excludes_a_cheaper_region(small_catalog: Catalog) -> None:
    anywhere = offers_from_catalog(small_catalog, clouds=["aws"], residency_zone="any")
    in_eu = offers_from_catalog(small_catalog, clouds=["aws"], residency_zone="eu")
    job = Job(name="train", resources=Resources(min_gpu_memory_gib=24), runtime_hours=6)
    assert place_job(job, anywhere).plan.region == "us-east-1"  # spot 0.30 there
    assert place_job(job, in_eu).plan.region == "eu-west-1"  # spot 0.44: us-east-1 is outside 'eu'
    assert all(o.region != "us-east-1" for o in in_eu)


def test_place_tight_deadline_forces_on_demand() -> None:
    # 6 h of work plus one 5-minute checkpoint write is 6.08 h on spot; on-demand needs 6 h.
    job = Job(name="urgent", resources=Resources(gpus=1), runtime_hours=6, deadline_hours=6.05)
    placement = place_job(job, [offer(od=1.0, spot=0.3)], home=("aws", "eu-west-1"))
    assert placement.plan.purchase == "on-demand"
    assert placement.plan.expected_cost == pytest.approx(6.0)
    assert "no spot plan meets the deadline" in placement.reason


def test_place_long_fragile_job_avoids_high_interruption_spot() -> None:
    # A: spot 0.30 in the >20 % bucket; B: spot 0.33 in the <5 % bucket. 8 nodes, 300 h.
    offers = [
        offer("g6.48xlarge", spot=0.30, bucket=4),
        offer("g5.48xlarge", gpu="nvidia-a10g", spot=0.33, bucket=0),
    ]
    fragile = Job(
        name="fragile", resources=Resources(gpus=1, nodes=8), runtime_hours=300, checkpointable=False
    )
    sturdy = fragile.model_copy(update={"name": "sturdy", "checkpointable": True})
    chosen = place_job(fragile, offers).plan
    assert chosen.instance_type == "g5.48xlarge" and chosen.purchase == "spot"
    assert chosen.run_loss_probability is not None and chosen.run_loss_probability < 0.1
    # the same job with checkpoints loses little per interruption, so the cheaper pool wins
    assert place_job(sturdy, offers).plan.instance_type == "g6.48xlarge"


def test_place_expected_cost_by_hand() -> None:
    # No interruptions possible in 1 h at bucket 0 matters little; check the on-demand arithmetic exactly.
    job = Job(name="od", resources=Resources(gpus=1, nodes=2), runtime_hours=3, purchase="on-demand")
    plan = place_job(job, [offer(od=1.25)]).plan
    assert plan.expected_cost == pytest.approx(2 * 1.25 * 3)
    assert plan.checkpoint_interval_hours is None and plan.interruption_range is None


def test_place_reports_checkpoint_interval_and_savings() -> None:
    job = Job(name="ckpt", resources=Resources(gpus=1), runtime_hours=10, checkpoint_write_minutes=6)
    placement = place_job(job, [offer(od=1.0, spot=0.4, bucket=4)], home=("aws", "eu-west-1"))
    plan = placement.plan
    assert plan.purchase == "spot" and plan.interruption_range == ">20%"
    # M = 730 / -ln(0.75) = 2537.5 h; Daly with δ = 0.1 h
    assert plan.checkpoint_interval_hours == pytest.approx(22.4, abs=0.1)
    assert placement.baseline is not None and placement.baseline.purchase == "on-demand"
    assert placement.savings == pytest.approx(10.0 - plan.expected_cost)
    assert 0.5 < (placement.savings_fraction or 0) < 0.62


def test_place_speed_factors_change_the_run_time() -> None:
    # reference A10G runs 10 h; an L4 is half as fast, so its cheaper price loses
    offers = [
        offer("g6.2xlarge", gpu="nvidia-l4", od=0.9, spot=0.36),
        offer("g5.2xlarge", gpu="nvidia-a10g", od=1.1, spot=0.5),
    ]
    job = Job(
        name="speed",
        resources=Resources(gpus=1),
        runtime_hours=10,
        reference_type="g5.2xlarge",
        speed_factors={"nvidia-l4": 0.5},
    )
    plan = place_job(job, offers).plan
    assert plan.instance_type == "g5.2xlarge"
    slow = place_job(job.model_copy(update={"purchase": "on-demand"}), [offers[0]]).plan
    assert slow.run_hours == pytest.approx(20.0)


def test_place_egress_pulls_the_job_to_its_data() -> None:
    offers = [offer(region="eu-central-1", spot=0.45), offer(region="eu-west-1", spot=0.44)]
    job = Job(
        name="data",
        resources=Resources(gpus=1),
        runtime_hours=6,
        data=DataLocation(region="eu-central-1", size_gib=500),
    )
    placement = place_job(job, offers, home=("aws", "eu-west-1"))
    assert placement.plan.region == "eu-central-1" and placement.plan.egress_cost == 0.0
    elsewhere = place_job(job, offers[1:], home=("aws", "eu-west-1")).plan
    assert elsewhere.egress_cost == pytest.approx(500 * 1.073741824 * 0.02)  # AWS inter-region $0.02/GB
    assert elsewhere.expected_cost == pytest.approx(elsewhere.compute_cost + elsewhere.egress_cost)


def test_place_spot_pool_is_diversified_in_one_region() -> None:
    offers = [
        offer("g6.2xlarge", spot=0.40),
        offer("g6.4xlarge", vcpu=16, spot=0.45),
        offer("g5.2xlarge", gpu="nvidia-a10g", spot=0.48),
        offer("g5.12xlarge", gpus=4, spot=2.40),  # far dearer: stays out
        offer("g6.2xlarge", region="eu-central-1", spot=0.41),  # other region: stays out
    ]
    plan = place_job(GPU_JOB, offers).plan
    assert plan.pool == ("g6.2xlarge", "g6.4xlarge", "g5.2xlarge")


def test_place_time_window_starts_when_prices_drop() -> None:
    night = [1.0, 1.0, 0.5, 0.5, 0.5, 0.5] + [1.0] * 18
    profile = PriceProfile(cloud="aws", region="eu-west-1", purchase="any", multipliers=night)
    job = Job(
        name="nightly", resources=Resources(gpus=1), runtime_hours=3, deadline_hours=24, purchase="on-demand"
    )
    plan = place_job(job, [offer(od=2.0)], price_profiles=[profile], now_hour=0.0).plan
    assert plan.start_in_hours == 2 and plan.price_multiplier == pytest.approx(0.5)
    assert plan.expected_cost == pytest.approx(2.0 * 0.5 * 3)


def test_place_quota_excludes_a_region() -> None:
    offers = [offer(region="eu-west-1", spot=0.40), offer(region="eu-central-1", spot=0.45)]
    quota = Quota(cloud="aws", region="eu-west-1", purchase="any", resource="gpus", limit=0)
    assert place_job(GPU_JOB, offers, quotas=[quota]).plan.region == "eu-central-1"


@pytest.mark.parametrize(
    ("job", "message"),
    [
        (
            Job(name="a100", resources=Resources(gpu_types=["nvidia-a100"]), runtime_hours=1),
            r"meets gpuTypes in \['nvidia-a100'\]: GPU types offered: nvidia-l4",
        ),
        (
            Job(name="big", resources=Resources(min_gpu_memory_gib=80), runtime_hours=1),
            r"minGpuMemoryGib ≥ 80: the most offered is 24 GiB of GPU memory \(g6.2xlarge in eu-west-1\)",
        ),
        (
            Job(name="eight", resources=Resources(gpus=8), runtime_hours=1),
            r"gpus ≥ 8: the most offered is 1 GPUs",
        ),
        (
            Job(name="late", resources=Resources(gpus=1), runtime_hours=10, deadline_hours=5),
            r"deadline 5 h is shorter than the fastest run: 10.00 h on g6.2xlarge",
        ),
        (
            Job(
                name="spotonly",
                resources=Resources(gpus=1),
                runtime_hours=10,
                deadline_hours=10.05,
                purchase="spot",
            ),
            r"no spot plan meets the 10.05 h deadline with 90% confidence",
        ),
    ],
)
def test_place_impossible_job_names_the_unmet_constraint(job: Job, message: str) -> None:
    with pytest.raises(Unplaceable, match=message):
        place_job(job, [offer()])


def test_place_spot_only_without_spot_price() -> None:
    job = Job(name="s", resources=Resources(gpus=1), runtime_hours=1, purchase="spot")
    with pytest.raises(Unplaceable, match="has a spot price"):
        place_job(job, [offer(spot=None)])


def test_place_before_fit_raises() -> None:
    with pytest.raises(NotFittedError, match=r"call fit\(offers\) first"):
        SpotScheduler().place(GPU_JOB)


def test_fit_rejects_an_empty_offer_list() -> None:
    with pytest.raises(ValueError, match="at least one offer"):
        SpotScheduler().fit([])


def test_place_interruption_scale_moves_fragile_work_to_on_demand() -> None:
    job = Job(name="fragile", resources=Resources(gpus=1), runtime_hours=100, checkpointable=False)
    offers = [offer(od=1.0, spot=0.4, bucket=4)]
    # advisor rate: M = 2537 h, expected 102 h on spot at 0.4 beats 100 h on-demand at 1.0
    assert place_job(job, offers).plan.purchase == "spot"
    # interrupted 100x as often: M = 25 h, a 100 h run restarts ~50 times on spot
    assert place_job(job, offers, interruption_scale=100).plan.purchase == "on-demand"
    with pytest.raises(ValueError, match="interruption_scale"):
        SpotScheduler(interruption_scale=0).fit(offers)


def test_place_spot_pool_has_at_least_two_types_and_prices_the_spread() -> None:
    offers = [
        offer("g6.2xlarge", spot=0.40, bucket=0),
        offer("g5.2xlarge", gpu="nvidia-a10g", spot=0.80, bucket=0),
    ]
    plan = place_job(GPU_JOB, offers).plan
    assert plan.pool == ("g6.2xlarge", "g5.2xlarge")  # g5 is 100 % dearer, but one type is one failure domain
    dear = place_job(GPU_JOB, offers[1:]).plan
    assert plan.pool_worst_cost == pytest.approx(dear.expected_cost)
    single = place_job(GPU_JOB, offers, min_pool_types=1).plan
    assert single.pool == ("g6.2xlarge",) and single.pool_worst_cost == pytest.approx(single.expected_cost)

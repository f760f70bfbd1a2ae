"""The interruption model: hand-checked formulas and a Monte Carlo check of the expectations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from runtime.scheduling import (
    daly_interval,
    deadline_probability,
    expected_wall_hours,
    mean_time_between_interruptions,
    run_loss_probability,
    young_interval,
)


def test_mean_time_between_interruptions_matches_the_notes() -> None:
    # notes B4: 20 %/month -> 3,270 h; 5 %/month -> 14,200 h
    assert float(mean_time_between_interruptions(0.20)) == pytest.approx(3271.4, abs=0.1)
    assert float(mean_time_between_interruptions(0.05)) == pytest.approx(14231.9, abs=0.1)
    assert float(mean_time_between_interruptions(0.20, nodes=4)) == pytest.approx(3271.4 / 4, abs=0.1)
    assert math.isinf(float(mean_time_between_interruptions(0.0)))


def test_mean_time_between_interruptions_rejects_rates_outside_0_1() -> None:
    with pytest.raises(ValueError, match="monthly interruption rate"):
        mean_time_between_interruptions(1.0)


def test_young_and_daly_intervals_by_hand() -> None:
    # δ = 0.1 h, M = 10 h: Young √2 = 1.41421; Daly √2·(1 + ⅓√0.005 + 0.005/9) − 0.1 = 1.34833
    assert float(young_interval(0.1, 10)) == pytest.approx(1.414214, abs=1e-6)
    assert float(daly_interval(0.1, 10)) == pytest.approx(1.348333, abs=1e-6)
    # δ ≥ 2M: checkpoint every M
    assert float(daly_interval(30, 10)) == 10
    assert math.isinf(float(daly_interval(0.1, math.inf)))


def test_daly_interval_rejects_zero_write_time() -> None:
    with pytest.raises(ValueError, match="write time"):
        daly_interval(0.0, 10)


def test_expected_wall_hours_without_interruptions_is_work_plus_writes() -> None:
    # 10 h of work, checkpoint every 4 h: segments 4+δ, 4+δ, 2+δ
    got = expected_wall_hours(10, math.inf, checkpointable=True, write_hours=0.1, interval_hours=4)
    assert float(got) == pytest.approx(10.3)
    assert float(expected_wall_hours(10, math.inf, checkpointable=False)) == pytest.approx(10.0)


def _simulate(
    work: float,
    mtbi: float,
    tau: float,
    write: float,
    restart: float,
    checkpointable: bool,
    runs: int,
    seed: int,
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    segments = (
        [work]
        if not checkpointable
        else [tau + write] * int(work // tau)
        + ([work - tau * int(work // tau) + write] if work - tau * int(work // tau) > 1e-12 else [])
    )
    out = np.empty(runs)
    for r in range(runs):
        t = 0.0
        for seg in segments:
            while True:
                fail = rng.exponential(mtbi)
                if fail >= seg:
                    t += seg
                    break
                t += fail
                # restart, which can itself be interrupted
                while True:
                    fail = rng.exponential(mtbi)
                    if fail >= restart:
                        t += restart
                        break
                    t += fail
        out[r] = t
    return out


@pytest.mark.parametrize("checkpointable", [True, False])
def test_expected_wall_hours_agrees_with_monte_carlo(checkpointable: bool) -> None:
    work, mtbi, tau, write, restart = 6.0, 8.0, 1.5, 0.1, 0.2
    sims = _simulate(work, mtbi, tau, write, restart, checkpointable, runs=6000, seed=7)
    want = float(
        expected_wall_hours(
            work,
            mtbi,
            checkpointable=checkpointable,
            write_hours=write,
            restart_hours=restart,
            interval_hours=tau,
        )
    )
    se = sims.std() / math.sqrt(sims.size)
    assert abs(sims.mean() - want) < 4 * se, (sims.mean(), want, se)


@pytest.mark.parametrize("checkpointable", [True, False])
def test_deadline_probability_is_a_lower_bound(checkpointable: bool) -> None:
    work, mtbi, tau, write, restart = 6.0, 8.0, 1.5, 0.1, 0.2
    sims = _simulate(work, mtbi, tau, write, restart, checkpointable, runs=4000, seed=11)
    for deadline in (7.0, 9.0, 12.0, 20.0):
        bound = float(
            deadline_probability(
                work,
                mtbi,
                deadline,
                checkpointable=checkpointable,
                write_hours=write,
                restart_hours=restart,
                interval_hours=tau,
            )
        )
        observed = float(np.mean(sims <= deadline))
        assert bound <= observed + 0.02, (deadline, bound, observed)


def test_deadline_probability_zero_when_deadline_below_the_run() -> None:
    assert float(deadline_probability(6, 100, 5.9, checkpointable=False)) == 0.0
    assert (
        float(deadline_probability(6, 100, 6.05, checkpointable=True, write_hours=0.1, interval_hours=6))
        == 0.0
    )


def test_run_loss_probability_by_hand() -> None:
    assert float(run_loss_probability(10, 100)) == pytest.approx(1 - math.exp(-0.1))

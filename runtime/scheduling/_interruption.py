"""Expected run time and cost of a job on spot capacity, from the interruption rate and checkpointing.

The model (``docs/scheduling.md`` has the derivation): interruptions arrive as a Poisson process whose
rate comes from the AWS Spot Advisor bucket (monthly interruption frequency p → mean time between
interruptions M = 730 h / −ln(1−p), divided by the number of nodes, since losing any node stops a
synchronous job). A checkpointable job writes a checkpoint (δ hours) every τ hours of work, τ from Daly's
formula; after an interruption it restarts (R hours) and redoes the work since the last checkpoint. Daly's
expected wall time for a segment of length s is ``M·e^{R/M}·(e^{s/M} − 1)``; a job is a sum of segments. A
job that cannot checkpoint is one segment of its whole length: its expected time grows exponentially with
length/M, which is what keeps long fragile jobs off highly interrupted spot pools.

Every function here takes numpy arrays (or floats) and broadcasts, so one call prices a job on every offer.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

#: Hours per month, the unit of the advisor's monthly interruption frequency (and Infracost's 730).
HOURS_PER_MONTH = 730.0

#: Spot Advisor buckets: monthly interruption frequency <5 %, 5-10 %, 10-15 %, 15-20 %, >20 %.
#: The expected cost uses each bucket's midpoint (">20 %" is taken as 25 %)...
BUCKET_RATE_MID: tuple[float, ...] = (0.025, 0.075, 0.125, 0.175, 0.25)
#: ...and deadline confidence uses its upper edge (">20 %" as 35 %): the advisor's trailing-month average
#: hides spikes (aws/karpenter#3044), so a promise about a deadline should assume the bad end.
BUCKET_RATE_HIGH: tuple[float, ...] = (0.05, 0.10, 0.15, 0.20, 0.35)

FloatArray = NDArray[np.float64]


def mean_time_between_interruptions(monthly_rate: ArrayLike, nodes: ArrayLike = 1) -> FloatArray:
    """Mean hours between interruptions of a job on ``nodes`` nodes: ``730 / −ln(1 − p) / nodes``.

    ``monthly_rate`` is the probability that one node is interrupted within a month (0 ≤ p < 1); p = 0
    gives an infinite mean. From the notes: 20 % → 3,270 h, 5 % → 14,200 h per node.
    """
    p = np.asarray(monthly_rate, dtype=float)
    if np.any((p < 0) | (p >= 1)):
        raise ValueError(f"monthly interruption rate must be in [0, 1); got {p}")
    with np.errstate(divide="ignore"):
        per_node = HOURS_PER_MONTH / -np.log1p(-p)
    return np.asarray(per_node / np.asarray(nodes, dtype=float), dtype=float)


def young_interval(write_hours: ArrayLike, mtbi_hours: ArrayLike) -> FloatArray:
    """Young's (1974) first-order optimum checkpoint interval ``√(2δM)`` in hours of work."""
    return np.sqrt(2.0 * np.asarray(write_hours, dtype=float) * np.asarray(mtbi_hours, dtype=float))


def daly_interval(write_hours: ArrayLike, mtbi_hours: ArrayLike) -> FloatArray:
    """Daly's (2006) higher-order optimum checkpoint interval in hours of work.

    ``τ = √(2δM)·[1 + ⅓√(δ/2M) + (1/9)(δ/2M)] − δ`` for δ < 2M, else ``τ = M``. With no interruptions
    (M = ∞) the interval is infinite: checkpoint only at the end.

    See Also
    --------
    young_interval : the first-order formula this refines.
    """
    delta = np.asarray(write_hours, dtype=float)
    m = np.asarray(mtbi_hours, dtype=float)
    if np.any(delta <= 0):
        raise ValueError("checkpoint write time must be > 0 hours to derive an interval")
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        x = delta / (2.0 * m)
        tau = np.sqrt(2.0 * delta * m) * (1.0 + np.sqrt(x) / 3.0 + x / 9.0) - delta
        out = np.where(delta < 2.0 * m, tau, m)
    return np.asarray(np.where(np.isinf(m), np.inf, out), dtype=float)


def _segment_time(length: FloatArray, mtbi: FloatArray, restart: FloatArray) -> FloatArray:
    """Expected wall time to get through ``length`` hours uninterrupted: ``M·e^{R/M}·(e^{s/M} − 1)``."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        inv = np.where(np.isinf(mtbi), 0.0, 1.0 / mtbi)
        # expm1(s/M)·M → s as M → ∞; write it so M = ∞ gives exactly s.
        t = np.where(
            inv > 0, np.exp(restart * inv) * np.expm1(length * inv) / np.where(inv > 0, inv, 1.0), length
        )
    return np.asarray(np.where(np.isnan(t), np.inf, t), dtype=float)


def expected_wall_hours(
    work_hours: ArrayLike,
    mtbi_hours: ArrayLike,
    *,
    checkpointable: bool,
    write_hours: ArrayLike = 0.0,
    restart_hours: ArrayLike = 0.0,
    interval_hours: ArrayLike | None = None,
) -> FloatArray:
    """Expected wall-clock hours to finish ``work_hours`` of work under interruptions every ``mtbi_hours``.

    Checkpointable: ⌊W/τ⌋ full segments of τ + δ and a last segment of the remainder + δ (the final
    save), each priced by Daly's segment formula; ``interval_hours`` defaults to :func:`daly_interval`.
    Not checkpointable: one segment of W, so every interruption loses the whole run. ``inf`` when the
    expectation overflows (a job that practically never finishes).
    """
    w = np.asarray(work_hours, dtype=float)
    m = np.asarray(mtbi_hours, dtype=float)
    r = np.asarray(restart_hours, dtype=float)
    if not checkpointable:
        return _segment_time(w, m, r)
    delta = np.asarray(write_hours, dtype=float)
    tau = daly_interval(delta, m) if interval_hours is None else np.asarray(interval_hours, dtype=float)
    tau = np.minimum(tau, w)  # never checkpoint less often than once per run
    full = np.floor(w / tau)
    rest = w - full * tau
    t_full = _segment_time(tau + delta, m, r)
    t_rest = np.where(rest > 1e-12, _segment_time(rest + delta, m, r), 0.0)
    with np.errstate(invalid="ignore"):
        total = full * t_full + t_rest
    return np.asarray(np.where(np.isnan(total), np.inf, total), dtype=float)


def deadline_probability(
    work_hours: ArrayLike,
    mtbi_hours: ArrayLike,
    deadline_hours: ArrayLike,
    *,
    checkpointable: bool,
    write_hours: ArrayLike = 0.0,
    restart_hours: ArrayLike = 0.0,
    interval_hours: ArrayLike | None = None,
) -> FloatArray:
    """Probability (a lower bound) that the job finishes within ``deadline_hours`` of wall time.

    Checkpointable: with no interruption the run takes ``W + ⌈W/τ⌉·δ``; each interruption costs at most
    ``τ + δ + R``; so the job is done by D if at most ``k = ⌊(D − base)/(τ + δ + R)⌋`` interruptions
    happen in D hours, whose count is Poisson(D/M). Not checkpointable: each attempt survives with
    probability ``e^{−W/M}`` and a failed attempt costs at most ``W + R``, so ``k + 1`` attempts fit and
    P = 1 − (1 − e^{−W/M})^{k+1}. Pass the pessimistic M (:data:`BUCKET_RATE_HIGH`) for a promise.
    """
    w = np.asarray(work_hours, dtype=float)
    m = np.asarray(mtbi_hours, dtype=float)
    d = np.asarray(deadline_hours, dtype=float)
    r = np.asarray(restart_hours, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if checkpointable:
            delta = np.asarray(write_hours, dtype=float)
            tau = (
                daly_interval(delta, m) if interval_hours is None else np.asarray(interval_hours, dtype=float)
            )
            tau = np.minimum(tau, w)
            base = w + np.ceil(w / tau) * delta
            k = np.floor((d - base) / (tau + delta + r))
            mean = np.where(np.isinf(m), 0.0, d / m)
            # pdtr is the Poisson CDF as a plain ufunc (scipy.stats.poisson.cdf minus its per-call overhead)
            p = np.where(k >= 0, special.pdtr(np.maximum(k, 0.0), mean), 0.0)
            p = np.where(d >= base, p, 0.0)
        else:
            q = np.exp(-w / m)
            k = np.floor((d - w) / (w + r))
            p = np.where(d >= w, 1.0 - (1.0 - q) ** (k + 1.0), 0.0)
    return np.asarray(np.nan_to_num(p, nan=0.0), dtype=float)


def run_loss_probability(work_hours: ArrayLike, mtbi_hours: ArrayLike) -> FloatArray:
    """Probability that an attempt of a non-checkpointable job is interrupted before it ends: 1 − e^{−W/M}."""
    w = np.asarray(work_hours, dtype=float)
    m = np.asarray(mtbi_hours, dtype=float)
    return np.asarray(-np.expm1(-w / m), dtype=float)

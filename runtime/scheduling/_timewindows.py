"""Time windows: when prices vary by hour of day, the cheapest start hour that still meets the deadline.

A price profile is 24 multipliers of the catalog price, one per UTC hour of day, repeating daily. The
average multiplier over a run of T hours starting at t is (F(t + T) − F(t)) / T with F the running
integral of the profile; F is exact for fractional hours, so a 2.5 h run starting at 22:00 pays 2 h of
the 22:00 and 23:00 prices and half an hour of the 00:00 price.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def _integral(profile: FloatArray, t: FloatArray) -> FloatArray:
    cum = np.concatenate([[0.0], np.cumsum(profile)])
    days = np.floor(t / 24.0)
    into = t - days * 24.0
    hour = np.minimum(np.floor(into).astype(int), 23)
    return np.asarray(days * cum[24] + cum[hour] + (into - hour) * profile[hour], dtype=float)


def average_multiplier(profile: ArrayLike, start_hour: ArrayLike, duration_hours: ArrayLike) -> FloatArray:
    """Mean of ``profile`` (24 values, UTC hour of day) over ``[start, start + duration)``, broadcasting.

    ``start_hour`` is hours since midnight UTC (any real ≥ 0); an infinite duration gives the daily mean.
    """
    p = np.asarray(profile, dtype=float)
    if p.shape != (24,):
        raise ValueError(f"a price profile has 24 hourly values, got shape {p.shape}")
    s = np.asarray(start_hour, dtype=float)
    d = np.asarray(duration_hours, dtype=float)
    if np.any(d <= 0):
        raise ValueError("durations must be > 0 hours")
    finite = np.isfinite(d)
    dd = np.where(finite, d, 1.0)
    avg = (_integral(p, s + dd) - _integral(p, s)) / dd
    return np.asarray(np.where(finite, avg, p.mean()), dtype=float)


def cheapest_start(
    profile: ArrayLike,
    duration_hours: float,
    *,
    now_hour: float = 0.0,
    deadline_hours: float | None = None,
    max_delay_hours: int = 23,
) -> tuple[int, float]:
    """``(delay, multiplier)``: the whole-hour delay from now with the lowest average price multiplier.

    The run must end by ``deadline_hours`` from now; delays go up to ``max_delay_hours`` (a day covers
    every hour of a daily profile). Ties go to the earliest start. Raises ``ValueError`` when even an
    immediate start misses the deadline.
    """
    if deadline_hours is not None and duration_hours > deadline_hours:
        raise ValueError(
            f"a run of {duration_hours:g} h cannot end within the deadline of {deadline_hours:g} h"
        )
    latest = max_delay_hours
    if deadline_hours is not None:
        latest = min(latest, int(np.floor(deadline_hours - duration_hours + 1e-9)))
    delays = np.arange(0, latest + 1, dtype=float)
    avg = average_multiplier(profile, now_hour + delays, duration_hours)
    best = int(np.argmin(avg))
    return int(delays[best]), float(avg[best])

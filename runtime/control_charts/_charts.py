"""Statistical process control over metric streams: EWMA, two-sided tabular CUSUM and Shewhart charts.

Why control charts on top of drift tests: a deployed model emits a stream of numbers every few minutes
(accuracy, p95 latency, error rate, drift share). A single bad window is noise; a small persistent
shift is what should page someone. CUSUM and EWMA catch small shifts quickly, Shewhart catches large
spikes. Each chart is fitted on an in-control baseline (centre and sigma, or given explicitly) and
returns the statistic, the limits and the alarm points of a new stream.

Formulas (Montgomery, *Introduction to Statistical Quality Control*):

* EWMA: ``z_t = lam * x_t + (1 - lam) * z_{t-1}``, ``z_0 = mu0``; limits
  ``mu0 +/- L * sigma * sqrt(lam / (2 - lam) * (1 - (1 - lam)^(2t)))``.
* CUSUM: ``C+_t = max(0, x_t - (mu0 + k*sigma) + C+_{t-1})``,
  ``C-_t = max(0, (mu0 - k*sigma) - x_t + C-_{t-1})``; alarm when either exceeds ``h * sigma``.
* Shewhart individuals: alarm beyond ``mu0 +/- L * sigma`` (sigma from the average moving range / 1.128
  when estimated), optionally with Western Electric rules 2-4.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict
from scipy.signal import lfilter

from runtime._errors import NotFittedError

_numba: Any
try:
    import numba as _numba
except ImportError:  # pragma: no cover
    _numba = None

__all__ = [
    "ChartResult",
    "CusumChart",
    "EwmaChart",
    "NotFittedError",
    "ShewhartChart",
    "cusum_chart",
    "ewma_chart",
    "shewhart_chart",
]

#: d2 constant for moving ranges of two points: E[|x_t - x_{t-1}|] = 1.128 sigma.
D2_MOVING_RANGE = 1.128


class ChartResult(BaseModel):
    """Chart statistic, limits and alarms of one stream (arrays as lists so it serialises to JSON)."""

    model_config = ConfigDict(frozen=True)

    chart: str
    center: float
    sigma: float
    statistic: list[float]
    upper: list[float]
    lower: list[float]
    alarms: list[int]
    first_alarm: int | None
    params: dict[str, float]


def _series(values: Any, name: str = "values") -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).ravel()
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise ValueError(
            f"{name} must be finite; position {bad} is {float(arr[bad])} "
            "(drop or impute missing points first)"
        )
    return arr


def _baseline(values: Any, moving_range: bool = False) -> tuple[float, float]:
    base = _series(values, "baseline")
    if base.size < 2:
        raise ValueError(f"a baseline needs at least 2 points to estimate sigma, got {base.size}")
    center = float(base.mean())
    if moving_range:
        sigma = float(np.mean(np.abs(np.diff(base))) / D2_MOVING_RANGE)
    else:
        sigma = float(base.std(ddof=1))
    if not sigma > 0:
        raise ValueError("the baseline is constant (sigma 0): give sigma= explicitly")
    return center, sigma


def _result(
    chart: str,
    center: float,
    sigma: float,
    stat: np.ndarray,
    upper: np.ndarray,
    lower: np.ndarray,
    alarm_mask: np.ndarray,
    params: dict[str, float],
) -> ChartResult:
    alarms = np.flatnonzero(alarm_mask)
    return ChartResult(
        chart=chart,
        center=center,
        sigma=sigma,
        statistic=stat.tolist(),
        upper=upper.tolist(),
        lower=lower.tolist(),
        alarms=alarms.tolist(),
        first_alarm=int(alarms[0]) if alarms.size else None,
        params=params,
    )


class _Chart:
    center: float | None
    sigma: float | None
    _moving_range = False

    def fit(self, baseline: Any) -> _Chart:
        """Estimate centre and sigma from in-control points (explicit values given to the constructor win)."""
        center, sigma = _baseline(baseline, self._moving_range)
        self.center_ = self.center if self.center is not None else center
        self.sigma_ = self.sigma if self.sigma is not None else sigma
        return self

    def _fitted(self) -> tuple[float, float]:
        center = getattr(self, "center_", self.center)
        sigma = getattr(self, "sigma_", self.sigma)
        if center is None or sigma is None:
            raise NotFittedError(f"{type(self).__name__} needs center= and sigma=, or fit(baseline) first")
        if not sigma > 0:
            raise ValueError(f"sigma must be > 0, got {sigma}")
        return float(center), float(sigma)


class EwmaChart(_Chart):
    """EWMA chart. ``lam`` (0 < lam <= 1) weights the newest point; ``L`` is the limit width in sigmas.

    See Also: ewma_chart (function twin).
    """

    def __init__(
        self, *, lam: float = 0.2, L: float = 3.0, center: float | None = None, sigma: float | None = None
    ) -> None:
        if not 0 < lam <= 1:
            raise ValueError(f"lam={lam!r} must be in (0, 1]")
        if not L > 0:
            raise ValueError(f"L={L!r} must be > 0")
        self.lam, self.L, self.center, self.sigma = lam, L, center, sigma

    def score(self, values: Any) -> ChartResult:
        """EWMA statistic of ``values``, its time-varying limits and the alarm points."""
        center, sigma = self._fitted()
        x = _series(values)
        lam = self.lam
        # z_t = lam x_t + (1 - lam) z_{t-1} with z_0 = center, as one IIR filter (C speed)
        z, _ = lfilter([lam], [1.0, -(1.0 - lam)], x, zi=np.array([(1.0 - lam) * center]))
        t = np.arange(1, x.size + 1)
        width = self.L * sigma * np.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2 * t)))
        upper, lower = center + width, center - width
        return _result(
            "ewma", center, sigma, z, upper, lower, (z > upper) | (z < lower), {"lam": lam, "L": self.L}
        )


def _cusum_loop(x: np.ndarray, hi_ref: float, lo_ref: float) -> tuple[np.ndarray, np.ndarray]:
    cp = np.empty_like(x)
    cm = np.empty_like(x)
    sp = 0.0
    sm = 0.0
    for i in range(x.size):
        sp = max(0.0, x[i] - hi_ref + sp)
        sm = max(0.0, lo_ref - x[i] + sm)
        cp[i] = sp
        cm[i] = sm
    return cp, cm


_cusum_compiled = _numba.njit(nogil=True, cache=True)(_cusum_loop) if _numba is not None else None


class CusumChart(_Chart):
    """Two-sided tabular CUSUM. ``k`` is the allowance and ``h`` the decision interval, both in sigmas.

    See Also: cusum_chart (function twin).
    """

    def __init__(
        self, *, k: float = 0.5, h: float = 5.0, center: float | None = None, sigma: float | None = None
    ) -> None:
        if not k >= 0 or not h > 0:
            raise ValueError(f"k={k!r} must be >= 0 and h={h!r} > 0")
        self.k, self.h, self.center, self.sigma = k, h, center, sigma

    def score(self, values: Any, engine: str | None = None) -> ChartResult:
        """Upper and lower CUSUM sums; ``statistic`` is the upper sum, ``lower`` holds minus the lower sum."""
        center, sigma = self._fitted()
        x = _series(values)
        hi_ref, lo_ref = center + self.k * sigma, center - self.k * sigma
        kernel = _cusum_compiled if (_cusum_compiled is not None and engine != "numpy") else _cusum_loop
        cp, cm = kernel(x, hi_ref, lo_ref)
        limit = self.h * sigma
        alarms = (cp > limit) | (cm > limit)
        return _result(
            "cusum", center, sigma, cp, np.full(x.size, limit), -cm, alarms, {"k": self.k, "h": self.h}
        )


class ShewhartChart(_Chart):
    """Shewhart individuals chart: alarm beyond ``L`` sigmas; ``run_rules`` adds Western Electric rules 2-4
    (2 of 3 beyond 2 sigma, 4 of 5 beyond 1 sigma, 8 in a row on one side, all on the same side).

    See Also: shewhart_chart (function twin).
    """

    _moving_range = True

    def __init__(
        self,
        *,
        L: float = 3.0,
        run_rules: bool = False,
        center: float | None = None,
        sigma: float | None = None,
    ) -> None:
        if not L > 0:
            raise ValueError(f"L={L!r} must be > 0")
        self.L, self.run_rules, self.center, self.sigma = L, run_rules, center, sigma

    def score(self, values: Any) -> ChartResult:
        """Points beyond the limits (and, with run rules, the last point of each violating run)."""
        center, sigma = self._fitted()
        x = _series(values)
        upper, lower = np.full(x.size, center + self.L * sigma), np.full(x.size, center - self.L * sigma)
        alarms = (x > upper) | (x < lower)
        if self.run_rules:
            zscore = (x - center) / sigma
            for side in (1.0, -1.0):
                s = zscore * side
                alarms |= _window_count(s > 2, 3) >= 2
                alarms |= _window_count(s > 1, 5) >= 4
                alarms |= _window_count(s > 0, 8) >= 8
        return _result(
            "shewhart",
            center,
            sigma,
            x,
            upper,
            lower,
            alarms,
            {"L": self.L, "run_rules": float(self.run_rules)},
        )


def _window_count(flags: np.ndarray, window: int) -> np.ndarray:
    """How many of the last ``window`` flags (including this point) are true."""
    c = np.concatenate(([0], np.cumsum(flags.astype(np.int64))))
    idx = np.arange(1, flags.size + 1)
    return c[idx] - c[np.maximum(idx - window, 0)]


def ewma_chart(values: Any, *, center: float, sigma: float, lam: float = 0.2, L: float = 3.0) -> ChartResult:
    """Function twin of :class:`EwmaChart` with an explicit centre and sigma."""
    return EwmaChart(lam=lam, L=L, center=center, sigma=sigma).score(values)


def cusum_chart(values: Any, *, center: float, sigma: float, k: float = 0.5, h: float = 5.0) -> ChartResult:
    """Function twin of :class:`CusumChart` with an explicit centre and sigma."""
    return CusumChart(k=k, h=h, center=center, sigma=sigma).score(values)


def shewhart_chart(
    values: Any, *, center: float, sigma: float, L: float = 3.0, run_rules: bool = False
) -> ChartResult:
    """Function twin of :class:`ShewhartChart` with an explicit centre and sigma."""
    return ShewhartChart(L=L, run_rules=run_rules, center=center, sigma=sigma).score(values)

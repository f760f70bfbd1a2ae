"""Per-column drift statistics with Evidently 0.7's exact definitions.

Each public function here is the stateless twin of :class:`runtime.drift.DriftDetector`: give it a
reference and a current sample (1-D arrays or Series; NaN and +/-inf are dropped first, as Evidently
does) and it returns the statistic. The private ``_from_*`` helpers take what a cached reference
profile already holds (sorted values, value counts) so a detector never re-reads the reference.

Definitions (see docs/runtime.md for the table):

* Kolmogorov-Smirnov: ``scipy.stats.ks_2samp`` (two-sided, ``method="auto"``); drift when p <= threshold.
* Wasserstein (normed): ``wasserstein_distance(ref, cur) / max(std_ref, 0.001)`` with the population
  std (ddof=0) of the reference in its original row order; drift when score >= threshold.
* PSI: Sturges bins over the combined ref+cur range for numerical columns with more than 20 distinct
  reference values, one bin per value otherwise; empty bins filled per side with
  ``min(non-zero share) / 1e6`` (or 1e-4); ``sum((r - c) * ln(r / c))``; drift when >= threshold.
* Jensen-Shannon: ``scipy.spatial.distance.jensenshannon`` (natural log) on the same bins, no fill.
* chi-square: ``scipy.stats.chisquare(cur_counts, ref_counts * n_cur / n_ref)``; drift when p < threshold.
  An unseen category has expected count 0, so the statistic is inf and p is 0.
* Z-test: two-proportion z-test on the share of values different from the smallest value.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from runtime.drift._kernels import bin_counts, ks_w1

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "chi_square_test",
    "finite_values",
    "jensen_shannon_distance",
    "kolmogorov_smirnov",
    "ks_critical_band",
    "ks_drifts",
    "population_stability_index",
    "sturges_edges",
    "wasserstein_distance_norm",
    "z_test",
]

#: Above this sample size scipy's ``ks_2samp(method="auto")`` switches from the exact to the
#: asymptotic p-value; below it we call scipy itself (it is cheap there).
KS_EXACT_MAX_N = 10_000

#: Evidently's empty-bin fill: min non-zero share / 1e6 when that share is <= 1e-4, else 1e-4.
_FILL_SMALL = 1e-4


def finite_values(values: Any) -> np.ndarray:
    """Numeric values as float64 with NaN and +/-inf removed (Evidently drops both before testing)."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    return arr[np.isfinite(arr)]


def _clean_objects(values: Any) -> pd.Series:
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    series = series.replace([np.inf, -np.inf], np.nan).dropna()
    return series.reset_index(drop=True)


# ------------------------------------------------------------------------------------------------
# Kolmogorov-Smirnov and Wasserstein from sorted samples
# ------------------------------------------------------------------------------------------------


def _ks_from_sorted(
    ref_sorted: np.ndarray, cur_sorted: np.ndarray, engine: str | None = None
) -> tuple[float, float]:
    """(D, p-value) exactly as ``scipy.stats.ks_2samp`` with ``method="auto"`` computes them."""
    n1, n2 = ref_sorted.size, cur_sorted.size
    if max(n1, n2) <= KS_EXACT_MAX_N:
        from scipy import stats as _st  # imported where needed: scipy.stats alone costs ~1 s of start-up

        res = _st.ks_2samp(ref_sorted, cur_sorted)
        return float(res.statistic), float(res.pvalue)
    d, _ = ks_w1(ref_sorted, cur_sorted, want_w1=False, engine=engine)
    return d, ks_asymptotic_pvalue(d, n1, n2)


def ks_asymptotic_pvalue(d: float, n1: int, n2: int) -> float:
    """scipy's asymptotic two-sided p-value ``kstwo.sf(D, round(n1*n2/(n1+n2)))`` clipped to [0, 1]."""
    from scipy import stats as _st

    prob = _st.kstwo.sf(d, _ks_effective_n(n1, n2))
    return float(np.clip(prob, 0, 1))


def _ks_effective_n(n1: int, n2: int) -> float:
    m, n = sorted([float(n1), float(n2)], reverse=True)
    return float(np.round(m * n / (m + n)))


#: Half-width (relative) of the band around the critical D inside which the p-value decides.
_KS_BAND = (1e-9, 1e-6, 1e-3)


@functools.lru_cache(maxsize=512)
def ks_critical_band(alpha: float, n_effective: float) -> tuple[float, float, float] | None:
    """``(lo, critical D, hi)`` around scipy's asymptotic critical D for ``p <= alpha``, or None if none.

    Why a band and not one number: ``kstwo.sf`` (the p-value) costs up to half a second per call where it
    is small but not zero, while the verdict ``p <= alpha`` only asks on which side of the critical D
    ``kstwo.isf(alpha, n)`` the statistic falls (the survival function falls as D grows). isf is a
    numerical inverse, so the band edges are checked with sf itself: ``sf(lo) > alpha`` and
    ``sf(hi) <= alpha``. Outside the band the verdict is scipy's; inside it (a D within 1e-9 relative of
    the critical value) the caller computes the p-value. Cached per (alpha, n): one monitoring job sees
    few distinct window sizes.
    """
    if not (0.0 < alpha < 1.0) or not math.isfinite(alpha):
        return None
    from scipy import stats as _st

    crit = float(_st.kstwo.isf(alpha, n_effective))
    if not (math.isfinite(crit) and 0.0 < crit < 1.0):
        return None
    for eps in _KS_BAND:
        lo, hi = crit * (1.0 - eps), min(crit * (1.0 + eps), 1.0)
        if _st.kstwo.sf(lo, n_effective) > alpha and np.clip(_st.kstwo.sf(hi, n_effective), 0, 1) <= alpha:
            return lo, crit, hi
    return None


def ks_drifts(d: float, n1: int, n2: int, alpha: float) -> tuple[bool | None, float | None]:
    """(verdict of scipy's asymptotic ``p <= alpha``, the critical D) without the p-value where possible.

    The verdict is None when D is too close to the critical value (or alpha is 0 or 1): compute the
    p-value then. Only for samples past :data:`KS_EXACT_MAX_N`, where scipy uses the asymptotic method.
    """
    band = ks_critical_band(float(alpha), _ks_effective_n(n1, n2))
    if band is None:
        return None, None
    lo, crit, hi = band
    if d >= hi:
        return True, crit
    if d <= lo:
        return False, crit
    return None, crit


def _w1_from_sorted(
    ref_sorted: np.ndarray, cur_sorted: np.ndarray, engine: str | None = None
) -> tuple[float, float]:
    """(Wasserstein-1 distance, KS D) from one merge; W1 equal to scipy's to ~1e-14 relative."""
    d, w1 = ks_w1(ref_sorted, cur_sorted, want_w1=True, engine=engine)
    return w1, d


def kolmogorov_smirnov(reference: Any, current: Any) -> tuple[float, float]:
    """Two-sample KS test: ``(statistic D, p-value)``, the numbers ``scipy.stats.ks_2samp`` gives.

    See Also: :class:`runtime.drift.DriftDetector` with ``method="ks"`` (cached reference).
    """
    ref, cur = np.sort(finite_values(reference)), np.sort(finite_values(current))
    _require_nonempty(ref, cur)
    return _ks_from_sorted(ref, cur)


def wasserstein_distance_norm(reference: Any, current: Any) -> float:
    """Wasserstein-1 distance divided by ``max(std(reference, ddof=0), 0.001)``, as Evidently norms it.

    See Also: :class:`runtime.drift.DriftDetector` with ``method="wasserstein"``.
    """
    ref_raw = finite_values(reference)
    cur = np.sort(finite_values(current))
    _require_nonempty(ref_raw, cur)
    w1, _ = _w1_from_sorted(np.sort(ref_raw), cur)
    return w1 / reference_norm(ref_raw)


def reference_norm(ref_in_row_order: np.ndarray) -> float:
    """``max(std, 0.001)`` with the population std Evidently gets from ``np.std`` on a pandas Series,
    computed in the original row order.

    pandas' ``nanstd`` is this same two-pass formula (the mean from NumPy's pairwise sum, then the
    pairwise sum of squared deviations over n), so the value is pandas' to the bit without importing
    pandas, a quarter of a second a fresh ``keel drift`` would otherwise spend. (pandas routes through
    bottleneck instead where that is installed; it is not a dependency here or of Evidently.)
    """
    values = np.asarray(ref_in_row_order, dtype=np.float64)
    if values.size == 0:
        return 0.001
    mean = values.sum(dtype=np.float64) / values.size
    variance = ((mean - values) ** 2).sum(dtype=np.float64) / values.size
    return max(float(np.sqrt(variance)), 0.001)


def _require_nonempty(ref: np.ndarray | Sequence[Any], cur: np.ndarray | Sequence[Any]) -> None:
    if len(ref) == 0:
        raise ValueError("reference sample has no finite values; drift is undefined for an empty sample")
    if len(cur) == 0:
        raise ValueError("current sample has no finite values; drift is undefined for an empty sample")


# ------------------------------------------------------------------------------------------------
# Binning shared by PSI and Jensen-Shannon
# ------------------------------------------------------------------------------------------------


def sturges_edges(minimum: float, maximum: float, size: int, integer: bool = False) -> np.ndarray:
    """``np.histogram_bin_edges(data, bins="sturges")`` from the data's min, max and size only.

    Evidently bins the *combined* reference + current sample, so the edges depend on the window; this
    lets a cached profile compute them without concatenating the two samples.
    """
    first, last = float(minimum), float(maximum)
    if first == last:
        first, last = first - 0.5, last + 0.5
    width = (float(maximum) - float(minimum)) / (np.log2(size) + 1.0)
    if width:
        if integer and width < 1:
            width = 1
        n_bins = int(np.ceil((last - first) / width))
    else:
        n_bins = 1
    edges = np.linspace(first, last, n_bins + 1, endpoint=True, dtype=np.float64)
    if n_bins > 1 and not np.all(edges[1:] > edges[:-1]):
        # a range narrower than float resolution: numpy (and so Evidently) raises "Too many bins for
        # data range"; we keep the distinct edges instead, a defined result rather than a crash
        edges = np.unique(edges)
    return edges


def _fill_zeros(shares: np.ndarray) -> np.ndarray:
    """Evidently's empty-bin fill, applied per side."""
    nonzero = shares[shares != 0]
    if nonzero.size == 0 or nonzero.size == shares.size:
        return shares
    smallest = min(nonzero)
    fill = smallest / 10**6 if smallest <= _FILL_SMALL else _FILL_SMALL
    out = shares.copy()
    np.place(out, out == 0, fill)
    return out


def _psi_from_shares(ref_shares: np.ndarray, cur_shares: np.ndarray) -> float:
    r, c = _fill_zeros(ref_shares), _fill_zeros(cur_shares)
    return float(np.sum((r - c) * np.log(r / c)))


def _js_from_shares(ref_shares: np.ndarray, cur_shares: np.ndarray) -> float:
    """``scipy.spatial.distance.jensenshannon(ref, cur)`` step for step (same operations, same numbers)
    without importing ``scipy.spatial``, whose package import (qhull, k-d trees) costs a quarter second of
    every ``keel drift`` start-up. ``scipy.special.rel_entr`` stays: a Python ``math.log`` version
    differed from it in the last bit."""
    from scipy.special import rel_entr

    p = np.asarray(ref_shares)
    q = np.asarray(cur_shares)
    p = p / np.sum(p, axis=0, keepdims=True)
    q = q / np.sum(q, axis=0, keepdims=True)
    m = (p + q) / 2.0
    js = np.sum(rel_entr(p, m), axis=0) + np.sum(rel_entr(q, m), axis=0)
    return float(np.sqrt(js / 2.0))


def _value_shares(
    ref_values: np.ndarray, ref_counts: np.ndarray, cur_values: np.ndarray, cur_counts: np.ndarray
) -> tuple[list[Any], np.ndarray, np.ndarray, int, int]:
    """Per-value shares over the union of both sides' values (one bin per value)."""
    ref_map = dict(zip(ref_values.tolist(), ref_counts.tolist(), strict=True))
    cur_map = dict(zip(cur_values.tolist(), cur_counts.tolist(), strict=True))
    keys = sorted(set(ref_map) | set(cur_map), key=_sort_key)
    n_ref, n_cur = int(ref_counts.sum()), int(cur_counts.sum())
    ref_shares = np.array([ref_map.get(k, 0) / n_ref for k in keys], dtype=np.float64)
    cur_shares = np.array([cur_map.get(k, 0) / n_cur for k in keys], dtype=np.float64)
    return keys, ref_shares, cur_shares, n_ref, n_cur


def _sort_key(value: Any) -> tuple[str, Any]:
    # Mixed types (e.g. 1 and "1") must still sort deterministically.
    return (type(value).__name__, value)


def _binned_shares_numeric(
    ref_sorted: np.ndarray,
    cur: np.ndarray,
    ref_n_unique: int,
    *,
    integer: bool,
    cur_sorted: bool,
    engine: str | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(edges, ref shares, cur shares) of Evidently's numerical binning with more than 20 distinct values."""
    n_ref, n_cur = ref_sorted.size, cur.size
    cur_min = float(cur[0]) if cur_sorted else float(cur.min())
    cur_max = float(cur[-1]) if cur_sorted else float(cur.max())
    edges = sturges_edges(
        min(float(ref_sorted[0]), cur_min),
        max(float(ref_sorted[-1]), cur_max),
        n_ref + n_cur,
        integer=integer,
    )
    ref_counts = bin_counts(ref_sorted, edges, is_sorted=True)
    cur_counts = bin_counts(cur, edges, is_sorted=cur_sorted, engine=engine)
    return edges, ref_counts / n_ref, cur_counts / n_cur


def sorted_value_counts(sorted_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and their counts of a sorted array in one pass."""
    if sorted_values.size == 0:
        return sorted_values[:0], np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], sorted_values[1:] != sorted_values[:-1])))
    counts = np.diff(np.append(starts, sorted_values.size)).astype(np.int64)
    return sorted_values[starts], counts


def _object_value_counts(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    counts = series.value_counts(dropna=True, sort=False)
    return np.asarray(counts.index, dtype=object), counts.to_numpy(dtype=np.int64)


def population_stability_index(reference: Any, current: Any, *, kind: str = "numerical") -> float:
    """PSI with Evidently's binning and empty-bin fill (``kind`` is ``"numerical"`` or ``"categorical"``).

    See Also: :class:`runtime.drift.DriftDetector` with ``method="psi"``; ``method="psi_quantile"``
    bins on reference deciles instead.
    """
    return _shares_stat(reference, current, kind, _psi_from_shares)


def jensen_shannon_distance(reference: Any, current: Any, *, kind: str = "numerical") -> float:
    """Jensen-Shannon distance (natural log, at most sqrt(ln 2)) on Evidently's PSI bins, no fill.

    See Also: :class:`runtime.drift.DriftDetector` with ``method="jensenshannon"``.
    """
    return _shares_stat(reference, current, kind, _js_from_shares)


def _shares_stat(reference: Any, current: Any, kind: str, fn: Any) -> float:
    if kind == "numerical":
        ref = np.sort(finite_values(reference))
        cur = np.sort(finite_values(current))
        _require_nonempty(ref, cur)
        ref_vals, ref_counts = sorted_value_counts(ref)
        if ref_vals.size > 20:
            _, r, c = _binned_shares_numeric(
                ref, cur, ref_vals.size, integer=False, cur_sorted=True, engine=None
            )
            return float(fn(r, c))
        cur_vals, cur_counts = sorted_value_counts(cur)
    elif kind == "categorical":
        ref_s, cur_s = _clean_objects(reference), _clean_objects(current)
        _require_nonempty(ref_s, cur_s)
        ref_vals, ref_counts = _object_value_counts(ref_s)
        cur_vals, cur_counts = _object_value_counts(cur_s)
    else:
        raise ValueError(f"kind must be 'numerical' or 'categorical', got {kind!r}")
    _, r, c, _, _ = _value_shares(ref_vals, ref_counts, cur_vals, cur_counts)
    return float(fn(r, c))


# ------------------------------------------------------------------------------------------------
# Count-based tests
# ------------------------------------------------------------------------------------------------


def _chi_square_from_counts(
    ref_values: np.ndarray, ref_counts: np.ndarray, cur_values: np.ndarray, cur_counts: np.ndarray
) -> tuple[float, float, list[Any]]:
    """(statistic, p-value, unseen categories) of Evidently's chi-square goodness-of-fit test."""
    ref_map = dict(zip(ref_values.tolist(), ref_counts.tolist(), strict=True))
    cur_map = dict(zip(cur_values.tolist(), cur_counts.tolist(), strict=True))
    keys = sorted(set(ref_map) | set(cur_map), key=_sort_key)
    n_ref, n_cur = int(ref_counts.sum()), int(cur_counts.sum())
    k_norm = n_cur / n_ref
    f_exp = [ref_map.get(k, 0) * k_norm for k in keys]
    f_obs = [cur_map.get(k, 0) for k in keys]
    unseen = [k for k in keys if ref_map.get(k, 0) == 0]
    if len(keys) == 1:
        # one category on both sides: identical distributions, but 0 degrees of freedom make scipy's p
        # NaN (Evidently: NaN, "not drifted"); report the defined equivalent, p = 1
        return 0.0, 1.0, unseen
    with np.errstate(divide="ignore", invalid="ignore"):
        from scipy import stats as _st

        res = _st.chisquare(f_obs, f_exp)
    return float(res.statistic), float(res.pvalue), unseen


def chi_square_test(reference: Any, current: Any) -> tuple[float, float]:
    """Chi-square goodness of fit of current counts against reference shares: ``(statistic, p-value)``.

    A category absent from the reference gives statistic inf and p-value 0 (always drift), as in Evidently.
    See Also: :class:`runtime.drift.DriftDetector` with ``method="chisquare"``.
    """
    ref_s, cur_s = _clean_objects(reference), _clean_objects(current)
    _require_nonempty(ref_s, cur_s)
    stat, p, _ = _chi_square_from_counts(*_object_value_counts(ref_s), *_object_value_counts(cur_s))
    return stat, p


def _z_from_counts(
    ref_values: np.ndarray, ref_counts: np.ndarray, cur_values: np.ndarray, cur_counts: np.ndarray
) -> tuple[float, float]:
    """(z statistic, two-sided p-value) of Evidently's two-proportion z-test."""
    ref_map = dict(zip(ref_values.tolist(), ref_counts.tolist(), strict=True))
    cur_map = dict(zip(cur_values.tolist(), cur_counts.tolist(), strict=True))
    keys = sorted(set(ref_map) | set(cur_map), key=_sort_key)
    if len(keys) > 2:
        raise ValueError(f"the Z-test needs a binary column, found {len(keys)} distinct values")
    if len(ref_map) == 1 and len(cur_map) == 1 and keys == list(ref_map):
        return 0.0, 1.0
    first = keys[0]
    n1, n2 = int(ref_counts.sum()), int(cur_counts.sum())
    p1 = float(n1 - ref_map.get(first, 0)) / n1
    p2 = float(n2 - cur_map.get(first, 0)) / n2
    pooled = float(p1 * n1 + p2 * n2) / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    from scipy import stats as _st

    p_value = 2 * (1 - _st.norm.cdf(np.abs(z)))
    return float(z), float(p_value)


def z_test(reference: Any, current: Any) -> tuple[float, float]:
    """Two-proportion z-test for a binary column: ``(z, two-sided p-value)``.

    See Also: :class:`runtime.drift.DriftDetector` with ``method="z"``.
    """
    ref_s, cur_s = _clean_objects(reference), _clean_objects(current)
    _require_nonempty(ref_s, cur_s)
    return _z_from_counts(*_object_value_counts(ref_s), *_object_value_counts(cur_s))

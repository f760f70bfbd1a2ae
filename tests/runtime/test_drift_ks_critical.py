"""KS decided through scipy's critical D: the same verdicts as ``scipy.stats.ks_2samp``'s p-value, and the
same p-values wherever one is reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from runtime.drift import DriftDetector
from runtime.drift._stats import KS_EXACT_MAX_N, _ks_effective_n, ks_critical_band, ks_drifts

ALPHAS = st.sampled_from([1e-9, 0.001, 0.01, 0.05, 0.1, 0.5, 0.95])


def _scipy_asymptotic_p(d: float, n1: int, n2: int) -> float:
    return float(np.clip(sps.kstwo.sf(d, _ks_effective_n(n1, n2)), 0, 1))


SIZES = st.sampled_from([KS_EXACT_MAX_N + 1, 12_345, 100_000, 1_000_000, 20_000_000])


@settings(max_examples=60, deadline=None)
@given(
    n1=SIZES,
    n2=st.one_of(SIZES, st.integers(1, 50)),
    alpha=ALPHAS,
    rel=st.one_of(st.floats(-0.2, 0.2), st.sampled_from([0.0, 1e-12, -1e-12, 1e-9, -1e-9, 1e-6, -1e-6])),
    raw=st.one_of(st.none(), st.floats(0.0, 1.0)),
)
def test_critical_d_verdict_equals_scipy_p_value_verdict(n1, n2, alpha, rel, raw):
    band = ks_critical_band(alpha, _ks_effective_n(n1, n2))
    assert band is not None
    d = raw if raw is not None else min(band[1] * (1 + rel), 1.0)  # mostly next to the critical value
    verdict, _ = ks_drifts(d, n1, n2, alpha)
    if verdict is not None:  # None: the caller computes the p-value (tested below)
        assert verdict == (_scipy_asymptotic_p(d, n1, n2) <= alpha)


@settings(max_examples=20, deadline=None)
@given(n_eff=st.integers(5_000, 10**8), alpha=st.sampled_from([0.01, 0.05, 0.1, 0.5]))
def test_critical_band_edges_sit_on_both_sides_of_alpha(n_eff, alpha):
    band = ks_critical_band(alpha, float(n_eff))
    assert band is not None
    lo, crit, hi = band
    assert lo < crit < hi
    assert sps.kstwo.sf(lo, n_eff) > alpha >= np.clip(sps.kstwo.sf(hi, n_eff), 0, 1)


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.0])
def test_thresholds_without_a_critical_value_fall_back_to_the_p_value(alpha):
    assert ks_drifts(0.01, 20_000, 20_000, alpha) == (None, None)
    ref = pd.DataFrame({"x": np.random.default_rng(1).normal(size=20_000)})
    cur = pd.DataFrame({"x": np.random.default_rng(2).normal(size=20_000)})
    col = DriftDetector(method="ks", threshold=alpha).fit(ref).score(cur).column("x")
    expected = sps.ks_2samp(ref["x"], cur["x"]).pvalue
    assert col.p_value == expected and col.drifted == (expected <= alpha)


def _sample(rng: np.random.Generator, n: int, shift: float, ties: int | None) -> np.ndarray:
    x = rng.normal(shift, 1.0, n)
    return np.round(x, ties) if ties is not None else x


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_ref=st.sampled_from([1, 2, 50, 999, 1000, 1001, 9_999, 10_000, 10_001, 25_000]),
    n_cur=st.sampled_from([1, 3, 500, 10_000, 10_001, 12_345, 40_000]),
    shift=st.sampled_from([0.0, 0.005, 0.02, 0.05, 0.3]),
    ties=st.sampled_from([None, 3, 1, 0]),
    alpha=ALPHAS,
)
def test_detector_ks_verdicts_and_reported_p_values_equal_scipy(seed, n_ref, n_cur, shift, ties, alpha):
    rng = np.random.default_rng(seed)
    ref = pd.DataFrame({"x": _sample(rng, n_ref, 0.0, ties)})
    cur = pd.DataFrame({"x": _sample(rng, n_cur, shift, ties)})
    expected = sps.ks_2samp(ref["x"], cur["x"])
    fast = DriftDetector(method="ks", threshold=alpha).fit(ref).score(cur).column("x")
    full = DriftDetector(method="ks", threshold=alpha, p_values=True).fit(ref).score(cur).column("x")
    assert fast.statistic == full.statistic == expected.statistic
    assert fast.drifted == full.drifted == bool(expected.pvalue <= alpha)
    assert full.p_value == expected.pvalue
    if fast.p_value is not None:
        assert fast.p_value == expected.pvalue
    else:  # decided by the critical value: only past the exact method's size
        assert max(n_ref, n_cur) > KS_EXACT_MAX_N and fast.critical_value is not None
        assert fast.score == fast.statistic and fast.comparison == "D >= critical D"


def test_large_samples_skip_the_p_value_and_a_report_can_ask_for_it():
    rng = np.random.default_rng(7)
    ref = pd.DataFrame({"x": rng.normal(size=30_000)})
    cur = pd.DataFrame({"x": rng.normal(0.04, 1.0, 30_000)})  # p around 1e-6: scipy's slow region
    fast = DriftDetector(method="ks").fit(ref).score(cur).column("x")
    asked = DriftDetector(method="ks", p_values=True).fit(ref).score(cur).column("x")
    assert fast.p_value is None and fast.drifted and fast.statistic > fast.critical_value
    assert asked.p_value == sps.ks_2samp(ref["x"], cur["x"]).pvalue and asked.drifted


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_ref=st.sampled_from([1, 2, 7, 300, 20_000]),
    n_cur=st.sampled_from([1, 5, 2_000, 30_000]),
    buckets=st.sampled_from([1, 2, 64, 16_384]),
    ties=st.sampled_from([None, 2, 0]),
    tails=st.booleans(),
)
def test_bucketed_ks_statistic_equals_the_sorted_merge(seed, n_ref, n_cur, buckets, ties, tails):
    from runtime.drift._kernels import ks_statistic_unsorted, ks_w1, numba_available
    from runtime.drift._ks_buckets import KsBuckets

    assert numba_available()  # the in-memory fast path is compiled; numba is a dependency
    rng = np.random.default_rng(seed)
    ref = np.sort(_sample(rng, n_ref, 0.0, ties))
    cur = rng.standard_cauchy(n_cur) if tails else _sample(rng, n_cur, 0.01, ties)
    cur[rng.random(n_cur) < 0.05] = np.nan
    cur[: min(2, n_cur)] = np.inf
    finite = np.sort(cur[np.isfinite(cur)])
    kb = KsBuckets(ref, buckets)
    d, n = ks_statistic_unsorted(kb, cur)
    assert n == finite.size
    if n:
        assert d == ks_w1(ref, finite, want_w1=False)[0]
        counts = np.bincount(np.searchsorted(kb.edges, finite, side="right"), minlength=kb.n_buckets)
        _, cands = kb.candidates(counts)  # the Spark path: counts plus the candidate buckets' values
        where = np.searchsorted(kb.edges, finite, side="right")
        assert kb.statistic(counts, {int(k): finite[where == k] for k in cands}) == d


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_ref=st.sampled_from([1, 2, 300, 20_000]),
    n_cur=st.sampled_from([1, 5, 2_000, 30_000]),
    decimals=st.sampled_from([0, 1, 2]),
    shift=st.sampled_from([0.0, 0.004, 0.1]),
    off_grid=st.booleans(),
)
def test_tie_heavy_ks_from_value_counts_equals_scipy(seed, n_ref, n_cur, decimals, shift, off_grid):
    """The regression: a column of 2-decimal prices used to gather and sort nearly the whole window (no
    quantile bucket can split a repeated value). With an edge per distinct reference value D comes from
    counts alone and must still be scipy's D to the bit, also where the window holds values the
    reference never saw (off_grid), below its minimum or above its maximum."""
    from runtime.drift._kernels import ks_statistic_unsorted
    from runtime.drift._ks_buckets import KsBuckets

    rng = np.random.default_rng(seed)
    ref = np.sort(np.round(rng.uniform(0.0, 1.0, n_ref), decimals))
    cur = np.round(rng.uniform(shift, 1.0 + shift, n_cur), decimals + (1 if off_grid else 0))
    cur[rng.random(n_cur) < 0.05] = np.nan
    cur[: min(2, n_cur)] = [-np.inf, np.inf][: min(2, n_cur)]
    kb = KsBuckets.at_each_value(ref)
    assert kb is not None and kb.by_value and kb.edges.size == np.unique(ref).size
    d, n = ks_statistic_unsorted(kb, cur)
    finite = cur[np.isfinite(cur)]
    assert n == finite.size
    if n:
        assert d == sps.ks_2samp(ref, finite, method="asymp").statistic


def test_detector_counts_a_tie_heavy_column_by_value_with_scipy_verdict():
    """End to end: a 2-decimal column large enough for the fast path is scored from per-value counts
    (no gathered window), with scipy's D and the verdict of scipy's p-value."""
    rng = np.random.default_rng(7)
    n = KS_EXACT_MAX_N + 5_000
    ref = pd.DataFrame({"price": np.round(rng.uniform(0.0, 1.0, n), 2)})
    cur = pd.DataFrame({"price": np.round(rng.uniform(0.01, 1.01, n), 2)})
    det = DriftDetector(numerical=["price"], categorical=[], num_method="ks").fit(ref)
    col = det.score(cur).columns[0]
    assert det._ks_buckets["price"].by_value
    want = sps.ks_2samp(ref["price"], cur["price"])
    assert col.statistic == want.statistic
    assert col.drifted == (want.pvalue <= col.threshold)


def test_by_value_layout_is_refused_past_its_value_limit():
    """A continuous reference keeps quantile buckets: an edge per value would be a copy of the sample."""
    from runtime.drift._ks_buckets import KsBuckets

    ref = np.sort(np.random.default_rng(3).normal(size=5_000))
    assert KsBuckets.at_each_value(ref, max_values=4_096) is None
    assert KsBuckets.at_each_value(np.zeros(0)) is None

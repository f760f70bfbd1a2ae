"""Single-column drift statistics: scipy/numpy equality, properties (hypothesis) and engine parity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats as sps
from scipy.spatial import distance

from runtime.drift import (
    chi_square_test,
    jensen_shannon_distance,
    kolmogorov_smirnov,
    population_stability_index,
    sturges_edges,
    wasserstein_distance_norm,
    z_test,
)
from runtime.drift._kernels import bin_counts, ks_w1, numba_available

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
samples = arrays(np.float64, st.integers(1, 60), elements=finite)
tied = arrays(np.float64, st.integers(1, 60), elements=st.integers(-5, 5).map(float))
ENGINES = ["numpy", "numba"] if numba_available() else ["numpy"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("n1,n2", [(20_000, 15_000), (12_001, 30_000)])
def test_drift_stats_ks_bit_equal_and_wasserstein_equal_to_scipy(engine, n1, n2):
    rng = np.random.default_rng(n1)
    ref = np.sort(np.round(rng.normal(size=n1), 2))  # ties on purpose
    cur = np.sort(np.round(rng.normal(0.05, 1.1, size=n2), 2))
    d, w1 = ks_w1(ref, cur, engine=engine)
    assert d == sps.ks_2samp(ref, cur).statistic
    # scipy reduces with a BLAS dot (thread-count dependent); we add left to right
    assert w1 == pytest.approx(sps.wasserstein_distance(ref, cur), rel=1e-13)


def test_drift_stats_engines_give_identical_w1():
    if not numba_available():
        pytest.skip("numba not installed")
    rng = np.random.default_rng(11)
    ref, cur = np.sort(rng.normal(size=30_000)), np.sort(rng.normal(0.1, size=25_000))
    assert ks_w1(ref, cur, engine="numba") == ks_w1(ref, cur, engine="numpy")


def test_drift_stats_ks_pvalue_equals_scipy_exact_and_asymptotic():
    rng = np.random.default_rng(0)
    for n in (300, 20_000):
        ref, cur = rng.normal(size=n), rng.normal(0.03, size=n)
        res = sps.ks_2samp(ref, cur)
        assert kolmogorov_smirnov(ref, cur) == (res.statistic, res.pvalue)


def test_drift_stats_wasserstein_norm_uses_population_std_and_floor():
    ref = np.array([1.0, 2.0, 3.0, 4.0])
    cur = np.array([2.0, 3.0, 4.0, 5.0])
    assert wasserstein_distance_norm(ref, cur) == pytest.approx(1.0 / np.std(ref))
    assert wasserstein_distance_norm(np.ones(10), np.full(10, 1.5)) == pytest.approx(0.5 / 0.001)


@settings(max_examples=80, deadline=None)
@given(lo=finite, span=st.floats(0, 1e5), size=st.integers(1, 3000), integer=st.booleans())
def test_drift_stats_sturges_edges_equal_numpy(lo, span, size, integer):
    data = np.linspace(lo, lo + span, size)
    if integer:
        data = np.round(data).astype(np.int64)
    ours = sturges_edges(data.min(), data.max(), size, integer=integer)
    try:
        expected = np.histogram_bin_edges(data, bins="sturges")
    except ValueError:  # range below float resolution: numpy refuses, we keep distinct edges
        assert ours.size >= 2 and np.all(np.diff(ours) > 0)
        return
    np.testing.assert_array_equal(ours, expected)


@settings(max_examples=80, deadline=None)
@given(ref=samples, cur=samples)
def test_drift_stats_ks_in_unit_interval_and_psi_nonnegative(ref, cur):
    d, p = kolmogorov_smirnov(ref, cur)
    assert 0.0 <= d <= 1.0 and 0.0 <= p <= 1.0
    assert population_stability_index(ref, cur) >= 0.0
    assert population_stability_index(ref, cur, kind="categorical") >= 0.0


@settings(max_examples=80, deadline=None)
@given(ref=tied, cur=tied)
def test_drift_stats_jensen_shannon_symmetric_and_bounded(ref, cur):
    a = jensen_shannon_distance(ref, cur)
    b = jensen_shannon_distance(cur, ref)
    assert a == pytest.approx(b, abs=1e-12)
    assert 0.0 <= a <= np.sqrt(np.log(2)) + 1e-12


@settings(max_examples=60, deadline=None)
@given(ref=samples, cur=samples, seed=st.integers(0, 2**32 - 1))
def test_drift_stats_invariant_to_row_order(ref, cur, seed):
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(cur)
    assert kolmogorov_smirnov(ref, cur) == kolmogorov_smirnov(ref, shuffled)
    assert population_stability_index(ref, cur) == population_stability_index(ref, shuffled)
    w = wasserstein_distance_norm(ref, cur)
    assert wasserstein_distance_norm(ref, shuffled) == pytest.approx(w, rel=1e-12, abs=1e-12)


def test_drift_stats_nan_and_inf_are_dropped_like_evidently():
    ref = np.array([1.0, 2.0, np.nan, 3.0, np.inf, 4.0])
    cur = np.array([2.0, -np.inf, 3.0, 5.0])
    assert kolmogorov_smirnov(ref, cur) == kolmogorov_smirnov([1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 5.0])


def test_drift_stats_empty_sample_raises_clear_error():
    with pytest.raises(ValueError, match="current sample has no finite values"):
        kolmogorov_smirnov([1.0, 2.0], [np.nan, np.inf])


def test_drift_stats_chi_square_unseen_category_gives_p_zero():
    stat, p = chi_square_test(["a"] * 50 + ["b"] * 50, ["a"] * 49 + ["b"] * 50 + ["new"])
    assert stat == np.inf and p == 0.0


def test_drift_stats_chi_square_equals_scipy_on_counts():
    ref = ["a"] * 60 + ["b"] * 30 + ["c"] * 10
    cur = ["a"] * 40 + ["b"] * 40 + ["c"] * 20
    expected = sps.chisquare([40, 40, 20], [60.0, 30.0, 10.0])
    assert chi_square_test(ref, cur) == (expected.statistic, expected.pvalue)


def test_drift_stats_z_test_same_single_value_is_p_one():
    assert z_test(["x"] * 10, ["x"] * 7) == (0.0, 1.0)
    z, p = z_test(["x"] * 50 + ["y"] * 50, ["x"] * 80 + ["y"] * 20)
    assert p < 0.01 and z > 0  # reference has the larger share of non-'x'


def test_drift_stats_psi_fill_matches_evidently_rule():
    # ref has no "c": its share becomes min(non-zero)/1e6 only when that min <= 1e-4, else 1e-4
    ref = ["a"] * 50 + ["b"] * 50
    cur = ["a"] * 45 + ["b"] * 45 + ["c"] * 10
    r = np.array([0.5, 0.5, 1e-4])
    c = np.array([0.45, 0.45, 0.1])
    assert population_stability_index(ref, cur, kind="categorical") == pytest.approx(
        float(np.sum((r - c) * np.log(r / c)))
    )
    assert jensen_shannon_distance(ref, cur, kind="categorical") == pytest.approx(
        distance.jensenshannon([0.5, 0.5, 0.0], [0.45, 0.45, 0.1])
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_drift_stats_bin_counts_follow_histogram_rules(engine):
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(size=10_000), 1)
    edges = np.linspace(-2, 2, 9)  # values on edges and outside the range
    np.testing.assert_array_equal(bin_counts(x, edges, engine=engine), np.histogram(x, edges)[0])
    np.testing.assert_array_equal(bin_counts(np.sort(x), edges, is_sorted=True), np.histogram(x, edges)[0])


@pytest.mark.parametrize("engine", ENGINES)
def test_drift_stats_bin_counts_non_uniform_edges_and_nonfinite(engine):
    rng = np.random.default_rng(8)
    x = rng.lognormal(size=50_000)
    x[::97] = np.nan
    x[::89] = np.inf
    edges = np.unique(np.quantile(x[np.isfinite(x)], np.linspace(0, 1, 12)))  # far from uniform
    expected = np.histogram(x[np.isfinite(x)], edges)[0]
    np.testing.assert_array_equal(bin_counts(x, edges, engine=engine), expected)


@pytest.mark.parametrize("engine", ENGINES)
def test_drift_stats_threshold_counts_equal_searchsorted(engine):
    from runtime.drift._kernels import threshold_counts

    rng = np.random.default_rng(9)
    x = np.round(rng.normal(size=20_000), 1)
    x[::50] = np.nan
    edges = np.array([-1.0, -0.5, 0.0, 0.3, 1.0])  # values equal to an edge go to the bin above
    finite = x[np.isfinite(x)]
    expected = np.bincount(np.searchsorted(edges, finite, side="right"), minlength=6)
    np.testing.assert_array_equal(threshold_counts(x, edges, engine=engine), expected)

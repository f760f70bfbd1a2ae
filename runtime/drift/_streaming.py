"""Score a window too large for memory, chunk by chunk, in memory bounded by the reference.

Why it is exact: every statistic only needs the current window's position relative to the
*reference*, so each chunk is reduced onto the reference grid (the reference's distinct values) and
the chunk is dropped:

* KS: the current ECDF at each reference value (and just below it) gives every value
  ``|F_ref - F_cur|`` that scipy evaluates, so D (and its asymptotic p-value) are bit-identical.
* chi-square, Z, Jensen-Shannon and PSI on value bins: exact counts.
* PSI / Jensen-Shannon with Evidently's Sturges bins: the edges depend on the current min, max and
  row count, so a second pass bins the chunks once the first pass has found them: exact counts.
* psi_quantile: reference-decile bins, one pass, exact.
* Wasserstein: between two reference values the reference ECDF is flat, so the integral over that
  interval follows from the count and the summed offsets of current values inside it, except where
  the two ECDFs cross inside the interval; a second pass collects only those intervals' values.
  Mathematically exact; the sums are taken in a different order than scipy's, so the value agrees to
  floating-point rounding (tests hold it to 1e-9 relative) and the result is marked ``exact=False``.

Memory: O(reference distinct values) per numerical column, O(categories) per categorical column,
plus the values of crossing intervals for Wasserstein. Windows of at most 10,000 rows keep their
values (scipy's exact KS p-value needs them).

Pass ``chunks`` as a callable returning a fresh iterator (for example a function reading a Parquet
file's row groups) or a list; a one-shot iterator allows one pass only, which is refused for methods
that need two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from runtime.drift._kernels import bin_counts
from runtime.drift._profile import CategoricalProfile, NumericalProfile, ReferenceProfile, as_frame
from runtime.drift._results import ColumnDrift, DatasetDrift
from runtime.drift._scoring import (
    ColumnRules,
    categorical_counts,
    categorical_result,
    count_statistic,
    current_numeric_values,
    decide,
    default_method,
    empty_result,
    ks_outcome,
    quantile_counts,
    summarise,
)
from runtime.drift._stats import (
    KS_EXACT_MAX_N,
    _js_from_shares,
    _psi_from_shares,
    ks_asymptotic_pvalue,
    sorted_value_counts,
    sturges_edges,
)

if TYPE_CHECKING:
    import pandas as pd


class _FittedDetector(ColumnRules, Protocol):
    """What streaming needs of :class:`~runtime.drift.DriftDetector`, named here so that this module
    does not import the detector (the detector imports this module for ``score_chunks``)."""

    drift_share: float

    def _profile(self) -> ReferenceProfile: ...


__all__ = ["MAX_OFF_GRID_VALUES", "score_chunks"]

#: Distinct current values outside the reference kept for value-binned tests on numerical columns.
MAX_OFF_GRID_VALUES = 100_000


@dataclass
class _NumAcc:
    prof: NumericalProfile
    grid: np.ndarray
    ref_grid_counts: np.ndarray
    n: int = 0
    n_missing: int = 0
    minimum: float = np.inf
    maximum: float = -np.inf
    integer: bool = True
    cnt_eq: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    cnt_in: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    off_in: np.ndarray = field(default_factory=lambda: np.zeros(0))
    q_counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    off_grid: dict[float, int] = field(default_factory=dict)
    off_grid_overflow: bool = False
    small: list[np.ndarray] = field(default_factory=list)
    sturges_counts: np.ndarray | None = None
    mixed: dict[int, list[np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        m = self.grid.size
        self.cnt_eq = np.zeros(m, dtype=np.int64)
        self.cnt_in = np.zeros(m + 1, dtype=np.int64)
        self.off_in = np.zeros(m + 1)
        self.q_counts = np.zeros(self.prof.quantile_edges.size + 1, dtype=np.int64)

    def add(self, series: pd.Series) -> None:
        import pandas as pd

        raw = current_numeric_values(self.prof, series)
        x = raw[np.isfinite(raw)]
        self.n_missing += int(raw.size - x.size)
        self.integer &= bool(pd.api.types.is_integer_dtype(series.dtype))
        if x.size == 0:
            return
        self.n += int(x.size)
        self.minimum = min(self.minimum, float(x.min()))
        self.maximum = max(self.maximum, float(x.max()))
        if self.n <= KS_EXACT_MAX_N:
            self.small.append(x.copy())
        else:
            self.small.clear()
        g, m = self.grid, self.grid.size
        j = np.searchsorted(g, x, side="left")
        eq = np.zeros(x.size, dtype=bool)
        inside = j < m
        eq[inside] = g[j[inside]] == x[inside]
        self.cnt_eq += np.bincount(j[eq], minlength=m)[:m]
        jn, xn = j[~eq], x[~eq]
        self.cnt_in += np.bincount(jn, minlength=m + 1)
        # offsets measured from the interval's right edge (left edge for the open last interval)
        right = np.where(jn < m, g[np.minimum(jn, m - 1)] - xn, xn - g[m - 1])
        self.off_in += np.bincount(jn, weights=right, minlength=m + 1)
        self.q_counts += quantile_counts(self.prof.quantile_edges, x)
        if not self.off_grid_overflow and xn.size:
            vals, counts = np.unique(xn, return_counts=True)
            for v, c in zip(vals.tolist(), counts.tolist(), strict=True):
                self.off_grid[v] = self.off_grid.get(v, 0) + c
            if len(self.off_grid) > MAX_OFF_GRID_VALUES:
                self.off_grid_overflow = True
                self.off_grid.clear()

    # -- second pass -----------------------------------------------------------------------------
    def add_second(self, series: pd.Series, edges: np.ndarray | None, mixed: np.ndarray | None) -> None:
        raw = current_numeric_values(self.prof, series)
        x = raw[np.isfinite(raw)]
        if x.size == 0:
            return
        if edges is not None:
            counts = bin_counts(x, edges)
            self.sturges_counts = counts if self.sturges_counts is None else self.sturges_counts + counts
        if mixed is not None and mixed.size:
            g = self.grid
            j = np.searchsorted(g, x, side="left")
            eq = (j < g.size) & (g[np.minimum(j, g.size - 1)] == x)
            keep = ~eq & np.isin(j, mixed)
            for interval in np.unique(j[keep]).tolist():
                self.mixed.setdefault(interval, []).append(x[keep & (j == interval)])

    # -- statistics ------------------------------------------------------------------------------
    def cum(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(# ref <= u_i, # cur <= u_i, # cur < u_i) for every grid value u_i."""
        c1_le = np.cumsum(self.ref_grid_counts)
        c2_le = np.cumsum(self.cnt_in[:-1] + self.cnt_eq)
        c2_lt = c2_le - self.cnt_eq
        return c1_le, c2_le, c2_lt

    def ks_d(self) -> float:
        n1, n2 = self.prof.n_rows, self.n
        c1_le, c2_le, c2_lt = self.cum()
        c1_prev = np.concatenate(([0], c1_le[:-1]))
        at = np.abs(c1_le / n1 - c2_le / n2)
        below = np.abs(c1_prev / n1 - c2_lt / n2)
        return float(max(at.max(), below.max()))

    def mixed_intervals(self) -> np.ndarray:
        """Interior intervals (u_{i-1}, u_i) where the current ECDF crosses the flat reference ECDF."""
        n1, n2 = self.prof.n_rows, self.n
        c1_le, c2_le, c2_lt = self.cum()
        a = c1_le[:-1] / n1
        start = c2_le[:-1] / n2
        end = c2_lt[1:] / n2
        idx = np.flatnonzero((start < a) & (a < end))
        return idx + 1  # interval index j: values between grid[j-1] and grid[j]

    def w1(self) -> float:
        n1, n2 = self.prof.n_rows, self.n
        g = self.grid
        c1_le, c2_le, _ = self.cum()
        # below the first reference value (F_ref = 0) and above the last (F_ref = 1)
        total = self.off_in[0] / n2 + self.off_in[-1] / n2
        a = c1_le[:-1] / n1
        start = c2_le[:-1] / n2
        widths = np.diff(g)
        # integral of F_cur over (u_{i-1}, u_i): start * width + sum(u_i - x) / n2
        int_f2 = start * widths + self.off_in[1:-1] / n2
        above = a <= start
        below_mask = ~above & (a >= (c2_le[1:] - self.cnt_eq[1:]) / n2)
        total += float(np.sum(np.where(above, int_f2 - a * widths, 0.0)))
        total += float(np.sum(np.where(below_mask, a * widths - int_f2, 0.0)))
        for j in np.flatnonzero(~above & ~below_mask).tolist():
            interval = j + 1
            pts = np.sort(np.concatenate(self.mixed.get(interval, [np.zeros(0)])))
            steps = np.concatenate(([g[j]], pts, [g[j + 1]]))
            levels = (c2_le[j] + np.arange(pts.size + 1)) / n2
            total += float(np.sum(np.abs(a[j] - levels) * np.diff(steps)))
        return total

    def value_counts(self) -> tuple[np.ndarray, np.ndarray]:
        if self.off_grid_overflow:
            raise ValueError(
                f"column {self.prof.name!r}: more than {MAX_OFF_GRID_VALUES} distinct current values outside "
                "the reference; value-binned tests cannot stream this column "
                "(use psi_quantile, ks or wasserstein)"
            )
        values = list(self.grid[self.cnt_eq > 0].tolist()) + list(self.off_grid)
        counts = list(self.cnt_eq[self.cnt_eq > 0].tolist()) + list(self.off_grid.values())
        order = np.argsort(values)
        return np.asarray(values, dtype=np.float64)[order], np.asarray(counts, dtype=np.int64)[order]


@dataclass
class _CatAcc:
    prof: CategoricalProfile
    counts: dict[Any, int] = field(default_factory=dict)
    n_missing: int = 0

    def add(self, series: pd.Series) -> None:
        values, counts, missing = categorical_counts(series)
        self.n_missing += missing
        for v, c in zip(values.tolist(), counts.tolist(), strict=True):
            self.counts[v] = self.counts.get(v, 0) + c


def _passes(chunks: Callable[[], Iterable[Any]] | Iterable[Any]) -> tuple[Callable[[], Iterator[Any]], bool]:
    if callable(chunks):
        return (lambda: iter(chunks())), True  # type: ignore[operator]
    if isinstance(chunks, (list, tuple)):
        return (lambda: iter(chunks)), True
    once = iter(chunks)
    return (lambda: once), False


def score_chunks(det: _FittedDetector, chunks: Callable[[], Iterable[Any]] | Iterable[Any]) -> DatasetDrift:
    """Stream ``chunks`` (DataFrames with the profile's columns) through the reference grid;
    see the module doc."""
    profile = det._profile()
    make, repeatable = _passes(chunks)
    nums: dict[str, _NumAcc] = {}
    cats: dict[str, _CatAcc] = {}
    for name, prof in profile.columns.items():
        if isinstance(prof, NumericalProfile):
            grid, counts = sorted_value_counts(prof.sorted_values)
            nums[name] = _NumAcc(prof=prof, grid=grid, ref_grid_counts=counts)
        else:
            cats[name] = _CatAcc(prof=prof)
    n_rows = 0
    for chunk in make():
        frame = as_frame(chunk)
        missing = [c for c in profile.columns if c not in frame.columns]
        if missing:
            raise ValueError(f"a chunk lacks column(s) {missing}; chunk columns: {list(frame.columns)}")
        n_rows += len(frame)
        for name, acc in nums.items():
            acc.add(frame[name])
        for name, cacc in cats.items():
            cacc.add(frame[name])

    methods = {name: _numeric_method(det, acc) for name, acc in nums.items() if acc.n and acc.prof.n_rows}
    needs_second = {
        name
        for name, m in methods.items()
        if (m in ("psi", "jensenshannon") and nums[name].prof.n_unique > 20) or m == "wasserstein"
    }
    if needs_second:
        if not repeatable:
            raise ValueError(
                f"column(s) {sorted(needs_second)} need a second pass (Sturges bins or Wasserstein): pass "
                "the chunks as a callable that returns a fresh iterator, or a list"
            )
        plans = {}
        for name in needs_second:
            acc, m = nums[name], methods[name]
            edges = None
            if m in ("psi", "jensenshannon"):
                edges = sturges_edges(
                    min(acc.minimum, float(acc.prof.sorted_values[0])),
                    max(acc.maximum, float(acc.prof.sorted_values[-1])),
                    acc.prof.n_rows + acc.n,
                    integer=acc.prof.integer and acc.integer,
                )
            plans[name] = (edges, acc.mixed_intervals() if m == "wasserstein" else None)
        for chunk in make():
            frame = as_frame(chunk)
            for name, (edges, mixed) in plans.items():
                nums[name].add_second(frame[name], edges, mixed)
        for name, (edges, _) in plans.items():
            if edges is not None:
                acc = nums[name]
                acc.sturges_edges_ = edges  # type: ignore[attr-defined]

    results: list[ColumnDrift] = []
    for name, prof in profile.columns.items():
        if name in nums:
            results.append(_numeric_result(det, nums[name], methods.get(name)))
        else:
            cacc = cats[name]
            n_cur = sum(cacc.counts.values())
            if prof.n_rows == 0:
                results.append(empty_result(det, prof, "empty_reference", n_cur, cacc.n_missing))
            elif n_cur == 0:
                results.append(empty_result(det, prof, "empty_current", 0, cacc.n_missing))
            else:
                vals = np.empty(len(cacc.counts), dtype=object)
                vals[:] = list(cacc.counts)
                counts = np.asarray(list(cacc.counts.values()), dtype=np.int64)
                results.append(categorical_result(det, prof, vals, counts, cacc.n_missing))  # type: ignore[arg-type]
    return summarise(results, det.drift_share, profile.n_rows, n_rows)


def _numeric_method(det: _FittedDetector, acc: _NumAcc) -> str:
    method = det._method_for(acc.prof.name, "numerical")
    if method is not None:
        return method
    n_values = acc.prof.n_unique
    if n_values <= 5:
        vals, _ = acc.value_counts()
        n_values = int(np.union1d(acc.grid, vals).size)
    return default_method("numerical", acc.prof.n_rows, n_values)


def _numeric_result(det: _FittedDetector, acc: _NumAcc, method: str | None) -> ColumnDrift:
    prof = acc.prof
    if prof.n_rows == 0:
        return empty_result(det, prof, "empty_reference", acc.n, acc.n_missing)
    if acc.n == 0 or method is None:
        return empty_result(det, prof, "empty_current", 0, acc.n_missing)
    threshold = det._threshold_for(prof.name, "numerical", method)
    p_value: float | None = None
    exact = True
    n1, n2 = prof.n_rows, acc.n
    if method == "ks":
        if max(n1, n2) <= KS_EXACT_MAX_N:
            from runtime.drift._stats import _ks_from_sorted

            statistic, p_value = _ks_from_sorted(prof.sorted_values, np.sort(np.concatenate(acc.small)))
        else:
            statistic = acc.ks_d()
            if getattr(det, "p_values", True):
                p_value = ks_asymptotic_pvalue(statistic, n1, n2)
    elif method == "wasserstein":
        statistic, exact = acc.w1() / prof.norm, False
    elif method == "psi_quantile":
        statistic = _psi_from_shares(prof.quantile_counts / n1, acc.q_counts / n2)
    elif method in ("psi", "jensenshannon") and prof.n_unique > 20:
        edges = acc.sturges_edges_  # type: ignore[attr-defined]
        r = bin_counts(prof.sorted_values, edges, is_sorted=True) / n1
        assert acc.sturges_counts is not None
        c = acc.sturges_counts / n2
        statistic = _psi_from_shares(r, c) if method == "psi" else _js_from_shares(r, c)
    else:
        ref_vals, ref_counts = sorted_value_counts(prof.sorted_values)
        cur_vals, cur_counts = acc.value_counts()
        statistic, p_value = count_statistic(method, ref_vals, ref_counts, cur_vals, cur_counts)
    critical: float | None = None
    if method == "ks":
        p_value, score, drifted, critical = ks_outcome(statistic, p_value, n1, n2, threshold)
    else:
        score = p_value if method in ("chisquare", "z") and p_value is not None else statistic
        drifted = decide(method, score, threshold)
    return ColumnDrift(
        column=prof.name,
        kind="numerical",
        method=method,
        statistic=statistic,
        p_value=p_value,
        critical_value=critical,
        score=score,
        threshold=threshold,
        drifted=drifted,
        n_reference=n1,
        n_current=n2,
        n_current_missing=acc.n_missing,
        exact=exact,
    )

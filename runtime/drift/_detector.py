"""DriftDetector: fit a reference profile once, score any number of current windows.

Evidently's default test choice, thresholds and comparison rules are replicated exactly (see
``docs/runtime.md``); what changes is the cost: the reference is summarised once, each current column
is cleaned and sorted once, and Kolmogorov-Smirnov D and Wasserstein come from one merge.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from runtime._errors import NotFittedError
from runtime._spark import is_spark_frame
from runtime.drift._arrow import (
    ParquetWindow,
    arrow_categorical_counts,
    arrow_numeric_values,
    is_integer_dtype,
    is_parquet_path,
)
from runtime.drift._kernels import (
    bin_counts,
    finite_min_max,
    ks_statistic_unsorted,
    ks_w1,
    resolve_engine,
    sorted_copy,
    threshold_counts,
)
from runtime.drift._ks_buckets import KsBuckets
from runtime.drift._profile import (
    CategoricalProfile,
    ColumnProfile,
    NumericalProfile,
    ReferenceProfile,
    as_frame,
    build_profile,
    load_profile,
)
from runtime.drift._results import ColumnDrift, DatasetDrift
from runtime.drift._scoring import (
    DEFAULT_THRESHOLDS,
    METHODS,
    SMALL_REFERENCE_ROWS,
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
    _binned_shares_numeric,
    _js_from_shares,
    _ks_from_sorted,
    _psi_from_shares,
    _w1_from_sorted,
    ks_asymptotic_pvalue,
    sorted_value_counts,
    sturges_edges,
)
from runtime.drift._streaming import score_chunks as _score_chunks

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_THRESHOLDS",
    "METHODS",
    "SMALL_REFERENCE_ROWS",
    "DriftDetector",
    "NotFittedError",
    "categorical_counts",
    "categorical_result",
    "decide",
    "default_method",
    "detect_drift",
    "quantile_counts",
    "summarise",
]


class DriftDetector:
    """Data drift per column and for the dataset, with Evidently's methods and defaults.

    Parameters (all keyword-only, mirroring Evidently's ``DataDriftPreset``)
    ----------
    method, num_method, cat_method : str, default None
        Test for every column / numerical / categorical columns; None picks Evidently's default per column.
    per_column_method : dict[str, str], default None
    threshold, num_threshold, cat_threshold : float, default None
        None uses the method's default (:data:`DEFAULT_THRESHOLDS`).
    per_column_threshold : dict[str, float], default None
    drift_share : float, default 0.5
        The dataset drifts when the share of drifted columns is at least this.
    numerical, categorical : list[str], default None
        Column kinds; inferred when None (pass them in production).
    quantile_bins : int, default 10
        Reference-quantile bins for ``method="psi_quantile"``.
    n_jobs : int, default None
        Threads scoring columns in parallel (None: one per core).
    engine : {"auto", "numba", "numpy"}, default None
        Inner loops; both give identical numbers.
    p_values : bool, default False
        Compute every KS p-value. Off, a KS test on large samples (past scipy's exact-method size) is
        decided by comparing D with scipy's critical value for the threshold, the same verdict without
        the p-value's cost, and reports ``p_value=None`` with ``critical_value`` set. Small samples,
        chi-square and Z always get their p-values (they are cheap).

    Attributes
    ----------
    profile_ : ReferenceProfile
        Set by :meth:`fit` or :meth:`load`.

    See Also
    --------
    detect_drift : the stateless twin (profiles the reference on every call).
    runtime.drift.population_stability_index, runtime.drift.kolmogorov_smirnov : single-column functions.
    """

    def __init__(
        self,
        *,
        method: str | None = None,
        num_method: str | None = None,
        cat_method: str | None = None,
        per_column_method: Mapping[str, str] | None = None,
        threshold: float | None = None,
        num_threshold: float | None = None,
        cat_threshold: float | None = None,
        per_column_threshold: Mapping[str, float] | None = None,
        drift_share: float = 0.5,
        numerical: list[str] | None = None,
        categorical: list[str] | None = None,
        quantile_bins: int = 10,
        n_jobs: int | None = None,
        engine: str | None = None,
        p_values: bool = False,
    ) -> None:
        self.method = method
        self.num_method = num_method
        self.cat_method = cat_method
        self.per_column_method = per_column_method
        self.threshold = threshold
        self.num_threshold = num_threshold
        self.cat_threshold = cat_threshold
        self.per_column_threshold = per_column_threshold
        self.drift_share = drift_share
        self.numerical = numerical
        self.categorical = categorical
        self.quantile_bins = quantile_bins
        self.n_jobs = n_jobs
        self.engine = engine
        self.p_values = p_values

    # -- fitting -----------------------------------------------------------------------------------

    def fit(self, reference: Any, columns: list[str] | None = None) -> DriftDetector:
        """Profile ``reference`` (pandas or Spark DataFrame, parquet path, 2-D array or dict of columns)
        and return self."""
        self._validate_params()
        if is_spark_frame(reference):
            from runtime.drift import _spark

            self.profile_ = _spark.fit_profile(
                reference if columns is None else reference.select(*columns),
                numerical=self.numerical,
                categorical=self.categorical,
                quantile_bins=self.quantile_bins,
            )
            self._check_methods_fit_kinds()
            return self
        self.profile_ = build_profile(
            reference,
            numerical=self.numerical,
            categorical=self.categorical,
            columns=columns,
            quantile_bins=self.quantile_bins,
            n_jobs=self.n_jobs,
        )
        self._check_methods_fit_kinds()
        return self

    def save(self, path: str | Path) -> Path:
        """Save the fitted reference profile (``.npz`` or ``.json``)."""
        return self._profile().save(path)

    def load(self, path: str | Path) -> DriftDetector:
        """Use a profile saved earlier instead of fitting; returns self."""
        self._validate_params()
        self.profile_ = load_profile(path)
        self._check_methods_fit_kinds()
        return self

    def _profile(self) -> ReferenceProfile:
        profile = getattr(self, "profile_", None)
        if profile is None:
            raise NotFittedError(
                "this DriftDetector has no reference yet: call fit(reference) or load(path) first"
            )
        return profile

    def _validate_params(self) -> None:
        for name in ("method", "num_method", "cat_method"):
            value = getattr(self, name)
            if value is not None and value not in METHODS:
                raise ValueError(f"{name}={value!r} is not a drift method; allowed: {sorted(METHODS)}")
        for col, value in (self.per_column_method or {}).items():
            if value not in METHODS:
                raise ValueError(
                    f"per_column_method[{col!r}]={value!r} is not a drift method; allowed: {sorted(METHODS)}"
                )
        thresholds = [
            ("threshold", self.threshold),
            ("num_threshold", self.num_threshold),
            ("cat_threshold", self.cat_threshold),
        ]
        thresholds += [
            (f"per_column_threshold[{c!r}]", v) for c, v in (self.per_column_threshold or {}).items()
        ]
        for name, value in thresholds:
            if value is not None and not (
                isinstance(value, (int, float)) and np.isfinite(value) and value >= 0
            ):
                raise ValueError(f"{name}={value!r} must be a finite number >= 0")
        if not (0.0 <= float(self.drift_share) <= 1.0):
            raise ValueError(f"drift_share={self.drift_share!r} must be between 0 and 1")
        if int(self.quantile_bins) < 2:
            raise ValueError(f"quantile_bins={self.quantile_bins!r} must be at least 2")
        resolve_engine(self.engine)

    def _check_methods_fit_kinds(self) -> None:
        for name, prof in self._profile().columns.items():
            method = self._method_for(name, prof.kind)
            if method is not None and prof.kind not in METHODS[method]:
                raise ValueError(
                    f"column {name!r} is {prof.kind}; "
                    f"method {method!r} supports only {METHODS[method]} columns"
                )
        unknown = set(self.per_column_method or {}) | set(self.per_column_threshold or {})
        unknown -= set(self._profile().columns)
        if unknown:
            raise ValueError(
                f"per-column settings name unknown column(s) {sorted(unknown)}; "
                f"columns: {list(self._profile().columns)}"
            )

    def _method_for(self, column: str, kind: str) -> str | None:
        if self.per_column_method and column in self.per_column_method:
            return self.per_column_method[column]
        kind_method = self.num_method if kind == "numerical" else self.cat_method
        return kind_method or self.method

    def _threshold_for(self, column: str, kind: str, method: str) -> float:
        if self.per_column_threshold and column in self.per_column_threshold:
            return float(self.per_column_threshold[column])
        kind_threshold = self.num_threshold if kind == "numerical" else self.cat_threshold
        if kind_threshold is not None:
            return float(kind_threshold)
        if self.threshold is not None:
            return float(self.threshold)
        return DEFAULT_THRESHOLDS[method]

    # -- scoring -----------------------------------------------------------------------------------

    def score(self, current: Any, columns: list[str] | None = None) -> DatasetDrift:
        """Test every profiled column of ``current`` against the reference; see :class:`DatasetDrift`.

        ``current`` may be a Spark DataFrame: the passes over it then run on the cluster
        (:mod:`runtime.drift._spark`) and the numbers are the same.
        """
        profile = self._profile()
        if is_spark_frame(current):
            from runtime.drift import _spark

            return _spark.score(
                self,
                profile,
                current if columns is None else current.select(*columns),
                self.drift_share,
                want_p=self.p_values,
            )
        engine = resolve_engine(self.engine)
        window: ParquetWindow | pd.DataFrame
        if is_parquet_path(current):
            # a file: each column is read by the thread that tests it, straight from Arrow (no DataFrame)
            window = ParquetWindow(current, columns)
            names, n_rows = window.columns, window.n_rows
        else:
            window = as_frame(current, columns)
            names, n_rows = list(window.columns), len(window)
        missing = [c for c in profile.columns if c not in names]
        if missing:
            raise ValueError(
                f"current data lacks column(s) {missing} that the reference profile has; "
                f"current columns: {names}"
            )
        jobs = self.n_jobs or os.cpu_count() or 1
        tasks: list[Callable[[], ColumnDrift]] = [
            partial(self._score_column, prof, window, name, engine) for name, prof in profile.columns.items()
        ]
        if jobs > 1 and len(tasks) > 1:
            with ThreadPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
                results = list(pool.map(lambda t: t(), tasks))
        else:
            results = [t() for t in tasks]
        return summarise(results, self.drift_share, profile.n_rows, n_rows)

    def _score_column(
        self, prof: ColumnProfile, window: ParquetWindow | pd.DataFrame, name: str, engine: str
    ) -> ColumnDrift:
        if isinstance(window, ParquetWindow):
            column = window.column(name)
            if isinstance(prof, NumericalProfile):
                values = arrow_numeric_values(column)
                if values is not None:
                    return _score_numerical(self, prof, *values, engine)
            else:
                counts = arrow_categorical_counts(column)
                if counts is not None:
                    return _score_categorical(self, prof, *counts)
            series = column.to_pandas()  # a type with no exact NumPy twin: pandas decides, as for frames
        else:
            series = window[name]
        if isinstance(prof, NumericalProfile):
            return _score_numerical(
                self, prof, current_numeric_values(prof, series), is_integer_dtype(series.dtype), engine
            )
        return _score_categorical(self, prof, *categorical_counts(series))

    def score_chunks(self, chunks: Callable[[], Iterable[Any]] | Iterable[Any]) -> DatasetDrift:
        """Score a window too large for memory, given as chunks (DataFrames);
        see :mod:`runtime.drift._streaming`."""
        return _score_chunks(self, chunks)


def _score_numerical(
    det: DriftDetector, prof: NumericalProfile, raw: np.ndarray, integer_dtype: bool, engine: str
) -> ColumnDrift:
    """Test one numerical column: ``raw`` holds its values as float64 with NaN for missing,
    ``integer_dtype`` says whether the column was stored as integers (Evidently bins those as integers)."""
    method = det._method_for(prof.name, "numerical")
    if (
        engine == "numba"
        and prof.n_rows
        and method in ("psi", "psi_quantile")
        and (method == "psi_quantile" or prof.n_unique > 20)
    ):
        fast = _binned_psi_unsorted(det, prof, integer_dtype, raw, method)
        if fast is not None:
            return fast
    if engine == "numba" and prof.n_rows > KS_EXACT_MAX_N // 2 and method == "ks":
        fast = _ks_unsorted(det, prof, raw)
        if fast is not None:
            return fast
    finite_mask = np.isfinite(raw)
    cur = raw if finite_mask.all() else raw[finite_mask]
    n_missing = int(raw.size - cur.size)
    if prof.n_rows == 0:
        return empty_result(det, prof, "empty_reference", int(cur.size), n_missing)
    if cur.size == 0:
        return empty_result(det, prof, "empty_current", 0, n_missing)
    integer = prof.integer and integer_dtype
    cur_sorted: np.ndarray | None = None
    if method is None:
        n_values = prof.n_unique
        if n_values <= 5:
            cur_sorted = np.sort(cur)
            cur_vals, _ = sorted_value_counts(cur_sorted)
            n_values = int(np.union1d(sorted_value_counts(prof.sorted_values)[0], cur_vals).size)
        method = default_method("numerical", prof.n_rows, n_values)
    threshold = det._threshold_for(prof.name, "numerical", method)
    statistic, p_value = _numerical_statistic(
        prof, cur, cur_sorted, method, integer, engine, want_p=bool(getattr(det, "p_values", True))
    )
    critical: float | None = None
    if method == "ks":
        p_value, score, drifted, critical = ks_outcome(statistic, p_value, prof.n_rows, cur.size, threshold)
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
        n_reference=prof.n_rows,
        n_current=int(cur.size),
        n_current_missing=n_missing,
    )


def _ks_unsorted(det: DriftDetector, prof: NumericalProfile, raw: np.ndarray) -> ColumnDrift | None:
    """KS from bucket counts and a few candidate values (:mod:`runtime.drift._ks_buckets`): the window is
    never copied or sorted. The same D as the sorted merge; None where scipy's exact method applies (the
    general path calls scipy there) or the window is empty."""
    d, n_cur = ks_statistic_unsorted(_buckets_for(det, prof), raw)
    if n_cur == 0 or max(prof.n_rows, n_cur) <= KS_EXACT_MAX_N:
        return None
    threshold = det._threshold_for(prof.name, "numerical", "ks")
    p = ks_asymptotic_pvalue(d, prof.n_rows, n_cur) if det.p_values else None
    p_value, score, drifted, critical = ks_outcome(d, p, prof.n_rows, n_cur, threshold)
    return ColumnDrift(
        column=prof.name,
        kind="numerical",
        method="ks",
        statistic=d,
        p_value=p_value,
        critical_value=critical,
        score=score,
        threshold=threshold,
        drifted=drifted,
        n_reference=prof.n_rows,
        n_current=n_cur,
        n_current_missing=int(raw.size - n_cur),
    )


def _buckets_for(det: DriftDetector, prof: NumericalProfile) -> KsBuckets:
    """The reference's bucket layout for KS counts, built once per detector and column."""
    cache = det.__dict__.setdefault("_ks_buckets", {})
    buckets = cache.get(prof.name)
    if buckets is None or buckets.ref is not prof.sorted_values:
        # few distinct values (ties): an edge per value, so D comes from counts alone
        few = prof.n_unique <= KS_BUCKETS_IN_MEMORY
        buckets = few and KsBuckets.at_each_value(prof.sorted_values, KS_BUCKETS_IN_MEMORY)
        if not buckets:
            buckets = KsBuckets(prof.sorted_values, KS_BUCKETS_IN_MEMORY)
        cache[prof.name] = buckets
    return buckets


#: Reference-quantile buckets of the in-memory KS path (more than on Spark: counting is local here, and
#: finer buckets leave fewer candidate values).
KS_BUCKETS_IN_MEMORY = 16384


def _binned_psi_unsorted(
    det: DriftDetector, prof: NumericalProfile, integer_dtype: bool, raw: np.ndarray, method: str
) -> ColumnDrift | None:
    """PSI straight from the raw column: no NaN filtering copy, no sort (one or two passes, compiled).

    Same counts as the general path (so the same PSI); returns None for an empty window.
    """
    raw = np.ascontiguousarray(raw, dtype=np.float64)
    if method == "psi_quantile":
        counts = threshold_counts(raw, prof.quantile_edges, engine="numba")
        n_cur = int(counts.sum())
        if n_cur == 0:
            return None
        ref_shares = prof.quantile_counts / prof.n_rows
    else:
        lo, hi, n_cur = finite_min_max(raw, engine="numba")
        if n_cur == 0:
            return None
        ref = prof.sorted_values
        integer = prof.integer and integer_dtype
        edges = sturges_edges(
            min(float(ref[0]), lo), max(float(ref[-1]), hi), prof.n_rows + n_cur, integer=integer
        )
        counts = bin_counts(raw, edges, engine="numba")
        ref_shares = bin_counts(ref, edges, is_sorted=True) / prof.n_rows
    statistic = _psi_from_shares(ref_shares, counts / n_cur)
    threshold = det._threshold_for(prof.name, "numerical", method)
    return ColumnDrift(
        column=prof.name,
        kind="numerical",
        method=method,
        statistic=statistic,
        p_value=None,
        score=statistic,
        threshold=threshold,
        drifted=decide(method, statistic, threshold),
        n_reference=prof.n_rows,
        n_current=n_cur,
        n_current_missing=int(raw.size - n_cur),
    )


def _numerical_statistic(
    prof: NumericalProfile,
    cur: np.ndarray,
    cur_sorted: np.ndarray | None,
    method: str,
    integer: bool,
    engine: str,
    want_p: bool = True,
) -> tuple[float, float | None]:
    """(statistic, p-value); a large-sample KS p-value is left out (None) unless ``want_p``."""
    ref = prof.sorted_values
    if method == "ks":
        cur_sorted = sorted_copy(cur, engine=engine) if cur_sorted is None else cur_sorted
        if want_p or max(ref.size, cur_sorted.size) <= KS_EXACT_MAX_N:
            d, p = _ks_from_sorted(ref, cur_sorted, engine)
            return d, p
        d, _ = ks_w1(ref, cur_sorted, want_w1=False, engine=engine)
        return d, None
    if method == "wasserstein":
        cur_sorted = sorted_copy(cur, engine=engine) if cur_sorted is None else cur_sorted
        w1, _ = _w1_from_sorted(ref, cur_sorted, engine)
        return w1 / prof.norm, None
    if method == "psi_quantile":
        r, c = quantile_shares(prof, cur, engine)
        return _psi_from_shares(r, c), None
    if method in ("psi", "jensenshannon") and prof.n_unique > 20:
        src = cur_sorted if cur_sorted is not None else cur
        _, r, c = _binned_shares_numeric(
            ref, src, prof.n_unique, integer=integer, cur_sorted=cur_sorted is not None, engine=engine
        )
        return (_psi_from_shares(r, c) if method == "psi" else _js_from_shares(r, c)), None
    cur_sorted = np.sort(cur) if cur_sorted is None else cur_sorted
    ref_vals, ref_counts = sorted_value_counts(ref)
    cur_vals, cur_counts = sorted_value_counts(cur_sorted)
    return count_statistic(method, ref_vals, ref_counts, cur_vals, cur_counts)


def quantile_shares(
    prof: NumericalProfile, cur: np.ndarray, engine: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Reference and current shares in the reference-quantile bins
    ``(-inf, q1], (q1, q2], ... (q_k, inf)``."""
    edges = prof.quantile_edges
    cur_counts = quantile_counts(edges, cur, engine)
    return prof.quantile_counts / prof.n_rows, cur_counts / cur.size


def _score_categorical(
    det: DriftDetector, prof: CategoricalProfile, cur_vals: np.ndarray, cur_counts: np.ndarray, n_missing: int
) -> ColumnDrift:
    """Test one categorical column from the window's distinct values, their counts and its missing cells."""
    n_current = int(cur_counts.sum())
    if prof.n_rows == 0:
        return empty_result(det, prof, "empty_reference", n_current, n_missing)
    if n_current == 0:
        return empty_result(det, prof, "empty_current", 0, n_missing)
    return categorical_result(det, prof, cur_vals, cur_counts, n_missing)


def detect_drift(reference: Any, current: Any, **params: Any) -> DatasetDrift:
    """Stateless twin of :class:`DriftDetector`: ``DriftDetector(**params).fit(reference).score(current)``.

    See Also: DriftDetector (fit once, score many windows; the fast path for monitoring jobs).
    """
    return DriftDetector(**params).fit(reference).score(current)

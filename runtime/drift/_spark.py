"""Drift on Apache Spark: fit the same reference profile and reach the same verdicts as in memory.

Why this shape: the window is what outgrows one machine (a month of captured traffic), so the cluster
does every pass over it and returns only small summaries, which then go through the very functions the
in-memory detector uses (:mod:`runtime.drift._scoring`, :mod:`runtime.drift._stats`):

* counts per value or per bin (PSI, Jensen-Shannon, chi-square, Z, Evidently's default choice): the
  bins are compared in Spark with the same float64 edges, so the counts, and every number after them,
  equal the in-memory ones exactly;
* Kolmogorov-Smirnov: counts in reference-quantile buckets plus the current values of the few buckets
  that may hold the largest CDF gap (:mod:`runtime.drift._ks_buckets`): D equals scipy's exactly;
* Wasserstein: exact, by bringing one column at a time to the driver (Arrow) and running the in-memory
  merge; the driver needs 8 bytes per current row for the column being scored.

The reference profile keeps the reference's sorted numerical values (that is what makes KS and
Wasserstein exact), so fitting on Spark brings each numerical reference column to the driver; the
profile is the same object and file as an in-memory fit (row order is kept, so even the reference
standard deviation is summed in the same order).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from runtime.drift._ks_buckets import KsBuckets
from runtime.drift._profile import (
    CategoricalProfile,
    ColumnKind,
    ColumnProfile,
    NumericalProfile,
    ReferenceProfile,
    numerical_profile,
)
from runtime.drift._results import ColumnDrift, DatasetDrift
from runtime.drift._scoring import (
    ColumnRules,
    categorical_result,
    count_statistic,
    decide,
    default_method,
    empty_result,
    ks_outcome,
    summarise,
)
from runtime.drift._stats import (
    KS_EXACT_MAX_N,
    _js_from_shares,
    _ks_from_sorted,
    _psi_from_shares,
    _sort_key,
    _w1_from_sorted,
    ks_asymptotic_pvalue,
    sorted_value_counts,
    sturges_edges,
)

__all__ = ["fit_profile", "score"]

#: Above this many bin edges a Bucketizer (binary search) replaces the sum of comparisons.
_MAX_INLINE_EDGES = 64


def _functions() -> Any:
    from pyspark.sql import functions as F

    return F


def _finite(name: str) -> Any:
    F = _functions()
    c = F.col(f"`{name}`")
    return c.isNotNull() & ~F.isnan(c) & (F.abs(c) != F.lit(float("inf")))


def _is_numeric_type(dtype: Any) -> bool:
    from pyspark.sql import types as T

    return isinstance(dtype, T.NumericType) and not isinstance(dtype, T.BooleanType)


def _is_integral_type(dtype: Any) -> bool:
    from pyspark.sql import types as T

    return isinstance(dtype, T.IntegralType)


def _is_float_type(dtype: Any) -> bool:
    from pyspark.sql import types as T

    return isinstance(dtype, (T.FloatType, T.DoubleType))


# ------------------------------------------------------------------------------------------------
# Fitting
# ------------------------------------------------------------------------------------------------


def infer_column_kinds(sdf: Any) -> dict[str, ColumnKind]:
    """:func:`runtime.drift.infer_column_kinds` on a Spark schema (integers counted on the cluster)."""
    F = _functions()
    kinds: dict[str, ColumnKind] = {}
    integral = [f.name for f in sdf.schema.fields if _is_integral_type(f.dataType)]
    distinct = (
        sdf.agg(*[F.countDistinct(F.col(f"`{c}`")).alias(c) for c in integral]).first().asDict()
        if integral
        else {}
    )
    for field in sdf.schema.fields:
        if field.name in distinct:
            kinds[field.name] = "categorical" if distinct[field.name] <= 10 else "numerical"
        elif _is_numeric_type(field.dataType):
            kinds[field.name] = "numerical"
        else:
            kinds[field.name] = "categorical"
    return kinds


def fit_profile(
    sdf: Any,
    *,
    numerical: list[str] | None = None,
    categorical: list[str] | None = None,
    quantile_bins: int = 10,
) -> ReferenceProfile:
    """The reference profile of a Spark DataFrame: the same object as :func:`runtime.drift.build_profile`."""
    columns = list(sdf.columns)
    declared: dict[str, ColumnKind] = {}
    for name in numerical or []:
        declared[str(name)] = "numerical"
    for name in categorical or []:
        if str(name) in declared:
            raise ValueError(f"column {name!r} is listed as both numerical and categorical")
        declared[str(name)] = "categorical"
    missing = [c for c in declared if c not in columns]
    if missing:
        raise ValueError(f"reference: column(s) {missing} not found; available: {columns}")
    if numerical is not None and categorical is not None:
        kinds = declared
    else:
        inferred = infer_column_kinds(sdf.select(*[f"`{c}`" for c in columns if c not in declared]))
        kinds = {c: declared.get(c, inferred.get(c, "numerical")) for c in columns}
    if not kinds:
        raise ValueError("reference: has no columns to test")
    n_rows = sdf.count()
    if n_rows == 0:
        raise ValueError("reference: has no rows; drift needs reference data to compare with")
    types = {f.name: f.dataType for f in sdf.schema.fields}
    profiles: dict[str, ColumnProfile] = {}
    for name, kind in kinds.items():
        if kind == "numerical":
            _require_numeric(name, types[name], "reference", "declared numerical")
            series = sdf.select(f"`{name}`").toPandas()[name]  # Arrow, row order kept
            profiles[name] = numerical_profile(name, series, quantile_bins)
        else:
            values, counts, n_missing = _value_counts(sdf, name, types[name], n_rows)
            profiles[name] = CategoricalProfile(name=name, values=values, counts=counts, n_missing=n_missing)
    empty = [name for name, prof in profiles.items() if prof.n_rows == 0]
    if empty:
        raise ValueError(
            f"reference: column(s) {empty} have no usable values (every cell missing, NaN or infinite), so "
            "drift in them cannot be judged; fix the reference or leave them out (--numerical/--categorical)"
        )
    return ReferenceProfile(columns=profiles, n_rows=n_rows, quantile_bins=quantile_bins)


def _require_numeric(name: str, dtype: Any, side: str, role: str) -> None:
    if not _is_numeric_type(dtype):
        raise ValueError(
            f"{side}: column {name!r} is {role} but holds {dtype.simpleString()} values, which are not "
            "numbers; declare the column categorical or fix the value"
        )


def _value_counts(sdf: Any, name: str, dtype: Any, n_rows: int) -> tuple[np.ndarray, np.ndarray, int]:
    """(values, counts, n_missing) of a categorical column, counted on the cluster; sorted values."""
    F = _functions()
    col = F.col(f"`{name}`")
    present = _finite(name) if _is_float_type(dtype) else col.isNotNull()
    rows = sdf.where(present).groupBy(col.alias("v")).count().collect()
    pairs = sorted(((r["v"], int(r["count"])) for r in rows), key=lambda p: _sort_key(p[0]))
    values = np.empty(len(pairs), dtype=object)
    values[:] = [v for v, _ in pairs]
    counts = np.array([c for _, c in pairs], dtype=np.int64)
    return values, counts, int(n_rows - counts.sum())


# ------------------------------------------------------------------------------------------------
# Scoring
# ------------------------------------------------------------------------------------------------


def score(
    det: ColumnRules, profile: ReferenceProfile, sdf: Any, drift_share: float, want_p: bool
) -> DatasetDrift:
    """Every profiled column of ``sdf`` against the profile; see :meth:`runtime.drift.DriftDetector.score`."""
    F = _functions()
    missing = [c for c in profile.columns if c not in sdf.columns]
    if missing:
        raise ValueError(
            f"current data lacks column(s) {missing} that the reference profile has; "
            f"current columns: {list(sdf.columns)}"
        )
    types = {f.name: f.dataType for f in sdf.schema.fields}
    nums = [p for p in profile.columns.values() if isinstance(p, NumericalProfile)]
    for num in nums:
        _require_numeric(num.name, types[num.name], "current", "numerical in the reference")
    aggs = [F.count(F.lit(1)).alias("__rows")]
    for i, num in enumerate(nums):
        fin, col = _finite(num.name), F.col(f"`{num.name}`")
        aggs += [
            F.sum(fin.cast("long")).alias(f"n{i}"),
            F.min(F.when(fin, col)).alias(f"lo{i}"),
            F.max(F.when(fin, col)).alias(f"hi{i}"),
        ]
    summary = sdf.agg(*aggs).first().asDict()
    n_rows = int(summary["__rows"])
    results: list[ColumnDrift] = []
    index = {num.name: i for i, num in enumerate(nums)}
    for name, prof in profile.columns.items():
        if isinstance(prof, NumericalProfile):
            i = index[name]
            n = int(summary[f"n{i}"] or 0)
            lo, hi = summary[f"lo{i}"], summary[f"hi{i}"]
            results.append(_score_numerical(det, prof, sdf, types[name], n, n_rows - n, lo, hi, want_p))
        else:
            assert isinstance(prof, CategoricalProfile)
            vals, counts, n_missing = _value_counts(sdf, name, types[name], n_rows)
            if int(counts.sum()) == 0:
                results.append(empty_result(det, prof, "empty_current", 0, n_missing))
            else:
                results.append(categorical_result(det, prof, vals, counts, n_missing))
    return summarise(results, drift_share, profile.n_rows, n_rows)


def _score_numerical(
    det: ColumnRules,
    prof: NumericalProfile,
    sdf: Any,
    dtype: Any,
    n: int,
    n_missing: int,
    lo: Any,
    hi: Any,
    want_p: bool,
) -> ColumnDrift:
    if n == 0:
        return empty_result(det, prof, "empty_current", 0, n_missing)
    name = prof.name
    method = det._method_for(name, "numerical")
    if method is None:
        n_values = prof.n_unique
        if n_values <= 5:
            ref_vals, _ = sorted_value_counts(prof.sorted_values)
            F = _functions()
            col = F.col(f"`{name}`").cast("double")
            new = sdf.where(_finite(name) & ~col.isin([float(v) for v in ref_vals])).select(col).distinct()
            n_values = int(ref_vals.size + new.count())
        method = default_method("numerical", prof.n_rows, n_values)
    threshold = det._threshold_for(name, "numerical", method)
    integer = prof.integer and _is_integral_type(dtype)
    statistic, p_value = _numerical_statistic(prof, sdf, method, n, float(lo), float(hi), integer, want_p)
    critical: float | None = None
    if method == "ks":
        p_value, score_, drifted, critical = ks_outcome(statistic, p_value, prof.n_rows, n, threshold)
    else:
        score_ = p_value if method in ("chisquare", "z") and p_value is not None else statistic
        drifted = decide(method, score_, threshold)
    return ColumnDrift(
        column=name,
        kind="numerical",
        method=method,
        statistic=statistic,
        p_value=p_value,
        critical_value=critical,
        score=score_,
        threshold=threshold,
        drifted=drifted,
        n_reference=prof.n_rows,
        n_current=n,
        n_current_missing=n_missing,
    )


def _numerical_statistic(
    prof: NumericalProfile,
    sdf: Any,
    method: str,
    n: int,
    lo: float,
    hi: float,
    integer: bool,
    want_p: bool,
) -> tuple[float, float | None]:
    name, ref = prof.name, prof.sorted_values
    if method == "ks":
        if max(ref.size, n) <= KS_EXACT_MAX_N:
            return _ks_from_sorted(ref, np.sort(_collect(sdf, name)))
        d = _ks_statistic(prof, sdf, n)
        return d, (ks_asymptotic_pvalue(d, ref.size, n) if want_p else None)
    if method == "wasserstein":
        w1, _ = _w1_from_sorted(ref, np.sort(_collect(sdf, name)))
        return w1 / prof.norm, None
    if method == "psi_quantile":
        edges = prof.quantile_edges
        counts = _threshold_counts(sdf, name, edges) if edges.size else np.array([n], dtype=np.int64)
        return _psi_from_shares(prof.quantile_counts / prof.n_rows, counts / n), None
    if method in ("psi", "jensenshannon") and prof.n_unique > 20:
        edges = sturges_edges(min(float(ref[0]), lo), max(float(ref[-1]), hi), ref.size + n, integer=integer)
        above = _threshold_counts(sdf, name, edges)  # above[k]: values with exactly k edges <= x
        # np.histogram's bins: [e_i, e_i+1), the last one closed; every value lies within [e_0, e_last]
        counts = above[1:-1].copy()
        counts[-1] += above[-1]
        from runtime.drift._kernels import bin_counts

        r = bin_counts(ref, edges, is_sorted=True) / ref.size
        c = counts / n
        return (_psi_from_shares(r, c) if method == "psi" else _js_from_shares(r, c)), None
    ref_vals, ref_counts = sorted_value_counts(ref)
    cur_vals, cur_counts = _numeric_value_counts(sdf, name)
    return count_statistic(method, ref_vals, ref_counts, cur_vals, cur_counts)


def _collect(sdf: Any, name: str) -> np.ndarray:
    """One column's finite values on the driver (Arrow), as float64."""
    F = _functions()
    frame = sdf.where(_finite(name)).select(F.col(f"`{name}`").cast("double").alias("v")).toPandas()
    return frame["v"].to_numpy(dtype=np.float64)


def _numeric_value_counts(sdf: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    F = _functions()
    rows = (
        sdf.where(_finite(name))
        .groupBy(F.col(f"`{name}`").cast("double").alias("v"))
        .count()
        .toPandas()
        .sort_values("v")
    )
    return rows["v"].to_numpy(dtype=np.float64), rows["count"].to_numpy(dtype=np.int64)


def _bucket_column(sdf: Any, name: str, edges: np.ndarray) -> Any:
    """``sdf`` (finite rows of ``name``) with ``__b`` = how many edges are <= the value, as an integer."""
    F = _functions()
    col = F.col(f"`{name}`").cast("double")
    finite = sdf.where(_finite(name)).select(col.alias("v"))
    if edges.size == 0:
        return finite.withColumn("__b", F.lit(0))
    if edges.size <= _MAX_INLINE_EDGES:
        expr = sum((F.when(F.col("v") >= F.lit(float(e)), 1).otherwise(0) for e in edges), F.lit(0))
        return finite.withColumn("__b", expr)
    from pyspark.ml.feature import Bucketizer

    # splits [-inf, e0, ..., ek, inf]: bucket j is [s_j, s_j+1), i.e. the number of edges <= x
    splits = [float("-inf"), *map(float, edges), float("inf")]
    bucketed = Bucketizer(splits=splits, inputCol="v", outputCol="__bd").transform(finite)
    return bucketed.withColumn("__b", F.col("__bd").cast("int")).drop("__bd")


def _threshold_counts(sdf: Any, name: str, edges: np.ndarray) -> np.ndarray:
    rows = _bucket_column(sdf, name, edges).groupBy("__b").count().collect()
    counts = np.zeros(edges.size + 1, dtype=np.int64)
    for r in rows:
        counts[int(r["__b"])] = int(r["count"])
    return counts


def _ks_statistic(prof: NumericalProfile, sdf: Any, n: int) -> float:
    """Exact D: bucket counts on the cluster, then only the candidate buckets' values on the driver."""
    F = _functions()
    buckets = KsBuckets(prof.sorted_values)
    bucketed = _bucket_column(sdf, prof.name, buckets.edges)  # two passes over one column, no cache
    counts = np.zeros(buckets.n_buckets, dtype=np.int64)
    for r in bucketed.groupBy("__b").count().collect():
        counts[int(r["__b"])] = int(r["count"])
    _, cands = buckets.candidates(counts)
    values: dict[int, np.ndarray] = {}
    if cands.size:
        frame = bucketed.where(F.col("__b").isin([int(k) for k in cands])).toPandas()
        for k, group in frame.groupby("__b"):
            values[int(k)] = group["v"].to_numpy(dtype=np.float64)
    return buckets.statistic(counts, values)


def frame_columns(sdf: Any) -> list[str]:
    """Column names of a Spark DataFrame (for messages)."""
    return list(sdf.columns)


def to_pandas_series(sdf: Any, name: str) -> pd.Series:
    """One column on the driver, for the HTML report's charts."""
    return sdf.select(f"`{name}`").toPandas()[name]

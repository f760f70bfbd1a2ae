"""The scoring rules both the in-memory detector and the streaming scorer apply.

Why a module of its own: :mod:`runtime.drift._detector` scores a window held in memory and
:mod:`runtime.drift._streaming` scores one chunk by chunk, and both must reach the same verdict from
the same counts: Evidently's default test per column, its thresholds and comparison rules, the
value-count statistics and the dataset summary. Keeping those here lets both import them without
either importing the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from runtime.drift._kernels import threshold_counts
from runtime.drift._profile import (
    CategoricalProfile,
    ColumnProfile,
    NumericalProfile,
    numeric_values,
    object_value_counts,
)
from runtime.drift._results import ColumnDrift, DatasetDrift
from runtime.drift._stats import (
    _chi_square_from_counts,
    _js_from_shares,
    _psi_from_shares,
    _sort_key,
    _value_shares,
    _z_from_counts,
    ks_asymptotic_pvalue,
    ks_drifts,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_THRESHOLDS",
    "METHODS",
    "SMALL_REFERENCE_ROWS",
    "ColumnRules",
    "categorical_counts",
    "categorical_result",
    "count_statistic",
    "current_numeric_values",
    "decide",
    "default_method",
    "empty_result",
    "ks_outcome",
    "quantile_counts",
    "summarise",
]


#: Default threshold of each method (Evidently's).
DEFAULT_THRESHOLDS: dict[str, float] = {
    "ks": 0.05,
    "wasserstein": 0.1,
    "psi": 0.1,
    "psi_quantile": 0.1,
    "jensenshannon": 0.1,
    "chisquare": 0.05,
    "z": 0.05,
}

#: Methods and the column kinds they accept.
METHODS: dict[str, tuple[str, ...]] = {
    "ks": ("numerical",),
    "wasserstein": ("numerical",),
    "psi": ("numerical", "categorical"),
    "psi_quantile": ("numerical",),
    "jensenshannon": ("numerical", "categorical"),
    "chisquare": ("numerical", "categorical"),
    "z": ("numerical", "categorical"),
}

#: Evidently switches from small-sample tests (KS, chi-square, Z) to distances above this many
#: (finite, non-missing) reference rows.
SMALL_REFERENCE_ROWS = 1000


def default_method(kind: str, n_reference: int, n_values: int) -> str:
    """Evidently's default test for a column (``_get_default_stattest``)."""
    if n_reference <= SMALL_REFERENCE_ROWS:
        if kind == "numerical" and n_values > 5:
            return "ks"
        return "chisquare" if n_values > 2 else "z"
    if kind == "numerical" and n_values > 5:
        return "wasserstein"
    return "jensenshannon"


class ColumnRules(Protocol):
    """What scoring asks of a detector: the method and threshold configured for a column.

    A protocol rather than :class:`~runtime.drift.DriftDetector` itself, so this module needs no import
    of the detector (which imports this module).
    """

    def _method_for(self, column: str, kind: str) -> str | None: ...

    def _threshold_for(self, column: str, kind: str, method: str) -> float: ...


def summarise(
    results: list[ColumnDrift], drift_share: float, n_reference_rows: int, n_current_rows: int
) -> DatasetDrift:
    """Dataset verdict from column results: ``share = drifted / counted``
    and drift when ``share >= drift_share``.

    With no column counted (every one ``empty_reference``) the dataset is reported as drifted.
    """
    counted = [r for r in results if r.status != "empty_reference"]
    n_drifted = sum(1 for r in counted if r.drifted)
    share = n_drifted / len(counted) if counted else 0.0
    # Nothing tested is not "no drift": fail closed so a gate on dataset_drift cannot pass unjudged.
    return DatasetDrift(
        columns=results,
        n_columns=len(counted),
        n_drifted=n_drifted,
        share=share,
        drift_share=drift_share,
        dataset_drift=(share >= drift_share) if counted else True,
        n_reference_rows=n_reference_rows,
        n_current_rows=n_current_rows,
    )


def decide(method: str, score: float, threshold: float) -> bool:
    """Evidently's comparison: KS drifts at p <= threshold, chi-square and Z at p < threshold,
    distances at >=."""
    if method == "ks":
        return bool(score <= threshold)
    if method in ("chisquare", "z"):
        return bool(score < threshold)
    return bool(score >= threshold)


def ks_outcome(
    d: float, p_value: float | None, n_reference: int, n_current: int, threshold: float
) -> tuple[float | None, float, bool, float | None]:
    """``(p_value, score, drifted, critical_value)`` of a KS test whose p-value may not be computed yet.

    With a p-value (small samples, or the caller asked for one) the verdict is Evidently's
    ``p <= threshold``. Without one the statistic is compared with scipy's critical D for the threshold
    (:func:`runtime.drift._stats.ks_drifts`), the same verdict without the costly p-value; only a D that
    is too close to the critical value to tell still gets its p-value.
    """
    critical: float | None = None
    if p_value is None:
        verdict, critical = ks_drifts(d, n_reference, n_current, threshold)
        if verdict is not None:
            return None, d, verdict, critical
        p_value = ks_asymptotic_pvalue(d, n_reference, n_current)
    return p_value, p_value, decide("ks", p_value, threshold), critical


def empty_result(
    det: ColumnRules, prof: ColumnProfile, status: str, n_current: int, n_missing: int
) -> ColumnDrift:
    method = det._method_for(prof.name, prof.kind) or "none"
    threshold = det._threshold_for(prof.name, prof.kind, method) if method in DEFAULT_THRESHOLDS else 0.0
    return ColumnDrift(
        column=prof.name,
        kind=prof.kind,
        method=method,
        statistic=None,
        p_value=None,
        score=None,
        threshold=threshold,
        drifted=status == "empty_current",
        status=status,  # type: ignore[arg-type]
        n_reference=prof.n_rows,
        n_current=n_current,
        n_current_missing=n_missing,
    )


def current_numeric_values(prof: NumericalProfile, series: pd.Series) -> np.ndarray:
    """A current numerical column as floats with NaN for missing; float64 columns are not copied, since
    the largest windows are those and both scorers only read them."""
    if series.dtype == np.float64:
        return series.to_numpy()  # a view: NaN already marks missing values
    return numeric_values(prof.name, series, "current", role="numerical in the reference")


def quantile_counts(edges: np.ndarray, values: np.ndarray, engine: str | None = None) -> np.ndarray:
    """Counts in the open-ended bins split at ``edges`` (a value equal to an edge goes to the bin above)."""
    if edges.size == 0:
        return np.array([values.size], dtype=np.int64)
    return threshold_counts(values, edges, engine=engine)


def count_statistic(
    method: str, ref_vals: np.ndarray, ref_counts: np.ndarray, cur_vals: np.ndarray, cur_counts: np.ndarray
) -> tuple[float, float | None]:
    if method == "chisquare":
        stat, p, _ = _chi_square_from_counts(ref_vals, ref_counts, cur_vals, cur_counts)
        return stat, p
    if method == "z":
        return _z_from_counts(ref_vals, ref_counts, cur_vals, cur_counts)
    _, r, c, _, _ = _value_shares(ref_vals, ref_counts, cur_vals, cur_counts)
    if method == "psi":
        return _psi_from_shares(r, c), None
    if method == "jensenshannon":
        return _js_from_shares(r, c), None
    raise ValueError(f"method {method!r} does not apply to value counts")


def categorical_counts(series: pd.Series) -> tuple[np.ndarray, np.ndarray, int]:
    """(values, counts, n_missing) of a categorical column; None, NaN and +/-inf count as missing."""
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        counts = np.bincount(codes[codes >= 0], minlength=len(series.cat.categories))
        keep = counts > 0
        values = np.empty(int(keep.sum()), dtype=object)
        values[:] = [
            v.item() if isinstance(v, np.generic) else v for v in series.cat.categories[keep].tolist()
        ]
        return values, counts[keep].astype(np.int64), int((codes < 0).sum())
    vc = object_value_counts(series) if series.dtype == object else None
    if vc is None:
        clean = series.replace([np.inf, -np.inf], np.nan) if pd.api.types.is_float_dtype(series) else series
        vc = clean.value_counts(dropna=True, sort=False)
    if series.dtype == object and len(vc):  # a float inf inside an object column is missing too (Evidently)
        keep = np.array([not (isinstance(v, float) and np.isinf(v)) for v in vc.index], dtype=bool)
        if not keep.all():
            vc = vc[keep]
    values = np.empty(len(vc), dtype=object)
    values[:] = [v.item() if isinstance(v, np.generic) else v for v in vc.index.tolist()]
    counts = vc.to_numpy(dtype=np.int64)
    return values, counts, int(len(series) - int(counts.sum()))


def categorical_result(
    det: ColumnRules, prof: CategoricalProfile, cur_vals: np.ndarray, cur_counts: np.ndarray, n_missing: int
) -> ColumnDrift:
    """Test a categorical column from current value counts (shared by in-memory and streaming scoring)."""
    ref_set = set(prof.values.tolist())
    # sorted, not in order of first appearance: a distributed count has no such order
    unseen = sorted((v for v in cur_vals.tolist() if v not in ref_set), key=_sort_key)
    method = det._method_for(prof.name, "categorical")
    if method is None:
        n_values = len(ref_set) + len(unseen)
        method = default_method("categorical", prof.n_rows, n_values)
    threshold = det._threshold_for(prof.name, "categorical", method)
    statistic, p_value = count_statistic(method, prof.values, prof.counts, cur_vals, cur_counts)
    score = p_value if method in ("chisquare", "z") else statistic
    assert score is not None
    return ColumnDrift(
        column=prof.name,
        kind="categorical",
        method=method,
        statistic=statistic,
        p_value=p_value,
        score=score,
        threshold=threshold,
        drifted=decide(method, score, threshold),
        n_reference=prof.n_rows,
        n_current=int(cur_counts.sum()),
        n_current_missing=n_missing,
        unseen_categories=[str(v) for v in unseen],
    )

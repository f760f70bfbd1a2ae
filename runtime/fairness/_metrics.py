"""Group fairness metrics with fairlearn 0.15's definitions, from one weighted bincount.

Why not fairlearn itself: its ``MetricFrame`` costs about 5 s per metric per million rows (Python-level
row loops), too slow for a gate that runs on every scoring window. Every metric here derives from one
``groups x 4`` table of true negatives, false positives, false negatives and true positives, so all
seven metrics and the per-group table cost one pass over the data and are bit-identical to fairlearn's
(``tests/peers/test_fairness_vs_fairlearn.py``).

Definitions (fairlearn ``_fairness_metrics.py`` / ``_disaggregated_result.py``):

* selection rate ``P(y_hat = pos)``; TPR ``TP / (TP + FN)``; FPR ``FP / (FP + TN)``; accuracy.
  A group with no positives has TPR 0 (not NaN); no negatives, FPR 0 (fairlearn's ``nan_to_num``).
* ``difference(method="between_groups")`` = max - min over groups; ``"to_overall"`` = max |group - overall|.
* ``ratio(method="between_groups")`` = min / max; ``"to_overall"`` = min over groups of min(r, 1/r) with
  r = group / overall. 0/0 is NaN (reported, with a note), x/0 is inf and becomes 0 in ``to_overall``.
* equalized odds: ``worst_case`` = max of the TPR and FPR differences (min of ratios); ``mean`` = their mean.
"""

from __future__ import annotations

import ctypes
import math
import threading
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "FairnessReport",
    "GroupMetrics",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "fairness_report",
    "group_confusion",
]

Method = Literal["between_groups", "to_overall"]
Agg = Literal["worst_case", "mean"]
_METHODS = ("between_groups", "to_overall")

#: Per-group rates, in the column order of the report table.
RATES = ("selection_rate", "true_positive_rate", "false_positive_rate", "accuracy")


# ------------------------------------------------------------------------------------------------
# Inputs
# ------------------------------------------------------------------------------------------------


def _as_1d(values: Any, name: str) -> np.ndarray:
    arr = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _distinct_labels(y: np.ndarray, lo_hi: tuple[int, int] | None = None) -> set[Any]:
    """The distinct values of ``y``; ``lo_hi`` is its (min, max) when already known."""
    if y.dtype.kind in "biu" and y.size:
        lo, hi = (int(y.min()), int(y.max())) if lo_hi is None else lo_hi
        if hi - lo <= 2:  # binary-looking integers: no hashing pass over a million rows
            return {v for v in range(lo, hi + 1) if lo == v or hi == v or bool((y == v).any())}
    return set(pd.unique(y).tolist())


def _binary_labels(
    y_true: np.ndarray, y_pred: np.ndarray, pos_label: Any, names: tuple[str, str] = ("y_true", "y_pred")
) -> tuple[np.ndarray, np.ndarray]:
    """Positive indicators for labels and predictions, inferring ``pos_label`` as fairlearn does."""
    pos_label = _checked_positive_label(_distinct_labels(y_true), _distinct_labels(y_pred), pos_label, names)
    return (y_true == pos_label), (y_pred == pos_label)


def _shown(labels: set[Any]) -> str:
    values = sorted(labels, key=str)
    return "{" + ", ".join(map(repr, values[:5])) + (", ..." if len(values) > 5 else "") + "}"


def _checked_positive_label(
    true_labels: set[Any], pred_labels: set[Any], pos_label: Any, names: tuple[str, str]
) -> Any:
    """The positive label, with each side checked on its own so an error blames the right column.

    fairlearn checks the union of both sides; that rule is kept (0/1 labels with -1/1 predictions are
    refused) but a column that is not binary by itself is named alone, with its own values.
    """
    sides = ((names[0], true_labels), (names[1], pred_labels))
    for name, labels in sides:
        missing = {v for v in labels if v is None or (isinstance(v, float) and math.isnan(v))}
        if missing:
            raise ValueError(f"{name} has missing values; every row needs a value")
    if pos_label is None:
        for name, labels in sides:
            if not (labels <= {0, 1} or labels <= {-1, 1}):
                raise ValueError(
                    f"{name} holds {_shown(labels)}, not a subset of {{0, 1}} or {{-1, 1}}: pass pos_label= "
                    "(--pos-label) to say which value is the positive outcome"
                )
        if not (true_labels | pred_labels <= {0, 1} or true_labels | pred_labels <= {-1, 1}):
            raise ValueError(
                f"{names[0]} holds {_shown(true_labels)} but {names[1]} holds {_shown(pred_labels)}; both "
                "must use the same coding ({0, 1} or {-1, 1}), or pass pos_label="
            )
        return 1
    for name, labels in sides:
        if len(labels - {pos_label}) > 1:
            raise ValueError(
                f"{name} holds {_shown(labels)}: fairness metrics need binary outcomes (the positive "
                f"{pos_label!r} and one other value)"
            )
    if len((true_labels | pred_labels) - {pos_label}) > 1:
        raise ValueError(
            f"{names[0]} holds {_shown(true_labels)} but {names[1]} holds {_shown(pred_labels)}; besides "
            f"the positive {pos_label!r} they must share one negative value"
        )
    return pos_label


def _name_of(values: Any, default: str, role: str) -> str:
    name = getattr(values, "name", None)
    return f"{role} column {name!r}" if isinstance(values, pd.Series) and name is not None else default


def _checked_weights(sample_weight: Any, n: int) -> np.ndarray:
    """Weights as float64, refusing what would make every rate meaningless.

    Why refuse rather than compute: NaN or infinite weights turn every rate into NaN, negative ones
    into values outside [0, 1], all-zero ones into 0/0, and a gate compares those with its limits as
    if they were measurements.
    """
    name = _name_of(sample_weight, "sample_weight", "weight")
    raw = _as_1d(sample_weight, name)
    if raw.size != n:
        raise ValueError(f"{name} has {raw.size} rows, labels have {n}")
    numbers = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(~np.isfinite(numbers) | (numbers < 0))
    if bad.size:
        row = int(bad[0])
        value = raw[row].item() if isinstance(raw[row], np.generic) else raw[row]
        raise ValueError(
            f"{name}: row {row + 1} holds {value!r} (rows with a bad weight: {bad.size}); "
            "weights must be finite numbers >= 0"
        )
    if not numbers.sum() > 0:
        raise ValueError(f"{name}: every weight is 0; at least one row must have a positive weight")
    return numbers


def _group_codes(sensitive_features: Any, n: int) -> tuple[np.ndarray, list[Any], list[str]]:
    """Integer group codes, the group labels (tuples for several features) and the feature names."""
    codes, total, uniques_list, names = _raw_group_codes(sensitive_features, n)
    if total <= 4 * max(n, 1):  # dense id space: compact with a presence table in one pass
        presence = np.bincount(codes, minlength=total) > 0
        present = np.flatnonzero(presence)
        dense = codes if presence.all() else (np.cumsum(presence) - 1)[codes]
    else:
        present, dense = np.unique(codes, return_inverse=True)
    return dense.astype(np.intp, copy=False), _group_labels(present, uniques_list), names


def _raw_group_codes(sensitive_features: Any, n: int) -> tuple[np.ndarray, int, list[np.ndarray], list[str]]:
    """Codes over every combination of the features' values (some may not occur), its size, the values."""
    if isinstance(sensitive_features, pd.DataFrame):
        columns = [sensitive_features[c] for c in sensitive_features.columns]
        names = [str(c) for c in sensitive_features.columns]
    elif isinstance(sensitive_features, dict):
        columns = [pd.Series(v) for v in sensitive_features.values()]
        names = [str(k) for k in sensitive_features]
    elif isinstance(sensitive_features, pd.Series):
        columns, names = [sensitive_features], [str(sensitive_features.name or "sensitive_feature_0")]
    else:
        arr = (
            np.asarray(sensitive_features, dtype=object)
            if not isinstance(sensitive_features, np.ndarray)
            else sensitive_features
        )
        if arr.ndim == 1:
            columns, names = [pd.Series(arr)], ["sensitive_feature_0"]
        else:
            columns = [pd.Series(arr[:, i]) for i in range(arr.shape[1])]
            names = [f"sensitive_feature_{i}" for i in range(arr.shape[1])]
    codes_list: list[np.ndarray] = []
    uniques_list: list[np.ndarray] = []
    for name, col in zip(names, columns, strict=True):
        if len(col) != n:
            raise ValueError(f"sensitive feature {name!r} has {len(col)} rows, labels have {n}")
        fast = _string_codes(col) if col.dtype == object else None
        if fast is not None:
            codes, uniques = fast
        elif isinstance(col.dtype, pd.CategoricalDtype):
            codes, uniques = col.cat.codes.to_numpy(), np.asarray(col.cat.categories)
        elif col.dtype.kind in "iu" and len(col) and int(col.min()) >= 0 and int(col.max()) < 1_000_000:
            values = col.to_numpy()  # small non-negative integer ids: a lookup table, no hashing
            codes, uniques = values, np.arange(int(values.max()) + 1)
        else:
            codes, uniques = pd.factorize(col, sort=True)
        if (codes < 0).any():
            raise ValueError(
                f"sensitive feature {name!r} has missing values; fill them (e.g. 'unknown') first"
            )
        codes_list.append(codes if len(codes_list) == 0 and len(columns) == 1 else codes.astype(np.intp))
        uniques_list.append(uniques)
    combined = codes_list[0]
    for codes, uniques in zip(codes_list[1:], uniques_list[1:], strict=True):
        combined = combined * len(uniques) + codes
    total = math.prod(len(u) for u in uniques_list)
    return combined, total, uniques_list, names


def _group_labels(present: np.ndarray, uniques_list: list[np.ndarray]) -> list[Any]:
    """The label of each present combined code: a value, or a tuple for several features."""
    labels: list[Any] = []
    for code in present.tolist():
        parts = []
        for uniques in reversed(uniques_list):
            code, rem = divmod(code, len(uniques))
            value = uniques[rem]
            parts.append(value.item() if isinstance(value, np.generic) else value)
        parts.reverse()
        labels.append(parts[0] if len(parts) == 1 else tuple(parts))
    return labels


def group_confusion(
    y_true: Any, y_pred: Any, sensitive_features: Any, *, sample_weight: Any = None, pos_label: Any = None
) -> tuple[np.ndarray, list[Any], list[str]]:
    """``(table, groups, feature names)``: table[g] = (TN, FP, FN, TP), weighted if weights are given."""
    try:
        return _group_confusion(y_true, y_pred, sensitive_features, sample_weight, pos_label)
    finally:
        if not _KERNEL:
            _load_in_background()  # after the answer, so a one-call process does not wait for numba


def _group_confusion(
    y_true: Any, y_pred: Any, sensitive_features: Any, sample_weight: Any, pos_label: Any
) -> tuple[np.ndarray, list[Any], list[str]]:
    names = (_name_of(y_true, "y_true", "label"), _name_of(y_pred, "y_pred", "prediction"))
    yt, yp = _as_1d(y_true, names[0]), _as_1d(y_pred, names[1])
    if yt.size != yp.size:
        raise ValueError(f"{names[0]} has {yt.size} rows but {names[1]} has {yp.size}")
    if yt.size == 0:
        raise ValueError("no rows: fairness cannot be judged on empty data")
    weights = None if sample_weight is None else _checked_weights(sample_weight, yt.size)
    if weights is None and _kernel() is not None and yt.dtype.kind in "iu" and yp.dtype.kind in "iu":
        lo_t, hi_t, lo_p, hi_p = (int(v) for v in _kernels()[3](yt, yp))  # type: ignore[index]
        true_labels = _distinct_labels(yt, (lo_t, hi_t))
        pos = _checked_positive_label(true_labels, _distinct_labels(yp, (lo_p, hi_p)), pos_label, names)
        by_strings = _string_group_confusion(sensitive_features, yt, yp, pos)
        if by_strings is not None:
            return by_strings
        raw, total, uniques_list, features = _raw_group_codes(sensitive_features, yt.size)
        if total <= 4 * yt.size:  # count every possible group, then keep the ones that occur
            full = np.zeros((total, 4), dtype=np.int64)
            _kernel()(raw, yt, yp, pos, full)  # one pass, no temporaries; same integers as the bincount
            present = np.flatnonzero(full.any(axis=1))
            table = full if present.size == total else full[present]
            return table, _group_labels(present, uniques_list), features
    codes, groups, features = _group_codes(sensitive_features, yt.size)
    pos_true, pos_pred = _binary_labels(yt, yp, pos_label, names)
    cell = np.multiply(codes, 4, dtype=np.intp)
    cell += pos_true
    cell += pos_true
    cell += pos_pred
    table = np.bincount(cell, weights=weights, minlength=4 * len(groups)).reshape(len(groups), 4)
    return table, groups, features


#: Most distinct string objects the pointer pass looks for before leaving the column to pandas.
_MAX_STRING_OBJECTS = 4096
#: Table sizes tried in turn by the one-pass string path: zeroing a 4,096-row table and its hash index
#: cost more than counting 100,000 rows into 10 groups.
_STRING_OBJECT_CAPS = (64, _MAX_STRING_OBJECTS)


def _string_codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes and sorted labels of a column of Python strings, or None to leave it to ``pd.factorize``.

    Why: hashing a million Python strings costs ``pd.factorize`` about 30 ms, thirty times the counting
    itself. Group columns hold a few values repeated, and readers (pyarrow, the CSV parser) hand out one
    string object per distinct value, so the compiled pass hashes object addresses instead and only the
    few distinct objects are compared as strings. Equal strings held by different objects are merged
    by value, so the codes are ``pd.factorize(col, sort=True)``'s; any non-string value (None, NaN,
    numbers) or too many distinct objects falls back to pandas.
    """
    kernels = _kernels()
    if kernels is None or len(col) < 1024:
        return None
    values = np.ascontiguousarray(col.to_numpy(dtype=object))
    codes = np.empty(values.size, dtype=np.int32)
    first_rows = np.empty(_MAX_STRING_OBJECTS, dtype=np.int64)
    found = kernels[1](_addresses(values), _MAX_STRING_OBJECTS, codes, first_rows)
    ranked = _ranked_strings(values, first_rows, found)
    if ranked is None:
        return None
    rank, labels = ranked
    if not np.array_equal(rank, np.arange(found)):
        codes = rank.astype(np.int32)[codes]
    return codes, labels


def _addresses(values: np.ndarray) -> np.ndarray:
    """A view of an object array's pointers as integers (``values`` must outlive the view)."""
    return np.ctypeslib.as_array((ctypes.c_ssize_t * values.size).from_address(values.ctypes.data))


def _ranked_strings(
    values: np.ndarray, first_rows: np.ndarray, found: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """For each distinct object (by first row), its rank among the sorted distinct strings; the strings.

    None when the pass gave up (too many objects) or a value is not a string (pandas decides those).
    """
    if found < 0:
        return None
    objects = [values[row] for row in first_rows[:found].tolist()]
    if not all(type(o) is str for o in objects):
        return None
    labels = sorted(set(objects))
    position = {label: i for i, label in enumerate(labels)}
    return np.array([position[o] for o in objects], dtype=np.intp), np.array(labels, dtype=object)


def _string_group_confusion(sensitive_features: Any, yt: np.ndarray, yp: np.ndarray, pos: Any) -> Any:
    """The confusion table of one string group column in one pass, no codes written; None if not that."""
    if isinstance(sensitive_features, pd.Series):
        if sensitive_features.dtype != object:
            return None
        values, name = sensitive_features.to_numpy(), str(sensitive_features.name or "sensitive_feature_0")
    elif isinstance(sensitive_features, np.ndarray) and sensitive_features.dtype == object:
        values, name = sensitive_features, "sensitive_feature_0"
    else:
        return None
    if values.ndim != 1 or values.size < 1024 or values.size != yt.size:
        return None
    values = np.ascontiguousarray(values)
    addresses = _addresses(values)
    for cap in _STRING_OBJECT_CAPS:  # a small table first: most group columns hold a few values
        table = np.zeros((cap, 4), dtype=np.int64)
        first_rows = np.empty(cap, dtype=np.int64)
        found = _kernels()[2](addresses, yt, yp, pos, cap, table, first_rows)  # type: ignore[index]
        if found >= 0:
            break
    ranked = _ranked_strings(values, first_rows, found)
    if ranked is None:
        return None
    rank, labels = ranked
    merged = np.zeros((labels.size, 4), dtype=np.int64)
    np.add.at(merged, rank, table[:found])  # equal strings held by different objects are one group
    return merged, labels.tolist(), [name]


_KERNEL: list[Any] = []  # [] not loaded, [None] no numba, [kernels] ready
_LOADER: list[threading.Thread] = []


def _kernel() -> Any:
    """The compiled one-pass confusion-table kernel, or None while it loads or without numba."""
    kernels = _kernels()
    return None if kernels is None else kernels[0]


def _kernels(block: bool = False) -> tuple[Any, Any, Any, Any] | None:
    """(confusion table, object-address coding, confusion keyed by address), or None if not ready.

    Why not load them on first use: importing numba and loading the kernels from its on-disk cache takes
    0.5-1 s, longer than fairlearn needs for one metric on 100,000 rows, so a process that makes one call
    (``keel fairness``) would wait for nothing. The first call takes the numpy path (same integers) and
    starts loading the kernels in a background thread; later calls use them once they are ready.
    ``block=True`` waits for them (benchmarks, long-running services that want the fast path at once).
    """
    if _KERNEL:
        return _KERNEL[0]  # type: ignore[no-any-return]
    if block:
        _load_in_background()
        _LOADER[0].join()
        return _KERNEL[0] if _KERNEL else None
    return None


def _load_in_background() -> None:
    """Start loading the kernels (once per process); the thread never blocks the process's exit."""
    with _LOADER_LOCK:
        if _LOADER or _KERNEL:
            return
        thread = threading.Thread(target=_load_kernels, name="mlkeel-fairness-kernels", daemon=True)
        _LOADER.append(thread)
        thread.start()


_LOADER_LOCK = threading.Lock()


def _load_kernels() -> None:
    try:
        kernels = _compile_kernels()
    except Exception:  # pragma: no cover - a broken numba install: the numpy path stays, no traceback
        _KERNEL.append(None)
        return
    if kernels is not None:  # load the usual signatures from the cache now, not in a caller's first call
        y = np.zeros(1, dtype=np.int64)
        for dtype in (np.int8, np.int64):  # category codes; integer ids and combined features
            kernels[0](np.zeros(1, dtype=dtype), y, y, 1, np.zeros((1, 4), dtype=np.int64))
        values = np.array(["x"], dtype=object)  # a column of strings
        kernels[2](_addresses(values), y, y, 1, 1, np.zeros((1, 4), dtype=np.int64), np.zeros(1, np.int64))
        kernels[3](y, y)
    _KERNEL.append(kernels)


def _compile_kernels() -> tuple[Any, Any, Any, Any] | None:
    """The numba kernels, or None without numba.

    ``cache=True``: compiled once, then loaded from ``__pycache__`` beside this file, or from numba's
    user-wide cache directory where that is not writable (an installed package).
    """
    try:
        import numba
    except ImportError:  # pragma: no cover
        return None
    else:

        @numba.njit(nogil=True, cache=True)
        def confusion(codes, yt, yp, pos, table):  # pragma: no cover - compiled
            for i in range(codes.size):
                table[codes[i], 2 * (yt[i] == pos) + (yp[i] == pos)] += 1

        @numba.njit(nogil=True, cache=True)
        def address_codes(addresses, cap, codes, first_rows):  # pragma: no cover - compiled
            """Number each distinct address in order of appearance; -1 once more than ``cap`` appear."""
            size = 16
            while size < 4 * cap:
                size *= 2
            mask = size - 1
            keys = np.zeros(size, dtype=np.int64)
            slots = np.full(size, -1, dtype=np.int64)
            found, last, last_code = 0, 0, -1
            for i in range(addresses.size):
                a = addresses[i]
                if a != last or last_code < 0:
                    h = ((a >> 4) ^ (a >> 13)) & mask
                    while slots[h] >= 0 and keys[h] != a:
                        h = (h + 1) & mask
                    if slots[h] < 0:
                        if found == cap:
                            return -1
                        keys[h], slots[h] = a, found
                        first_rows[found] = i
                        found += 1
                    last, last_code = a, slots[h]
                codes[i] = last_code
            return found

        @numba.njit(nogil=True, cache=True)
        def address_confusion(addresses, yt, yp, pos, cap, table, first_rows):  # pragma: no cover
            """``confusion`` keyed by object address, numbering addresses as ``address_codes`` does."""
            size = 16
            while size < 4 * cap:
                size *= 2
            mask = size - 1
            keys = np.zeros(size, dtype=np.int64)
            slots = np.full(size, -1, dtype=np.int64)
            found = 0
            cells = table.ravel()
            for i in range(addresses.size):
                a = addresses[i]
                h = ((a >> 4) ^ (a >> 13)) & mask
                while keys[h] != a:  # a hit exits after one compare; no object lives at address 0
                    if slots[h] < 0:
                        if found == cap:
                            return -1
                        keys[h], slots[h] = a, found
                        first_rows[found] = i
                        found += 1
                        break
                    h = (h + 1) & mask
                cells[slots[h] * 4 + 2 * (yt[i] == pos) + (yp[i] == pos)] += 1
            return found

        @numba.njit(nogil=True, cache=True)
        def label_ranges(yt, yp):  # pragma: no cover - compiled
            """(min, max) of labels and of predictions in one pass over both."""
            lo_t, hi_t, lo_p, hi_p = yt[0], yt[0], yp[0], yp[0]
            for i in range(yt.size):
                t, p = yt[i], yp[i]
                lo_t, hi_t = min(lo_t, t), max(hi_t, t)
                lo_p, hi_p = min(lo_p, p), max(hi_p, p)
            return lo_t, hi_t, lo_p, hi_p

        return confusion, address_codes, address_confusion, label_ranges


# ------------------------------------------------------------------------------------------------
# Rates and aggregations
# ------------------------------------------------------------------------------------------------


def _rates(cm: np.ndarray) -> np.ndarray:
    """Rows of (selection rate, TPR, FPR, accuracy) from rows of (TN, FP, FN, TP)."""
    tn, fp, fn, tp = (cm[..., i] for i in range(4))
    n = tn + fp + fn + tp
    with np.errstate(divide="ignore", invalid="ignore"):
        selection = (fp + tp) / n
        accuracy = (tp + tn) / n
    return np.stack([selection, _rate_or_zero(tp, tp + fn), _rate_or_zero(fp, fp + tn), accuracy], axis=-1)


def _rate_or_zero(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """``part / whole``, 0 where ``whole`` is 0 (a group without positives has TPR 0, as in fairlearn,
    which returns 0 for 0/0); ``part <= whole`` always, so nothing else can be undefined."""
    out = np.zeros(np.shape(whole), dtype=np.float64)
    np.divide(part, whole, out=out, where=whole != 0)
    return out


def _difference(by_group: np.ndarray, overall: float, method: str) -> float:
    if method == "between_groups":
        return float(np.max(by_group) - np.min(by_group))
    if method == "to_overall":
        return float(np.max(np.abs(by_group - overall)))
    raise ValueError(f"method must be one of {_METHODS}, got {method!r}")


def _ratio(by_group: np.ndarray, overall: float, method: str) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "between_groups":
            return float(np.min(by_group) / np.max(by_group))
        if method == "to_overall":
            r = by_group / overall
            r = np.where(r > 1, 1 / r, r)  # fairlearn's ratio_sub_one; inf becomes 0
            finite = r[~np.isnan(r)]  # pandas' min skips NaN (0/0) and is NaN when nothing is left
            return float(finite.min()) if finite.size else float("nan")
    raise ValueError(f"method must be one of {_METHODS}, got {method!r}")


class GroupMetrics(BaseModel):
    """One group's rates (``group`` is a value, or a list of values for several sensitive features)."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="null")

    group: Any
    count: float
    selection_rate: float
    true_positive_rate: float
    false_positive_rate: float
    accuracy: float


class FairnessReport(BaseModel):
    """Per-group rates and the disparity metrics, both methods; NaN (0/0) is explained in ``notes``."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="null")

    sensitive_features: list[str]
    overall: GroupMetrics
    by_group: list[GroupMetrics]
    metrics: dict[str, float] = Field(description="name -> value, e.g. demographic_parity_difference")
    notes: list[str] = Field(default_factory=list)

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text; undefined (0/0) ratios are ``null`` and listed in ``notes``."""
        return self.model_dump_json(indent=indent)

    def frame(self) -> pd.DataFrame:
        """The per-group table as a DataFrame (one row per group, plus ``overall``)."""
        rows = [m.model_dump() for m in [*self.by_group, self.overall]]
        return pd.DataFrame(rows).set_index("group")


def _metrics_from_table(table: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    rates = _rates(table)
    overall = _rates(table.sum(axis=0))
    sel, tpr, fpr = rates[:, 0], rates[:, 1], rates[:, 2]
    out: dict[str, float] = {}
    for method in _METHODS:
        suffix = "" if method == "between_groups" else "_to_overall"
        out[f"demographic_parity_difference{suffix}"] = _difference(sel, overall[0], method)
        out[f"demographic_parity_ratio{suffix}"] = _ratio(sel, overall[0], method)
        tpr_d, fpr_d = _difference(tpr, overall[1], method), _difference(fpr, overall[2], method)
        tpr_r, fpr_r = _ratio(tpr, overall[1], method), _ratio(fpr, overall[2], method)
        out[f"equalized_odds_difference{suffix}"] = max(tpr_d, fpr_d)
        out[f"equalized_odds_ratio{suffix}"] = min(tpr_r, fpr_r)
        out[f"equal_opportunity_difference{suffix}"] = tpr_d
        out[f"equal_opportunity_ratio{suffix}"] = tpr_r
    return rates, overall, out


def fairness_report(
    y_true: Any, y_pred: Any, sensitive_features: Any, *, sample_weight: Any = None, pos_label: Any = None
) -> FairnessReport:
    """All rates per group and every disparity metric (both methods) from one pass over the data.

    ``sensitive_features``: a Series/array (one feature) or a DataFrame/dict (several: groups are the
    combinations that occur, as fairlearn's ``MetricFrame`` forms them).
    See Also: :class:`runtime.fairness.FairnessGate` (pass/fail with reasons).
    """
    table, groups, names = group_confusion(
        y_true, y_pred, sensitive_features, sample_weight=sample_weight, pos_label=pos_label
    )
    rates, overall, metrics = _metrics_from_table(table)
    counts = table.sum(axis=1)
    by_group = [
        GroupMetrics(
            group=list(g) if isinstance(g, tuple) else g,
            count=float(c),
            **dict(zip(RATES, map(float, r), strict=True)),
        )
        for g, c, r in zip(groups, counts, rates, strict=True)
    ]
    overall_m = GroupMetrics(
        group="overall", count=float(counts.sum()), **dict(zip(RATES, map(float, overall), strict=True))
    )
    notes = [
        f"{name} is undefined (0/0: every group's rate is 0)" for name, v in metrics.items() if math.isnan(v)
    ]
    if len(groups) < 2:
        notes.append(f"only one group ({groups[0]!r}) in the data: every difference is 0 and every ratio 1")
    return FairnessReport(
        sensitive_features=names, overall=overall_m, by_group=by_group, metrics=metrics, notes=notes
    )


# ------------------------------------------------------------------------------------------------
# fairlearn-compatible functions
# ------------------------------------------------------------------------------------------------


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")


def _rate_inputs(
    y_true: Any, y_pred: Any, sensitive_features: Any, sample_weight: Any, pos_label: Any = None
):
    table, _, _ = group_confusion(
        y_true, y_pred, sensitive_features, sample_weight=sample_weight, pos_label=pos_label
    )
    return _rates(table), _rates(table.sum(axis=0))


def demographic_parity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: Any = None,
) -> float:
    """Selection-rate difference between groups (fairlearn's function of the same name)."""
    _check_method(method)
    rates, overall = _rate_inputs(y_true, y_pred, sensitive_features, sample_weight)
    return _difference(rates[:, 0], overall[0], method)


def demographic_parity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: Any = None,
) -> float:
    """Selection-rate ratio (disparate impact; 0.8 is the four-fifths rule)."""
    _check_method(method)
    rates, overall = _rate_inputs(y_true, y_pred, sensitive_features, sample_weight)
    return _ratio(rates[:, 0], overall[0], method)


def equalized_odds_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: Any = None,
    agg: Agg = "worst_case",
) -> float:
    """Larger (``worst_case``) or mean of the TPR and FPR differences."""
    _check_method(method)
    rates, overall = _rate_inputs(y_true, y_pred, sensitive_features, sample_weight)
    diffs = [_difference(rates[:, 1], overall[1], method), _difference(rates[:, 2], overall[2], method)]
    return _aggregate(diffs, agg, max)


def equalized_odds_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: Any = None,
    agg: Agg = "worst_case",
) -> float:
    """Smaller (``worst_case``) or mean of the TPR and FPR ratios."""
    _check_method(method)
    rates, overall = _rate_inputs(y_true, y_pred, sensitive_features, sample_weight)
    ratios = [_ratio(rates[:, 1], overall[1], method), _ratio(rates[:, 2], overall[2], method)]
    return _aggregate(ratios, agg, min)


def _aggregate(values: Sequence[float], agg: str, worst: Any) -> float:
    if agg == "worst_case":
        return float(worst(values))
    if agg == "mean":
        return float(pd.Series(values).mean())
    raise ValueError(f"agg must be one of 'worst_case' or 'mean', got {agg!r}")


def equal_opportunity_difference(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: Any = None,
) -> float:
    """True-positive-rate difference between groups."""
    _check_method(method)
    rates, overall = _rate_inputs(y_true, y_pred, sensitive_features, sample_weight)
    return _difference(rates[:, 1], overall[1], method)


def equal_opportunity_ratio(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: Any,
    method: Method = "between_groups",
    sample_weight: Any = None,
) -> float:
    """True-positive-rate ratio between groups."""
    _check_method(method)
    rates, overall = _rate_inputs(y_true, y_pred, sensitive_features, sample_weight)
    return _ratio(rates[:, 1], overall[1], method)

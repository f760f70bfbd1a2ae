"""The reference profile: everything drift scoring needs from the reference data, computed once.

Why a profile: Evidently re-reads and re-sorts the reference for every column test on every report.
A monitoring job scores many windows against one reference, so the reference is summarised once
(sorted finite values, population std in row order, distinct count, decile edges and counts,
category vocabulary and counts), saved next to the model, and loaded by each scoring run.

Files: ``.npz`` (compact, binary, the default) or ``.json`` (readable, for small references). Both hold
the same fields; ``load_profile`` picks the reader from the suffix.
"""

from __future__ import annotations

import json
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from runtime.drift._arrow import (
    ParquetWindow,
    arrow_categorical_counts,
    arrow_numeric_values,
    is_parquet_path,
)
from runtime.drift._kernels import distinct_objects, sorted_copy
from runtime.drift._stats import reference_norm, sorted_value_counts

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CategoricalProfile",
    "NumericalProfile",
    "ReferenceProfile",
    "build_profile",
    "infer_column_kinds",
    "load_profile",
]

#: Format version written into every saved profile; bump when fields change meaning.
PROFILE_VERSION = 1

#: Number of reference-quantile bins for ``method="psi_quantile"``.
DEFAULT_QUANTILE_BINS = 10

ColumnKind = Literal["numerical", "categorical"]


@dataclass(frozen=True)
class NumericalProfile:
    """A numerical reference column: sorted finite values plus the summaries scoring reuses."""

    name: str
    sorted_values: np.ndarray
    norm: float
    n_unique: int
    integer: bool
    n_missing: int
    quantile_edges: np.ndarray
    quantile_counts: np.ndarray
    kind: ColumnKind = field(default="numerical", init=False)

    @property
    def n_rows(self) -> int:
        """Finite values the tests use (NaN and +/-inf excluded)."""
        return int(self.sorted_values.size)


@dataclass(frozen=True)
class CategoricalProfile:
    """A categorical reference column: vocabulary and counts (missing values excluded)."""

    name: str
    values: np.ndarray
    counts: np.ndarray
    n_missing: int
    kind: ColumnKind = field(default="categorical", init=False)

    @property
    def n_rows(self) -> int:
        """Non-missing values the tests use."""
        return int(self.counts.sum())

    @property
    def n_unique(self) -> int:
        """Distinct categories seen in the reference."""
        return int(self.values.size)


ColumnProfile = NumericalProfile | CategoricalProfile


@dataclass(frozen=True)
class ReferenceProfile:
    """All reference columns, in the order they were fitted."""

    columns: dict[str, ColumnProfile]
    n_rows: int
    quantile_bins: int = DEFAULT_QUANTILE_BINS

    @property
    def numerical(self) -> list[str]:
        """Names of the numerical columns."""
        return [c for c, p in self.columns.items() if p.kind == "numerical"]

    @property
    def categorical(self) -> list[str]:
        """Names of the categorical columns."""
        return [c for c, p in self.columns.items() if p.kind == "categorical"]

    def save(self, path: str | Path) -> Path:
        """Write the profile to ``path`` (``.npz`` binary or ``.json`` text, by suffix), atomically.

        Why atomic: a monitoring job that is killed mid-save must leave the previous profile (or none),
        never a truncated one that every later run refuses.
        """
        from mlkeel.files import InputError, atomic_path, atomic_write_text

        path = Path(path)
        if path.suffix not in (".npz", ".json"):
            raise InputError.at(
                path, "", None, f"a profile file must end in .npz or .json, not {path.suffix!r}"
            )
        meta, arrays = self._to_parts()
        if path.suffix == ".json":
            doc = {"meta": meta, "arrays": {k: _array_to_json(v) for k, v in arrays.items()}}
            atomic_write_text(path, json.dumps(doc, allow_nan=False))
        else:
            with atomic_path(path) as temp, temp.open("wb") as fh:
                # a file object, not a name: np.savez would append ".npz" to the temporary name
                np.savez(fh, __meta__=np.array(json.dumps(meta)), **arrays)  # type: ignore[arg-type]
        return path

    def _to_parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        cols: list[dict[str, Any]] = []
        arrays: dict[str, np.ndarray] = {}
        for i, prof in enumerate(self.columns.values()):
            if isinstance(prof, NumericalProfile):
                cols.append(
                    {
                        "name": prof.name,
                        "kind": "numerical",
                        "norm": prof.norm,
                        "n_unique": prof.n_unique,
                        "integer": prof.integer,
                        "n_missing": prof.n_missing,
                    }
                )
                arrays[f"c{i}_sorted"] = prof.sorted_values
                arrays[f"c{i}_qedges"] = prof.quantile_edges
                arrays[f"c{i}_qcounts"] = prof.quantile_counts
            else:
                values = prof.values.tolist()
                cols.append(
                    {
                        "name": prof.name,
                        "kind": "categorical",
                        "n_missing": prof.n_missing,
                        "values": [_jsonable(v) for v in values],
                        "value_types": [type(v).__name__ for v in values],
                    }
                )
                arrays[f"c{i}_counts"] = prof.counts
        meta = {
            "version": PROFILE_VERSION,
            "n_rows": self.n_rows,
            "quantile_bins": self.quantile_bins,
            "columns": cols,
        }
        return meta, arrays


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _restore_value(value: Any, type_name: str) -> Any:
    if type_name in ("bool", "bool_"):
        return bool(value)
    if type_name.startswith("int"):
        return int(value)
    if type_name.startswith("float"):
        return float(value)
    return value


def _array_to_json(arr: np.ndarray) -> dict[str, Any]:
    if arr.dtype.kind == "f":
        # repr round-trips float64 exactly; JSON has no inf/nan but profiles hold finite values only
        return {"dtype": "float64", "data": arr.tolist()}
    return {"dtype": "int64", "data": arr.astype(np.int64).tolist()}


#: Largest profile file read, in bytes (1M rows x 20 columns is about 160 MB as .npz).
MAX_PROFILE_BYTES = 4 * 1024 * 1024 * 1024


def load_profile(path: str | Path, *, max_bytes: int = MAX_PROFILE_BYTES) -> ReferenceProfile:
    """Read a profile written by :meth:`ReferenceProfile.save`.

    Anything else (a truncated or foreign ``.npz``, random bytes, JSON of another shape, arrays that
    contradict each other) is an ``InputError`` "FILE: is not a reference profile written by mlkeel
    (...)": a profile is trusted by every later scoring run, so it is checked completely here rather
    than failing halfway through a score.
    """
    from mlkeel.files import InputError, open_binary, parse_json, read_bytes

    path = Path(path)
    if path.suffix not in (".npz", ".json"):
        raise InputError.at(path, "", None, f"a profile file must end in .npz or .json, not {path.suffix!r}")

    def refuse(why: str) -> InputError:
        return InputError.at(path, "", None, f"is not a reference profile written by mlkeel ({why})")

    if path.suffix == ".json":
        data = read_bytes(path, what="reference profile", max_bytes=max_bytes)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise refuse("not UTF-8 text") from None
        try:
            doc = parse_json(text, path, what="reference profile")
        except InputError as exc:
            raise refuse(exc.allowed) from None
        try:
            meta = doc["meta"]
            arrays = {
                str(k): np.asarray(v["data"], dtype=_JSON_DTYPES[v["dtype"]])
                for k, v in doc["arrays"].items()
            }
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise refuse(f"bad layout: {type(exc).__name__} {exc}") from None
    else:
        # opened, not read whole: each array is then copied once from the file rather than twice
        with open_binary(path, what="reference profile", max_bytes=max_bytes) as handle:
            if handle.read(2) != b"PK":
                raise refuse("not an .npz archive: it does not start as a zip file does")
            handle.seek(0)
            try:
                with np.load(handle, allow_pickle=False) as npz:
                    meta = json.loads(str(npz["__meta__"][()]))
                    arrays = {k: npz[k] for k in npz.files if k != "__meta__"}
            except Exception as exc:  # BadZipFile, EOFError, zlib.error, ValueError (object arrays)...
                raise refuse(_npz_problem(exc)) from None
    try:
        return _profile_from_parts(meta, arrays)
    except _BadProfile as exc:
        raise refuse(str(exc)) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
        raise refuse(f"bad layout: {type(exc).__name__} {exc}") from None


_JSON_DTYPES = {"float64": np.float64, "int64": np.int64}


class _BadProfile(ValueError):
    """A profile whose parts do not fit together (the message says which part)."""


def _npz_problem(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "no __meta__ entry"
    if isinstance(exc, ValueError) and "pickle" in str(exc):
        return "it holds Python objects, which a profile never does"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _array(arrays: dict[str, np.ndarray], key: str, kind: str) -> np.ndarray:
    if key not in arrays:
        raise _BadProfile(f"array {key!r} is missing")
    arr = np.asarray(arrays[key])
    if arr.ndim != 1 or arr.dtype.kind not in ("f", "i", "u") or (kind == "i" and arr.dtype.kind == "f"):
        raise _BadProfile(
            f"array {key!r} has dtype {arr.dtype} and shape {arr.shape}; expected a 1-D "
            f"{'integer' if kind == 'i' else 'number'} array"
        )
    return arr.astype(np.float64 if kind == "f" else np.int64, copy=False)  # npz arrays are fresh copies


def _profile_from_parts(meta: Any, arrays: dict[str, np.ndarray]) -> ReferenceProfile:
    if not isinstance(meta, dict):
        raise _BadProfile("the metadata is not a mapping")
    if meta.get("version") != PROFILE_VERSION:
        raise _BadProfile(f"version {meta.get('version')!r}; this mlkeel reads version {PROFILE_VERSION}")
    n_rows, bins, cols = meta.get("n_rows"), meta.get("quantile_bins"), meta.get("columns")
    if not (isinstance(n_rows, int) and n_rows > 0):
        raise _BadProfile(f"n_rows = {n_rows!r}; a profile describes at least one reference row")
    if not (isinstance(bins, int) and bins >= 2):
        raise _BadProfile(f"quantile_bins = {bins!r}; must be an integer >= 2")
    if not (isinstance(cols, list) and cols):
        raise _BadProfile("no columns")
    columns: dict[str, ColumnProfile] = {}
    for i, col in enumerate(cols):
        if not (isinstance(col, dict) and isinstance(col.get("name"), str)):
            raise _BadProfile(f"column {i} has no name")
        name = col["name"]
        if name in columns:
            raise _BadProfile(f"column {name!r} appears twice")
        n_missing = col.get("n_missing")
        if not (isinstance(n_missing, int) and n_missing >= 0):
            raise _BadProfile(f"column {name!r}: n_missing = {n_missing!r}")
        prof: ColumnProfile
        if col.get("kind") == "numerical":
            values = _array(arrays, f"c{i}_sorted", "f")
            edges = _array(arrays, f"c{i}_qedges", "f")
            qcounts = _array(arrays, f"c{i}_qcounts", "i")
            norm = col.get("norm")
            if not (np.isfinite(values).all() and bool((values[1:] >= values[:-1]).all())):
                raise _BadProfile(f"column {name!r}: reference values are not finite and sorted")
            if not (isinstance(norm, (int, float)) and math.isfinite(norm) and norm > 0):
                raise _BadProfile(f"column {name!r}: norm = {norm!r}")
            if qcounts.size != edges.size + 1 or (qcounts < 0).any() or int(qcounts.sum()) != values.size:
                raise _BadProfile(f"column {name!r}: quantile counts do not match the values")
            n_unique = col.get("n_unique")
            if not (isinstance(n_unique, int) and 0 <= n_unique <= values.size):
                raise _BadProfile(f"column {name!r}: n_unique = {n_unique!r}")
            prof = NumericalProfile(
                name=name,
                sorted_values=values,
                norm=float(norm),
                n_unique=n_unique,
                integer=bool(col.get("integer")),
                n_missing=n_missing,
                quantile_edges=edges,
                quantile_counts=qcounts,
            )
        elif col.get("kind") == "categorical":
            raw, types = col.get("values"), col.get("value_types")
            if not (isinstance(raw, list) and isinstance(types, list) and len(raw) == len(types)):
                raise _BadProfile(f"column {name!r}: values and value_types do not match")
            counts = _array(arrays, f"c{i}_counts", "i")
            if counts.size != len(raw) or (counts <= 0).any():
                raise _BadProfile(f"column {name!r}: {counts.size} counts for {len(raw)} values")
            restored = [_restore_value(v, str(t)) for v, t in zip(raw, types, strict=True)]
            vals = np.empty(len(restored), dtype=object)
            vals[:] = restored
            if len(set(restored)) != len(restored):
                raise _BadProfile(f"column {name!r}: a category appears twice")
            prof = CategoricalProfile(name=name, values=vals, counts=counts, n_missing=n_missing)
        else:
            raise _BadProfile(f"column {name!r}: kind {col.get('kind')!r}; expected numerical or categorical")
        if prof.n_rows == 0:
            raise _BadProfile(f"column {name!r} has no reference values")
        if prof.n_rows + prof.n_missing != n_rows:
            raise _BadProfile(
                f"column {name!r}: {prof.n_rows} values and {prof.n_missing} missing for {n_rows} rows"
            )
        columns[name] = prof
    return ReferenceProfile(columns=columns, n_rows=n_rows, quantile_bins=bins)


# ------------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------------


def infer_column_kinds(frame: pd.DataFrame) -> dict[str, ColumnKind]:
    """Evidently's type inference, minus text: float -> numerical; int -> categorical when it has at most
    10 distinct values, else numerical; bool, category, string and object -> categorical.

    Pass ``numerical=`` / ``categorical=`` explicitly in production: inference on one window can flip.
    """
    import pandas as pd

    kinds: dict[str, ColumnKind] = {}
    for name in frame.columns:
        s = frame[name]
        if pd.api.types.is_bool_dtype(s) or isinstance(s.dtype, pd.CategoricalDtype):
            kinds[str(name)] = "categorical"
        elif pd.api.types.is_integer_dtype(s):
            kinds[str(name)] = "categorical" if s.nunique() <= 10 else "numerical"
        elif pd.api.types.is_numeric_dtype(s):
            kinds[str(name)] = "numerical"
        else:
            kinds[str(name)] = "categorical"
    return kinds


def first_non_number(series: pd.Series) -> tuple[int, Any] | None:
    """``(row, value)`` of the first cell that is present but not a number (rows count from 1), or None.

    Why the first *offending* cell: quoting the first cell of the column (often a fine number) sends
    the reader looking in the wrong place.
    """
    import pandas as pd

    coerced = pd.to_numeric(series, errors="coerce")
    bad = np.flatnonzero(coerced.isna().to_numpy() & series.notna().to_numpy())
    if bad.size == 0:
        return None
    row = int(bad[0])
    value = series.iloc[row]
    return row + 1, value.item() if isinstance(value, np.generic) else value


def numeric_values(name: str, series: pd.Series, source: str, role: str = "declared numerical") -> np.ndarray:
    """The column as float64 (missing values NaN), or a ValueError naming the column, row and cell."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        try:
            return pd.to_numeric(series, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        except (ValueError, TypeError, OverflowError):
            found = first_non_number(series)
            where = (
                f"row {found[0]} holds {found[1]!r}"
                if found is not None
                else f"it holds {series.dtype} values"
            )
            raise ValueError(
                f"{source}: column {name!r} is {role} but {where}, which is not a number; "
                "declare the column categorical or fix the value"
            ) from None
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _numeric_column(name: str, series: pd.Series, source: str) -> np.ndarray:
    return numeric_values(name, series, source)


def numerical_profile(
    name: str, series: pd.Series, quantile_bins: int = DEFAULT_QUANTILE_BINS
) -> NumericalProfile:
    """Profile one numerical column (NaN and +/-inf are counted as missing and left out)."""
    import pandas as pd

    raw = _numeric_column(name, series, "reference")
    integer = bool(pd.api.types.is_integer_dtype(series.dtype)) and not series.isna().any()
    return profile_numbers(name, raw, integer, quantile_bins)


def profile_numbers(
    name: str, raw: np.ndarray, integer: bool, quantile_bins: int = DEFAULT_QUANTILE_BINS
) -> NumericalProfile:
    """Profile one numerical column from its float64 values (NaN and +/-inf missing); ``integer`` says
    the column was stored as integers without gaps (Evidently bins those on whole numbers)."""
    finite = raw[np.isfinite(raw)]
    sorted_values = sorted_copy(finite)  # np.sort's result, compiled radix sort on large columns
    distinct, _ = sorted_value_counts(sorted_values)
    if finite.size:
        norm = reference_norm(finite)
        qs = np.quantile(sorted_values, np.linspace(0.0, 1.0, quantile_bins + 1)[1:-1])
        edges = np.unique(qs)
        counts = np.bincount(np.searchsorted(edges, sorted_values, side="right"), minlength=edges.size + 1)
    else:
        norm, edges, counts = 0.001, np.zeros(0), np.zeros(1, dtype=np.int64)
    return NumericalProfile(
        name=name,
        sorted_values=sorted_values,
        norm=norm,
        n_unique=int(distinct.size),
        integer=integer,
        n_missing=int(raw.size - finite.size),
        quantile_edges=edges.astype(np.float64),
        quantile_counts=counts.astype(np.int64),
    )


def object_value_counts(series: pd.Series) -> pd.Series | None:
    """``series.value_counts(dropna=True, sort=False)`` of an object column, from its distinct objects.

    The same values, counts and order: the few representative objects (one per distinct pointer, in
    order of first appearance) go through ``pd.factorize``, which uses the hash table ``value_counts``
    uses, so equal values held by different objects merge exactly as they would there. None where the
    column holds too many distinct objects for that to pay (:func:`distinct_objects`).
    """
    import pandas as pd

    values = series.to_numpy()
    found = distinct_objects(values)
    if found is None:
        return None
    first, counts = found
    codes, uniques = pd.factorize(values[first])  # None and NaN -> -1: dropped, as dropna=True does
    keep = codes >= 0
    totals = np.bincount(codes[keep], weights=counts[keep], minlength=len(uniques))
    return pd.Series(totals.astype(np.int64), index=uniques)


def categorical_profile(name: str, series: pd.Series) -> CategoricalProfile:
    """Profile one categorical column: vocabulary and counts, missing values (None/NaN/inf) left out."""
    import pandas as pd

    counts = object_value_counts(series) if series.dtype == object else None
    if counts is None:
        clean = series.replace([np.inf, -np.inf], np.nan) if pd.api.types.is_float_dtype(series) else series
        counts = clean.value_counts(dropna=True, sort=False)
    values = np.empty(len(counts), dtype=object)
    values[:] = [v.item() if isinstance(v, np.generic) else v for v in counts.index.tolist()]
    return CategoricalProfile(
        name=name,
        values=values,
        counts=counts.to_numpy(dtype=np.int64),
        n_missing=int(len(series) - int(counts.sum())),
    )


def as_frame(data: Any, columns: list[str] | None = None) -> pd.DataFrame:
    """Accept a DataFrame, a parquet path, a 2-D array (columns named ``"0"``, ``"1"``... unless
    ``columns`` is given) or a mapping."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, (str, Path)) and str(data).endswith(".parquet"):
        frame = pd.read_parquet(data, columns=columns)
    elif isinstance(data, np.ndarray):
        if data.ndim == 1:
            data = data.reshape(-1, 1)
        if data.ndim != 2:
            raise ValueError(f"expected a 2-D array (rows x columns), got shape {data.shape}")
        names = columns or [str(i) for i in range(data.shape[1])]
        if len(names) != data.shape[1]:
            raise ValueError(f"{len(names)} column names given for an array with {data.shape[1]} columns")
        frame = pd.DataFrame(data, columns=names)
    elif isinstance(data, dict):
        frame = pd.DataFrame(data)
    else:
        raise TypeError(
            "expected a pandas or Spark DataFrame, a parquet path, a 2-D numpy array or a dict of columns, "
            f"got {type(data).__name__}"
        )
    if not all(isinstance(c, str) for c in frame.columns):
        frame = frame.rename(columns=str)  # a renamed shallow copy: the caller's frame is left alone
    return frame


def build_profile(
    reference: Any,
    *,
    numerical: list[str] | None = None,
    categorical: list[str] | None = None,
    columns: list[str] | None = None,
    quantile_bins: int = DEFAULT_QUANTILE_BINS,
    n_jobs: int | None = 1,
) -> ReferenceProfile:
    """Profile the reference once. Columns not listed in ``numerical``/``categorical`` are inferred
    (see :func:`infer_column_kinds`) unless both lists are given, in which case only those are profiled.

    ``n_jobs`` threads profile columns in parallel (None: one per core): sorting a column releases the
    GIL, and a profile fitted on the fly is half of a one-shot ``keel drift``.
    """
    frame: Any
    if is_parquet_path(reference):
        # a file: each column is read by the thread that profiles it, straight from Arrow
        window = ParquetWindow(reference, columns)
        n_rows = window.n_rows
        if n_rows == 0:
            raise ValueError("reference: has no rows; drift needs reference data to compare with")
        kinds = _declared_kinds(window.columns, numerical, categorical)
        if numerical is None or categorical is None:
            inferred = window.infer_kinds(exclude=set(kinds))
            if inferred is None:  # a type whose kind pandas' dtype decides: read the file as a frame
                return build_profile(
                    window.frame(),
                    numerical=numerical,
                    categorical=categorical,
                    quantile_bins=quantile_bins,
                    n_jobs=n_jobs,
                )
            kinds = {c: kinds.get(c, inferred.get(c, "numerical")) for c in window.columns}
        frame = window
    else:
        frame = as_frame(reference, columns)
        n_rows = len(frame)
        if n_rows == 0:
            raise ValueError("reference: has no rows; drift needs reference data to compare with")
        kinds = _resolve_kinds(frame, numerical, categorical)
    if not kinds:
        raise ValueError("reference: has no columns to test")

    def profile(item: tuple[str, ColumnKind, Any]) -> ColumnProfile:
        name, kind, series = item
        if series is None:  # from the Parquet window: Arrow, or pandas for types without a NumPy twin
            column = frame.column(name)
            if kind == "numerical":
                numbers = arrow_numeric_values(column)
                if numbers is not None:
                    return profile_numbers(name, *numbers, quantile_bins=quantile_bins)
            else:
                counts = arrow_categorical_counts(column)
                if counts is not None:
                    values, value_counts, n_missing = counts
                    return CategoricalProfile(
                        name=name, values=values, counts=value_counts, n_missing=n_missing
                    )
            series = column.to_pandas()
        if kind == "numerical":
            return numerical_profile(name, series, quantile_bins)
        return categorical_profile(name, series)

    from_file = isinstance(frame, ParquetWindow)
    # frame columns are taken in this thread; file columns are read by the worker that profiles them
    items = [(name, kind, None if from_file else frame[name]) for name, kind in kinds.items()]
    jobs = min(n_jobs or os.cpu_count() or 1, len(items))
    if jobs > 1:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            built = list(pool.map(profile, items))  # the first failing column in order raises
    else:
        built = [profile(item) for item in items]
    profiles: dict[str, ColumnProfile] = {prof.name: prof for prof in built}
    empty = [name for name, prof in profiles.items() if prof.n_rows == 0]
    if empty:
        # Refused here, not reported per column: an all-missing column reads as float (so it would be
        # called numerical and the window's text blamed), and a check that tests nothing must not pass.
        raise ValueError(
            f"reference: column(s) {empty} have no usable values (every cell missing, NaN or infinite), so "
            "drift in them cannot be judged; fix the reference or leave them out (--numerical/--categorical)"
        )
    return ReferenceProfile(columns=profiles, n_rows=n_rows, quantile_bins=quantile_bins)


def _resolve_kinds(
    frame: pd.DataFrame, numerical: list[str] | None, categorical: list[str] | None
) -> dict[str, ColumnKind]:
    declared = _declared_kinds(list(frame.columns), numerical, categorical)
    if numerical is not None and categorical is not None:
        return declared
    inferred = infer_column_kinds(frame.drop(columns=list(declared)))
    return {**{c: declared.get(c, inferred.get(c, "numerical")) for c in frame.columns}}


def _declared_kinds(
    names: list[str], numerical: list[str] | None, categorical: list[str] | None
) -> dict[str, ColumnKind]:
    """The kinds the caller gave, checked: no column in both lists, every listed column present."""
    declared: dict[str, ColumnKind] = {}
    for name in numerical or []:
        declared[str(name)] = "numerical"
    for name in categorical or []:
        if str(name) in declared:
            raise ValueError(f"column {name!r} is listed as both numerical and categorical")
        declared[str(name)] = "categorical"
    missing = [c for c in declared if c not in names]
    if missing:
        raise ValueError(f"reference: column(s) {missing} not found; available: {names}")
    return declared

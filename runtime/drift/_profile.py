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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from runtime.drift._stats import reference_norm, sorted_value_counts

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
        """Write the profile to ``path`` (``.npz`` binary or ``.json`` text, by suffix)."""
        path = Path(path)
        meta, arrays = self._to_parts()
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".json":
            doc = {"meta": meta, "arrays": {k: _array_to_json(v) for k, v in arrays.items()}}
            path.write_text(json.dumps(doc, allow_nan=False), encoding="utf-8")
        elif path.suffix == ".npz":
            with path.open("wb") as fh:
                np.savez(fh, __meta__=np.array(json.dumps(meta)), **arrays)  # type: ignore[arg-type]
        else:
            raise ValueError(f"{path}: a profile file must end in .npz or .json, got {path.suffix!r}")
        return path

    def _to_parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        cols: list[dict[str, Any]] = []
        arrays: dict[str, np.ndarray] = {}
        for i, prof in enumerate(self.columns.values()):
            if isinstance(prof, NumericalProfile):
                cols.append(
                    {"name": prof.name, "kind": "numerical", "norm": prof.norm, "n_unique": prof.n_unique,
                     "integer": prof.integer, "n_missing": prof.n_missing}
                )
                arrays[f"c{i}_sorted"] = prof.sorted_values
                arrays[f"c{i}_qedges"] = prof.quantile_edges
                arrays[f"c{i}_qcounts"] = prof.quantile_counts
            else:
                values = prof.values.tolist()
                cols.append({"name": prof.name, "kind": "categorical", "n_missing": prof.n_missing,
                             "values": [_jsonable(v) for v in values],
                             "value_types": [type(v).__name__ for v in values]})
                arrays[f"c{i}_counts"] = prof.counts
        meta = {"version": PROFILE_VERSION, "n_rows": self.n_rows, "quantile_bins": self.quantile_bins, "columns": cols}
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


def load_profile(path: str | Path) -> ReferenceProfile:
    """Read a profile written by :meth:`ReferenceProfile.save`; errors name the file and what is wrong."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: profile file not found")
    try:
        if path.suffix == ".json":
            doc = json.loads(path.read_text(encoding="utf-8"))
            meta = doc["meta"]
            arrays = {k: np.asarray(v["data"], dtype=v["dtype"]) for k, v in doc["arrays"].items()}
        elif path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["__meta__"]))
                arrays = {k: data[k] for k in data.files if k != "__meta__"}
        else:
            raise ValueError(f"{path}: a profile file must end in .npz or .json, got {path.suffix!r}")
    except (KeyError, ValueError, OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a drift profile written by mlkeel ({exc})") from exc
    if meta.get("version") != PROFILE_VERSION:
        raise ValueError(f"{path}: profile version {meta.get('version')!r} is not supported (expected {PROFILE_VERSION})")
    columns: dict[str, ColumnProfile] = {}
    for i, col in enumerate(meta["columns"]):
        if col["kind"] == "numerical":
            columns[col["name"]] = NumericalProfile(
                name=col["name"], sorted_values=arrays[f"c{i}_sorted"].astype(np.float64), norm=float(col["norm"]),
                n_unique=int(col["n_unique"]), integer=bool(col["integer"]), n_missing=int(col["n_missing"]),
                quantile_edges=arrays[f"c{i}_qedges"].astype(np.float64),
                quantile_counts=arrays[f"c{i}_qcounts"].astype(np.int64),
            )
        else:
            values = [_restore_value(v, t) for v, t in zip(col["values"], col["value_types"], strict=True)]
            vals = np.empty(len(values), dtype=object)
            vals[:] = values
            columns[col["name"]] = CategoricalProfile(
                name=col["name"], values=vals, counts=arrays[f"c{i}_counts"].astype(np.int64),
                n_missing=int(col["n_missing"]),
            )
    return ReferenceProfile(columns=columns, n_rows=int(meta["n_rows"]), quantile_bins=int(meta["quantile_bins"]))


# ------------------------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------------------------


def infer_column_kinds(frame: pd.DataFrame) -> dict[str, ColumnKind]:
    """Evidently's type inference, minus text: float -> numerical; int -> categorical when it has at most
    10 distinct values, else numerical; bool, category, string and object -> categorical.

    Pass ``numerical=`` / ``categorical=`` explicitly in production: inference on one window can flip.
    """
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


def _numeric_column(name: str, series: pd.Series, source: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        try:
            return pd.to_numeric(series, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"{source}: column {name!r} is declared numerical but holds {series.dtype} values "
                f"(e.g. {series.dropna().iloc[0]!r}); declare it categorical or convert it"
            ) from exc
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def numerical_profile(name: str, series: pd.Series, quantile_bins: int = DEFAULT_QUANTILE_BINS) -> NumericalProfile:
    """Profile one numerical column (NaN and +/-inf are counted as missing and left out)."""
    raw = _numeric_column(name, series, "reference")
    finite = raw[np.isfinite(raw)]
    sorted_values = np.sort(finite)
    distinct, _ = sorted_value_counts(sorted_values)
    if finite.size:
        norm = reference_norm(finite)
        qs = np.quantile(sorted_values, np.linspace(0.0, 1.0, quantile_bins + 1)[1:-1])
        edges = np.unique(qs)
        counts = np.bincount(np.searchsorted(edges, sorted_values, side="right"), minlength=edges.size + 1)
    else:
        norm, edges, counts = 0.001, np.zeros(0), np.zeros(1, dtype=np.int64)
    return NumericalProfile(
        name=name, sorted_values=sorted_values, norm=norm, n_unique=int(distinct.size),
        integer=bool(pd.api.types.is_integer_dtype(series.dtype)) and not series.isna().any(),
        n_missing=int(raw.size - finite.size), quantile_edges=edges.astype(np.float64),
        quantile_counts=counts.astype(np.int64),
    )


def categorical_profile(name: str, series: pd.Series) -> CategoricalProfile:
    """Profile one categorical column: vocabulary and counts, missing values (None/NaN/inf) left out."""
    clean = series.replace([np.inf, -np.inf], np.nan) if pd.api.types.is_float_dtype(series) else series
    counts = clean.value_counts(dropna=True, sort=False)
    values = np.empty(len(counts), dtype=object)
    values[:] = [v.item() if isinstance(v, np.generic) else v for v in counts.index.tolist()]
    return CategoricalProfile(
        name=name, values=values, counts=counts.to_numpy(dtype=np.int64),
        n_missing=int(len(series) - int(counts.sum())),
    )


def as_frame(data: Any, columns: list[str] | None = None) -> pd.DataFrame:
    """Accept a DataFrame, a 2-D array (columns named ``"0"``, ``"1"``... unless ``columns`` is given) or a mapping."""
    if isinstance(data, pd.DataFrame):
        frame = data
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
        raise TypeError(f"expected a pandas DataFrame, a 2-D numpy array or a dict of columns, got {type(data).__name__}")
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
) -> ReferenceProfile:
    """Profile the reference once. Columns not listed in ``numerical``/``categorical`` are inferred
    (see :func:`infer_column_kinds`) unless both lists are given, in which case only those are profiled.
    """
    frame = as_frame(reference, columns)
    kinds = _resolve_kinds(frame, numerical, categorical)
    profiles: dict[str, ColumnProfile] = {}
    for name, kind in kinds.items():
        series = frame[name]
        profiles[name] = (
            numerical_profile(name, series, quantile_bins) if kind == "numerical" else categorical_profile(name, series)
        )
    return ReferenceProfile(columns=profiles, n_rows=len(frame), quantile_bins=quantile_bins)


def _resolve_kinds(
    frame: pd.DataFrame, numerical: list[str] | None, categorical: list[str] | None
) -> dict[str, ColumnKind]:
    declared: dict[str, ColumnKind] = {}
    for name in numerical or []:
        declared[str(name)] = "numerical"
    for name in categorical or []:
        if str(name) in declared:
            raise ValueError(f"column {name!r} is listed as both numerical and categorical")
        declared[str(name)] = "categorical"
    missing = [c for c in declared if c not in frame.columns]
    if missing:
        raise ValueError(f"reference: column(s) {missing} not found; available: {list(frame.columns)}")
    if numerical is not None and categorical is not None:
        return declared
    inferred = infer_column_kinds(frame.drop(columns=list(declared)))
    return {**{c: declared.get(c, inferred.get(c, "numerical")) for c in frame.columns}}

"""A Parquet window scored column by column, straight from Arrow: no DataFrame and no pandas.

Why: ``keel drift --profile`` on a million-row window spent more time building a pandas DataFrame
(importing pandas, then copying every column into consolidated blocks) than testing drift. Here the file
is memory-mapped once and each column is decoded by the thread that tests it, so decoding runs in
parallel with the tests and at most a column per thread is held at a time.

The numbers are the DataFrame path's: a numerical column becomes the same float64 values (missing as
NaN) with the same "stored as integers" flag pandas' dtype would give, and a text column the same value
counts. A column whose Arrow type has no exact NumPy twin here (booleans, decimals, dates, lists) is
converted by pandas, one column, so its meaning is exactly the DataFrame path's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np

from mlkeel.files import InputError, map_file

__all__ = [
    "MAX_PARQUET_BYTES",
    "ParquetWindow",
    "arrow_categorical_counts",
    "arrow_numeric_values",
    "is_integer_dtype",
    "is_parquet_path",
]

#: Suffixes :meth:`DriftDetector.score` reads as a Parquet file when given a path.
PARQUET_SUFFIXES = (".parquet", ".pq")
#: Largest Parquet file scored from a path (it is memory-mapped, not read into memory).
MAX_PARQUET_BYTES = 64 * 1024**3


def is_parquet_path(data: Any) -> bool:
    """Whether ``data`` names a Parquet file (``str`` or ``Path`` ending in .parquet or .pq)."""
    return isinstance(data, (str, Path)) and str(data).lower().endswith(PARQUET_SUFFIXES)


def is_integer_dtype(dtype: Any) -> bool:
    """pandas' ``is_integer_dtype`` for NumPy and pandas dtypes, without importing pandas for NumPy ones."""
    if isinstance(dtype, np.dtype):
        return dtype.kind in "iu"
    import pandas as pd

    return bool(pd.api.types.is_integer_dtype(dtype))


class ParquetWindow:
    """A Parquet file opened for column-at-a-time reads from any number of threads.

    The file is checked like every data file (a regular file, not a pipe or folder, within the size
    limit) and mapped read-only; each :meth:`column` call opens its own reader over the shared mapping,
    since one Arrow reader must not serve two threads at once. Unreadable content is an ``InputError``
    naming the file.
    """

    def __init__(self, path: str | Path, columns: list[str] | None = None) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.path = Path(path)
        self._buffer = pa.py_buffer(
            map_file(self.path, what="data file (.csv or .parquet)", max_bytes=MAX_PARQUET_BYTES)
        )
        try:
            metadata = pq.read_metadata(pa.BufferReader(self._buffer))
            schema = metadata.schema.to_arrow_schema()
        except Exception as exc:  # ArrowInvalid, OSError...: all mean "not a Parquet file we can read"
            raise InputError.at(self.path, "", None, f"cannot read as parquet: {_first_line(exc)}") from None
        self._schema = schema
        names = [str(n) for n in schema.names]
        self.columns = names if columns is None else [c for c in names if c in set(columns)]
        self.n_rows = int(metadata.num_rows)
        text = (pa.types.is_string, pa.types.is_large_string)
        self._text = {f.name for f in schema if any(test(f.type) for test in text)}

    def infer_kinds(self, exclude: set[str]) -> dict[str, Literal["numerical", "categorical"]] | None:
        """:func:`runtime.drift.infer_column_kinds` from the Arrow types, or None where a column's
        type is one whose pandas dtype decides its kind (booleans, dates, decimals...)."""
        import pyarrow as pa

        kinds: dict[str, Literal["numerical", "categorical"]] = {}
        for name in self.columns:
            if name in exclude:
                continue
            kind = self._schema.field(name).type
            if pa.types.is_floating(kind):
                kinds[name] = "numerical"
            elif pa.types.is_integer(kind):
                numbers = arrow_numeric_values(self.column(name))
                assert numbers is not None
                values, integer = numbers
                if not integer:  # an integer column with gaps is float64 in pandas: numerical
                    kinds[name] = "numerical"
                else:
                    few = np.unique(values).size <= INTEGER_CATEGORIES
                    kinds[name] = "categorical" if few else "numerical"
            elif name in self._text or pa.types.is_dictionary(kind):
                kinds[name] = "categorical"
            else:
                return None
        return kinds

    def frame(self) -> Any:
        """The whole file as a pandas DataFrame, text as categories (what ``keel drift`` reads)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pq.read_table(
            pa.BufferReader(self._buffer), columns=self.columns, read_dictionary=sorted(self._text)
        )
        return table.to_pandas(split_blocks=True)

    def column(self, name: str) -> Any:
        """One column as a ``pyarrow.ChunkedArray``; text columns dictionary-encoded, as the file has them."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            reader = pq.ParquetFile(
                pa.BufferReader(self._buffer), read_dictionary=[name] if name in self._text else None
            )
            return reader.read(columns=[name], use_threads=False).column(0)
        except Exception as exc:  # a corrupt page: the file is at fault, not the column's values
            raise InputError.at(
                self.path, "", None, f"cannot read column {name!r} as parquet: {_first_line(exc)}"
            ) from None


def arrow_numeric_values(column: Any) -> tuple[np.ndarray, bool] | None:
    """``(float64 values with NaN for missing, stored as integers)`` of an integer or float column, or
    None for any other type (pandas converts those, with its error messages for text in a number column).

    "Stored as integers" is what pandas' dtype would say after reading: an integer column with a null
    becomes float64 there, so it is not integer here either.
    """
    import pyarrow as pa

    kind = column.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        return None
    parts = []
    for chunk in column.chunks:
        values, valid = _numpy_view(chunk)
        if valid is not None or values.dtype != np.float64:
            values = values.astype(np.float64)
            if valid is not None:
                values[~valid] = np.nan
        parts.append(values)
    if len(parts) == 1:
        values = parts[0]  # a read-only view of the decoded column when it is float64 without nulls
    else:
        values = np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)
    return values, bool(pa.types.is_integer(kind)) and column.null_count == 0


#: At most this many distinct values make an integer column categorical when kinds are inferred.
INTEGER_CATEGORIES = 10


def arrow_categorical_counts(column: Any) -> tuple[np.ndarray, np.ndarray, int] | None:
    """``(values, counts, missing)`` of a dictionary-encoded text column (how a Parquet text column is
    read here) or an integer column without nulls, or None for any other type. Nulls are missing;
    values not present are left out.

    Counted per chunk from the dictionary indices (one ``bincount``, no string touched per row) and
    merged by value, since chunks may carry different dictionaries.
    """
    import pyarrow as pa

    kind = column.type
    if pa.types.is_integer(kind) and column.null_count == 0:  # integer codes: pandas keeps them int64
        parts = [_numpy_view(chunk)[0] for chunk in column.chunks]
        codes = np.concatenate(parts) if len(parts) != 1 else parts[0]
        distinct, first, counts = np.unique(codes, return_index=True, return_counts=True)
        order = np.argsort(first)  # order of first appearance, as pandas' value_counts(sort=False)
        values = np.empty(distinct.size, dtype=object)
        values[:] = distinct[order].tolist()
        return values, counts[order].astype(np.int64), 0
    if not (
        pa.types.is_dictionary(kind)
        and (pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type))
    ):
        return None
    totals: dict[Any, int] = {}
    for chunk in column.chunks:
        size = len(chunk.dictionary)
        if size == 0 or len(chunk) == chunk.null_count:
            continue
        codes, valid = _numpy_view(chunk.indices)
        counts = np.bincount(codes if valid is None else codes[valid], minlength=size)
        for value, count in zip(chunk.dictionary.to_pylist(), counts.tolist(), strict=True):
            if count and value is not None:
                totals[value] = totals.get(value, 0) + count
    values = np.empty(len(totals), dtype=object)
    values[:] = list(totals)
    counts_out = np.fromiter(totals.values(), dtype=np.int64, count=len(totals))
    return values, counts_out, int(len(column) - int(counts_out.sum()))


def _numpy_view(array: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """``(values, valid or None)`` of a primitive Arrow array as NumPy views of its own buffers.

    Why by hand: pyarrow's ``to_numpy`` and ``fill_null`` go through its pandas shim, which imports
    pandas (a quarter of a second) even for a float column; the layout itself (a little-endian values
    buffer, an LSB-first validity bitmap, both starting at ``offset``) is Arrow's specification.
    Values under a null are unspecified and must be masked by the caller.
    """
    import pyarrow as pa

    kind = array.type
    letter = "f" if pa.types.is_floating(kind) else ("i" if pa.types.is_signed_integer(kind) else "u")
    dtype = np.dtype(f"<{letter}{kind.bit_width // 8}")
    n, offset = len(array), array.offset
    validity, data = array.buffers()[:2]
    values = np.frombuffer(data, dtype=dtype, count=offset + n)[offset:] if n else np.empty(0, dtype)
    if not array.null_count:
        return values, None
    bits = np.frombuffer(validity, dtype=np.uint8)
    valid = np.unpackbits(bits, count=offset + n, bitorder="little")[offset:].astype(bool)
    return values, valid


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

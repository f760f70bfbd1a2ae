"""Drift on a Parquet file read column by column from Arrow (issue 20): the DataFrame path's numbers,
without pandas.

``DriftDetector.fit(path)`` / ``.score(path)`` and ``keel drift`` on ``.parquet`` files read each column
in the thread that tests it. What must hold: every profile array and every result equals what the same
file gives through a pandas DataFrame (text read as categories, as ``keel drift`` reads it), for every
column type, for files of several row groups whose dictionaries differ, and with nulls; bad files are
refused naming the file; and a saved profile scores a Parquet window without importing pandas.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkeel.files import InputError
from runtime.drift import DriftDetector, infer_column_kinds
from runtime.drift._arrow import _numpy_view, arrow_categorical_counts, arrow_numeric_values
from runtime.drift._report import read_table
from runtime.drift._stats import reference_norm

ROOT = Path(__file__).resolve().parents[2]


def _frame(rng: np.random.Generator, n: int, shift: float) -> pd.DataFrame:
    """One column of each kind a scoring job writes, with gaps where a type allows them."""
    floats = rng.normal(shift, 1.0, n)
    floats[rng.random(n) < 0.05] = np.nan
    floats[:3] = [np.inf, -np.inf, np.nan]
    ints = rng.integers(0, 1000, n) + int(shift * 10)
    gappy = pd.array(rng.integers(0, 50, n), dtype="Int64")
    gappy[rng.random(n) < 0.1] = pd.NA
    few = rng.integers(0, 4, n)  # an integer column with few values: categorical when inferred
    text = np.array(["alpha", "beta", "gamma", "delta", ""], dtype=object)[
        rng.integers(0, 5 - int(shift > 0), n)
    ]
    text[rng.random(n) < 0.03] = None
    return pd.DataFrame(
        {
            "floats": floats,
            "ints": ints,
            "gappy": gappy,
            "few": few,
            "text": text,
            "flags": rng.random(n) < 0.3 + shift / 10,
            "small_floats": rng.normal(shift, 2.0, n).astype(np.float32),
        }
    )


def _write(frame: pd.DataFrame, path: Path, row_group_size: int | None = None) -> Path:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, row_group_size=row_group_size)
    return path


DECLARED = {
    "numerical": ["floats", "ints", "gappy", "small_floats"],
    "categorical": ["few", "text", "flags"],
}


def _profiles_equal(a: DriftDetector, b: DriftDetector) -> None:
    """Every field of every column profile equal, arrays element for element and in the same order (so
    a profile saved from either path is the same file)."""
    pa_, pb = a.profile_, b.profile_
    assert pa_.n_rows == pb.n_rows and list(pa_.columns) == list(pb.columns)
    for name, x in pa_.columns.items():
        y = pb.columns[name]
        assert type(x) is type(y), name
        for field, value in vars(x).items():
            other = vars(y)[field]
            if isinstance(value, np.ndarray):
                assert value.dtype == other.dtype and value.tolist() == other.tolist(), (name, field)
            else:
                assert value == other, (name, field)


@pytest.mark.parametrize("row_group_size", [None, 997])
@pytest.mark.parametrize("kinds", ["declared", "inferred"])
def test_drift_arrow_file_gives_the_dataframe_paths_profile_and_result(
    tmp_path: Path, row_group_size: int | None, kinds: str
) -> None:
    rng = np.random.default_rng(7)
    ref = _write(_frame(rng, 5000, 0.0), tmp_path / "ref.parquet", row_group_size)
    cur = _write(_frame(rng, 4000, 0.4), tmp_path / "cur.parquet", row_group_size)
    params = DECLARED if kinds == "declared" else {}
    by_file = DriftDetector(**params).fit(ref)
    by_frame = DriftDetector(**params).fit(read_table(ref, text_as_categories=True))
    _profiles_equal(by_file, by_frame)
    from_file = by_file.score(cur)
    from_frame = by_frame.score(read_table(cur, text_as_categories=True))
    assert from_file.to_json() == from_frame.to_json()
    assert from_file.n_drifted > 0  # the shifted window is not a trivial comparison


@pytest.mark.parametrize("method", ["ks", "psi", "psi_quantile", "wasserstein", "jensenshannon"])
def test_drift_arrow_scores_like_the_dataframe_for_every_method(tmp_path: Path, method: str) -> None:
    rng = np.random.default_rng(3)
    frame = _frame(rng, 6000, 0.0)[["floats", "ints", "gappy", "small_floats"]]
    ref = _write(frame, tmp_path / "ref.parquet")
    cur = _write(_frame(rng, 6000, 0.2)[list(frame.columns)], tmp_path / "cur.parquet", 1000)
    detector = DriftDetector(num_method=method, numerical=list(frame.columns), categorical=[]).fit(ref)
    assert detector.score(cur).to_json() == detector.score(read_table(cur)).to_json()


def test_drift_arrow_infers_the_kinds_pandas_dtypes_give(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    frame = _frame(rng, 3000, 0.0).drop(columns=["flags"])  # booleans go through pandas: tested below
    path = _write(frame, tmp_path / "ref.parquet")
    detector = DriftDetector().fit(path)
    expected = infer_column_kinds(read_table(path, text_as_categories=True))
    assert {name: prof.kind for name, prof in detector.profile_.columns.items()} == expected
    assert expected["few"] == "categorical" and expected["gappy"] == "numerical"


def test_drift_arrow_hands_types_without_a_numpy_twin_to_pandas(tmp_path: Path) -> None:
    """Booleans, dates and decimals: the kinds and values pandas' dtypes give, as for a DataFrame."""
    import datetime
    import decimal

    n = 400
    table = pa.table(
        {
            "flag": pa.array([i % 3 == 0 for i in range(n)]),
            "day": pa.array([datetime.date(2026, 1, 1 + i % 28) for i in range(n)]),
            "price": pa.array([decimal.Decimal(f"{i % 7}.25") for i in range(n)]),
            "x": pa.array(np.linspace(0, 1, n)),
        }
    )
    pq.write_table(table, tmp_path / "ref.parquet")
    by_file = DriftDetector().fit(tmp_path / "ref.parquet")
    by_frame = DriftDetector().fit(read_table(tmp_path / "ref.parquet", text_as_categories=True))
    _profiles_equal(by_file, by_frame)
    assert (
        by_file.score(tmp_path / "ref.parquet").to_json()
        == by_frame.score(read_table(tmp_path / "ref.parquet", text_as_categories=True)).to_json()
    )


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True, width=64)), max_size=60
    ),
    start=st.integers(0, 10),
)
def test_drift_arrow_numeric_view_reads_slices_and_nulls_as_arrow_does(values: list, start: int) -> None:
    array = pa.array(values, type=pa.float64()).slice(min(start, len(values)))
    got, integer = arrow_numeric_values(pa.chunked_array([array], type=pa.float64()))
    want = np.array([np.nan if v is None else v for v in array.to_pylist()], dtype=np.float64)
    assert not integer and np.array_equal(got, want, equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-(2**40), 2**40)), max_size=60),
    start=st.integers(0, 10),
    width=st.sampled_from(["int8", "int32", "int64", "uint16"]),
)
def test_drift_arrow_integer_columns_become_floats_and_say_if_stored_whole(
    values: list, start: int, width: str
) -> None:
    kind = getattr(pa, width)()
    info = np.iinfo(np.dtype(width))
    values = [None if v is None else int(np.clip(v, info.min, info.max)) for v in values]
    array = pa.array(values, type=kind).slice(min(start, len(values)))
    got, integer = arrow_numeric_values(pa.chunked_array([array], type=kind))
    want = np.array([np.nan if v is None else float(v) for v in array.to_pylist()], dtype=np.float64)
    assert np.array_equal(got, want, equal_nan=True)
    assert integer == (array.null_count == 0)  # pandas reads an integer column with a gap as float64


def test_drift_arrow_counts_text_over_chunks_with_different_dictionaries() -> None:
    first = pa.array(["a", "b", None, "a"]).dictionary_encode()
    second = pa.array(["c", "a", "c", None, None]).dictionary_encode().slice(1)
    values, counts, missing = arrow_categorical_counts(pa.chunked_array([first, second]))
    assert dict(zip(values.tolist(), counts.tolist(), strict=True)) == {"a": 3, "b": 1, "c": 1}
    assert missing == 3
    indices, valid = _numpy_view(second.indices)
    assert indices[valid].tolist() == [0, 1] or valid.tolist() == [True, True, False, False]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e12, 1e12), min_size=1, max_size=300))
def test_drift_reference_norm_is_pandas_population_std_to_the_bit(values: list[float]) -> None:
    x = np.array(values)
    assert reference_norm(x) == max(float(pd.Series(x).std(ddof=0)), 0.001)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_text("a,b\n1,2\n"), "cannot read as parquet"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: os.mkfifo(p), "is not a regular file"),
    ],
)
def test_drift_arrow_refuses_an_unreadable_parquet_file_naming_it(tmp_path: Path, make, message: str) -> None:
    bad = tmp_path / "window.parquet"
    make(bad)
    detector = DriftDetector(numerical=["x"], categorical=[]).fit(pd.DataFrame({"x": np.arange(50.0)}))
    for call in (detector.score, DriftDetector(numerical=["x"], categorical=[]).fit):
        with pytest.raises(InputError) as info:
            call(bad)
        assert str(bad) in str(info.value) and message in str(info.value)


def test_drift_arrow_missing_column_is_named_like_the_dataframe_path(tmp_path: Path) -> None:
    path = _write(pd.DataFrame({"x": np.arange(20.0)}), tmp_path / "cur.parquet")
    detector = DriftDetector(numerical=["x", "y"], categorical=[]).fit(
        pd.DataFrame({"x": np.arange(20.0), "y": np.arange(20.0)})
    )
    with pytest.raises(ValueError, match=r"current data lacks column\(s\) \['y'\]"):
        detector.score(path)


def test_drift_arrow_saved_profile_scores_a_parquet_window_without_importing_pandas(tmp_path: Path) -> None:
    """Numbers, integer codes and text: the columns a scoring job writes (booleans and dates would go
    through pandas, as above)."""
    rng = np.random.default_rng(5)
    columns = ["floats", "ints", "gappy", "small_floats", "few", "text"]
    ref = _write(_frame(rng, 3000, 0.0)[columns], tmp_path / "ref.parquet")
    cur = _write(_frame(rng, 3000, 0.3)[columns], tmp_path / "cur.parquet")
    kinds = {"numerical": DECLARED["numerical"], "categorical": ["few", "text"]}
    DriftDetector(**kinds).fit(ref).save(tmp_path / "profile.npz")
    expected = DriftDetector(**kinds).load(tmp_path / "profile.npz").score(cur).to_json()
    code = (
        "import sys, json\n"
        "from runtime.drift import DriftDetector\n"
        f"r = DriftDetector().load({str(tmp_path / 'profile.npz')!r}).score({str(cur)!r})\n"
        "print(json.dumps({'pandas': 'pandas' in sys.modules, 'result': r.to_json()}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    out = json.loads(done.stdout)
    assert out == {"pandas": False, "result": expected}

"""The start-up and scoring shortcuts of issue 20 give exactly the numbers of the plain paths they replace.

Counting a text column by its distinct objects must equal ``pandas.value_counts`` (values, counts, order,
missing); Jensen-Shannon without ``scipy.spatial`` must equal scipy's to the bit; reading Parquet text as
categories and ``keel drift --threads`` must not change a report; a kernel numba cannot cache must still
compile.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

from runtime.drift import DriftDetector, NumericalProfile, build_profile
from runtime.drift._kernels import (
    DISTINCT_OBJECTS_CAP,
    RADIX_SORT_MIN,
    _njit,
    distinct_objects,
    numba_available,
    sorted_copy,
)
from runtime.drift._report import read_table
from runtime.drift._scoring import categorical_counts
from runtime.drift._stats import _js_from_shares
from stacks.cli import _register_all, main

FIXTURES = Path(__file__).parent / "fixtures"
REF, CUR = FIXTURES / "drift_reference.csv", FIXTURES / "drift_current.csv"
needs_numba = pytest.mark.skipif(not numba_available(), reason="the object-counting kernel needs numba")


def pandas_counts(series: pd.Series) -> tuple[list, list[int], int]:
    """The oracle: what ``categorical_counts`` returned before the shortcut (pandas' own value_counts)."""
    vc = series.value_counts(dropna=True, sort=False)
    keep = [not (isinstance(v, float) and np.isinf(v)) for v in vc.index]
    vc = vc[np.array(keep, dtype=bool)] if len(vc) else vc
    return list(vc.index), [int(c) for c in vc.to_numpy()], len(series) - int(vc.sum())


POOL = ["a", "b", "longer text value", "", None, float("nan"), float("inf"), 1, 1.0, True, 2.5]


@needs_numba
@settings(max_examples=150, deadline=None)
@given(picks=st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=300), fresh=st.lists(st.booleans()))
def test_drift_fast_text_counts_equal_pandas_value_counts(picks: list[int], fresh: list[bool]) -> None:
    """Equal strings held by different objects (``fresh``) merge; None/NaN/inf are missing; order kept."""
    values = np.empty(len(picks), dtype=object)
    for i, k in enumerate(picks):
        v = POOL[k]
        # a new str object with the same text, as a reader that does not reuse objects would give
        values[i] = "".join(list(v)) + "" if (isinstance(v, str) and i < len(fresh) and fresh[i]) else v
    series = pd.Series(values, dtype=object)
    got_values, got_counts, got_missing = categorical_counts(series)
    want_values, want_counts, want_missing = pandas_counts(series)
    assert list(got_values) == want_values
    assert [type(v) for v in got_values] == [type(v) for v in want_values]
    assert list(got_counts) == want_counts and got_missing == want_missing


@needs_numba
def test_drift_fast_text_counts_fall_back_past_the_distinct_object_cap() -> None:
    """A column with more distinct objects than the cap is counted by pandas, with the same result."""
    values = np.array(
        [f"v{i % (DISTINCT_OBJECTS_CAP + 10)}" for i in range(3 * DISTINCT_OBJECTS_CAP)], dtype=object
    )
    assert distinct_objects(values) is None
    got_values, got_counts, got_missing = categorical_counts(pd.Series(values))
    want_values, want_counts, want_missing = pandas_counts(pd.Series(values))
    assert list(got_values) == want_values and list(got_counts) == want_counts and got_missing == want_missing


@needs_numba
def test_drift_fast_distinct_objects_in_order_of_first_appearance() -> None:
    a, b, c = "x", "y", None
    first, counts = distinct_objects(np.array([b, a, b, c, a, b], dtype=object))  # type: ignore[misc]
    assert first.tolist() == [0, 1, 3] and counts.tolist() == [3, 2, 1]


@settings(max_examples=200, deadline=None)
@given(
    pair=st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(0.0, 1e6, allow_subnormal=False), min_size=n, max_size=n),
            st.lists(st.floats(0.0, 1e6, allow_subnormal=False), min_size=n, max_size=n),
        )
    )
)
def test_drift_fast_jensen_shannon_is_scipys_to_the_bit(pair: tuple[list[float], list[float]]) -> None:
    ref, cur = (np.array(x) for x in pair)
    if ref.sum() == 0 or cur.sum() == 0:
        return
    assert _js_from_shares(ref, cur) == float(jensenshannon(ref, cur))


def _parquet_copies(tmp_path: Path) -> tuple[Path, Path]:
    ref, cur = tmp_path / "reference.parquet", tmp_path / "current.parquet"
    pd.read_csv(REF).to_parquet(ref)
    pd.read_csv(CUR).to_parquet(cur)
    return ref, cur


def test_drift_fast_parquet_text_as_categories_scores_the_same(tmp_path: Path) -> None:
    ref_path, cur_path = _parquet_copies(tmp_path)
    plain = [read_table(ref_path), read_table(cur_path)]
    categories = [
        read_table(ref_path, text_as_categories=True),
        read_table(cur_path, text_as_categories=True),
    ]
    text_columns = [c for c in plain[0].columns if plain[0][c].dtype == object]
    assert text_columns and all(isinstance(categories[0][c].dtype, pd.CategoricalDtype) for c in text_columns)
    a = DriftDetector().fit(plain[0]).score(plain[1])
    b = DriftDetector().fit(categories[0]).score(categories[1])
    assert [(c.column, c.method, c.drifted, c.unseen_categories) for c in a.columns] == [
        (c.column, c.method, c.drifted, c.unseen_categories) for c in b.columns
    ]
    for x, y in zip(a.columns, b.columns, strict=True):
        assert y.score == pytest.approx(x.score, rel=1e-12, abs=1e-300)


def _keel(argv: list[str]) -> tuple[int, str]:
    _register_all()
    err = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
    return code, err.getvalue()


def test_drift_fast_threads_option_leaves_the_report_unchanged(tmp_path: Path) -> None:
    ref, cur = _parquet_copies(tmp_path)
    reports = []
    for threads in ([], ["--threads", "1"], ["--threads", "3"]):
        out = tmp_path / f"report{len(reports)}.json"
        code, err = _keel(
            [
                "drift",
                "--reference",
                str(ref),
                "--current",
                str(cur),
                "--format",
                "json",
                "--output",
                str(out),
                *threads,
            ]
        )
        assert code == 0, err
        reports.append(json.loads(out.read_text()))
    assert reports[0] == reports[1] == reports[2]
    code, err = _keel(["drift", "--reference", str(ref), "--current", str(cur), "--threads", "0"])
    assert code == 2 and "--threads" in err and "Traceback" not in err


@needs_numba
def test_drift_fast_kernel_numba_cannot_cache_still_compiles() -> None:
    """Source with no file (as in a zip or a read-only install without any cache folder) has no cache
    location: numba refuses ``cache=True`` for it, and the kernel is compiled per process instead."""
    namespace: dict = {}
    exec("def twice(x):\n    return 2 * x\n", namespace)  # a function with no source file
    kernel = _njit(nogil=True)(namespace["twice"])
    assert kernel(21) == 42


def test_drift_fast_profile_in_threads_equals_one_thread() -> None:
    """Columns profiled in parallel give the same profile, in the same column order, as one thread; a bad
    column raises the same error either way (the first bad one in column order)."""
    ref = pd.read_csv(REF)
    one = build_profile(ref, n_jobs=1)
    many = build_profile(ref, n_jobs=4)
    assert list(one.columns) == list(many.columns)
    for name, a in one.columns.items():
        b = many.columns[name]
        assert type(a) is type(b) and a.n_missing == b.n_missing and a.n_rows == b.n_rows
        if isinstance(a, NumericalProfile):
            assert isinstance(b, NumericalProfile)
            assert np.array_equal(a.sorted_values, b.sorted_values) and a.norm == b.norm
            assert np.array_equal(a.quantile_edges, b.quantile_edges)
        else:
            assert list(a.values) == list(b.values) and list(a.counts) == list(b.counts)  # type: ignore[union-attr]
    bad = ref.assign(age="x", income="y")
    errors = []
    for jobs in (1, 4):
        with pytest.raises(ValueError) as caught:
            build_profile(bad, numerical=["age", "income"], categorical=[], n_jobs=jobs)
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and "'age'" in errors[0]


@needs_numba
def test_drift_fast_kernels_table_is_whole_for_threads_asking_at_once(tmp_path: Path) -> None:
    """Scoring threads ask for the kernels at the same moment in a fresh process; with an empty numba
    cache one of them used to see a half-built table (KeyError: 'merge_ks_w1')."""
    script = (
        "import threading\n"
        "from runtime.drift import _kernels\n"
        "barrier = threading.Barrier(8)\n"
        "sizes = []\n"
        "def ask():\n"
        "    barrier.wait()\n"
        "    sizes.append(sorted(_kernels._compiled()))\n"
        "threads = [threading.Thread(target=ask) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "assert len(sizes) == 8 and all(s == sizes[0] for s in sizes) and 'merge_ks_w1' in sizes[0], sizes\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


@needs_numba
@pytest.mark.parametrize("shape", ["cauchy", "ties", "signed zeros and infinities", "subnormal", "constant"])
def test_drift_fast_radix_sort_equals_numpy_sort(shape: str) -> None:
    """The compiled radix sort used for large columns gives ``np.sort``'s array, element for element."""
    rng = np.random.default_rng(len(shape))
    n = RADIX_SORT_MIN + 123
    values = {
        "cauchy": lambda: rng.standard_cauchy(n),
        "ties": lambda: np.round(rng.normal(0.0, 1.0, n), 1),
        "signed zeros and infinities": lambda: rng.choice([-0.0, 0.0, np.inf, -np.inf, 1.5, -2.5], n),
        "subnormal": lambda: rng.normal(0.0, 1e-310, n),
        "constant": lambda: np.full(n, -3.25),
    }[shape]()
    got = sorted_copy(values)
    assert np.array_equal(got, np.sort(values)) and got is not values
    nonzero = got != 0
    assert np.array_equal(got[nonzero].view(np.uint64), np.sort(values)[nonzero].view(np.uint64))


@needs_numba
def test_drift_kernels_load_in_background_once_with_read_only_signatures() -> None:
    """Without the ahead-of-time build, ``keel drift`` starts loading the compiled kernels before it reads
    the files: one daemon thread per process, which leaves every kernel loaded for writable and read-only
    (Arrow view) windows alike."""
    import subprocess
    import sys

    code = (
        "import json, threading\n"
        "from runtime.drift import _kernels as k\n"
        "k.load_in_background(); k.load_in_background()\n"
        "threads = [t for t in threading.enumerate() if t.name == 'mlkeel-drift-kernels']\n"
        "assert len(threads) == 1 and threads[0].daemon\n"
        "threads[0].join()\n"
        "sigs = {n: [str(s) for s in f.signatures] for n, f in k._NB.items()}\n"
        "print(json.dumps(sigs))\n"
    )
    just_in_time = {**os.environ, "MLKEEL_DRIFT_AOT": "0"}  # without the ahead-of-time build
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=just_in_time
    )
    sigs = json.loads(done.stdout.strip().splitlines()[-1])
    # numba's signature strings mark a read-only array with True after the layout
    assert len(sigs["radix_sort"]) >= 2
    assert any("Array(float64, 1, 'C', True" in s for s in sigs["radix_sort"])
    assert sigs["merge_ks_w1"] and sigs["ks_bucket_counts"] and sigs["bin_counts"]

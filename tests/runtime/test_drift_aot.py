"""The drift loops compiled ahead of time (``python -m runtime.drift._aot``) against the same loops
compiled just in time (issue 20).

The build is made here, into a temporary folder, from the source under test: every loop must return
exactly what the just-in-time build returns, release the GIL while it runs (the scoring threads depend on
it), and a build from other source must be ignored. Skipped only where no C compiler exists.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from runtime.drift import _aot, _kernels, _loops
from runtime.drift._ks_buckets import KsBuckets

ROOT = Path(__file__).resolve().parents[2]
#: The ahead-of-time build needs a C compiler and CPython's headers (scripts/test.sh installs gcc).
CAN_BUILD = shutil.which("cc") is not None and Path(sysconfig.get_paths()["include"], "Python.h").exists()
needs_cc = pytest.mark.skipif(
    not CAN_BUILD, reason="no C compiler or Python headers for the ahead-of-time build"
)


@pytest.fixture(scope="module")
def aot(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    if not CAN_BUILD:
        pytest.skip("no C compiler or Python headers for the ahead-of-time build")
    folder = tmp_path_factory.mktemp("aot")
    _build_in_a_process(folder)
    (built,) = folder.glob(f"{_aot.MODULE}*")
    spec = importlib.util.spec_from_file_location(_aot.MODULE, built)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build_in_a_process(folder: Path | None = None) -> None:
    """``python -m runtime.drift._aot``, as the setup scripts run it (its LLVM objects stay out of the
    test process: llvmlite aborts when the garbage collector frees a finished module)."""
    where = [] if folder is None else ["--output-dir", str(folder)]
    subprocess.run(
        [sys.executable, "-m", "runtime.drift._aot", *where], cwd=ROOT, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def jit() -> dict:
    return _kernels._build_kernels()


def _samples() -> list[np.ndarray]:
    rng = np.random.default_rng(20)
    heavy = rng.standard_cauchy(70_000)
    ties = rng.integers(-3, 4, 80_000).astype(np.float64)
    odd = np.array([0.0, -0.0, np.inf, -np.inf, 5e-324, -5e-324, 1e308, -1e308] * 9000)
    return [heavy, ties, odd, np.array([1.5]), rng.normal(size=1000)]


def test_drift_aot_loops_equal_the_just_in_time_loops(aot: ModuleType, jit: dict) -> None:
    for values in _samples():
        a, b = np.empty_like(values), np.empty_like(values)
        aot.radix_sort(values, a)
        jit["radix_sort"](values, b)
        assert np.array_equal(a.view(np.uint64), b.view(np.uint64))  # the same bits, -0.0 included
        finite_sorted = a[np.isfinite(a)]  # the merge takes finite samples (the callers drop the rest)
        ref = np.sort(finite_sorted[::-1] * 1.5)
        assert aot.merge_ks_w1(ref, finite_sorted) == jit["merge_ks_w1"](ref, finite_sorted)
        noisy = values.copy()
        noisy[::7] = np.nan
        assert aot.finite_min_max(noisy) == jit["finite_min_max"](noisy)
        finite = values[np.isfinite(values)]
        if finite.size < 2 or finite.min() == finite.max():
            continue
        edges = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, 11)))  # what profiles hold
        for name, size in (("bin_counts", edges.size - 1), ("threshold_counts", edges.size + 1)):
            x, y = np.zeros(size, np.int64), np.zeros(size, np.int64)
            getattr(aot, name)(noisy, edges, x)
            jit[name](noisy, edges, y)
            assert np.array_equal(x, y), name


def test_drift_aot_ks_loops_equal_the_just_in_time_loops(aot: ModuleType, jit: dict) -> None:
    rng = np.random.default_rng(4)
    ref = np.sort(rng.lognormal(size=50_000))
    window = rng.lognormal(0.05, 1.0, 60_000)
    window[::11] = np.nan
    buckets = KsBuckets(ref, 512)
    grid, g_lo, g_scale = buckets.grid()
    outs = []
    for loops in (aot, jit):
        get = (lambda n, lp=loops: getattr(lp, n)) if isinstance(loops, ModuleType) else loops.__getitem__
        idx = np.empty(window.size, np.int32)
        counts = np.zeros(buckets.edges.size + 1, np.int64)
        n = get("ks_bucket_counts")(window, buckets.edges, grid, g_lo, g_scale, idx, counts)
        wanted = counts > counts.mean()
        out = np.empty(int(counts[wanted].sum()))
        k = get("gather_buckets")(window, idx, wanted, out)
        eq = np.zeros_like(counts)
        counts2 = np.zeros_like(counts)
        m = get("ks_value_counts")(window, buckets.edges, grid, g_lo, g_scale, counts2, eq)
        words = np.array([16, 32, 16, 48, 32, 16], dtype=np.int64)
        first, seen = np.empty(4, np.int64), np.zeros(4, np.int64)
        found = get("object_value_counts")(words, 4, first, seen)
        outs.append(
            (n, idx.tolist(), counts.tolist(), k, np.sort(out).tolist(), m, eq.tolist(), found, seen.tolist())
        )
    assert outs[0] == outs[1]


def test_drift_aot_loops_release_the_gil(aot: ModuleType) -> None:
    """A Python thread keeps running while a loop sorts 20M values: the GIL is released for the call."""
    values = np.random.default_rng(1).normal(size=20_000_000)
    out = np.empty_like(values)
    ticks = [0]
    sorting = threading.Event()
    done = threading.Event()

    def count() -> None:
        sorting.wait()
        while not done.is_set():
            ticks[0] += 1

    counter = threading.Thread(target=count)
    counter.start()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(10.0)  # holding the GIL, the sorting thread would never let the counter run
    try:
        sorting.set()
        before = ticks[0]
        aot.radix_sort(values, out)
        during = ticks[0] - before
    finally:
        done.set()
        sys.setswitchinterval(interval)
        counter.join()
    assert during > 0
    assert np.array_equal(out, np.sort(values))


def test_drift_aot_build_from_other_source_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_kernels, "_AOT", [])
    monkeypatch.setattr(_aot, "loops_hash", lambda: -1)  # no build records -1
    assert _kernels._ahead_of_time() is None
    monkeypatch.setattr(_kernels, "_AOT", [])
    monkeypatch.setenv("MLKEEL_DRIFT_AOT", "0")
    assert _kernels._ahead_of_time() is None


def test_drift_aot_signatures_name_every_loop() -> None:
    public = {n for n in dir(_loops) if not n.startswith("_") and callable(getattr(_loops, n))}
    assert set(_loops.SIGNATURES) == public - {"SIGNATURES"}


@needs_cc
def test_drift_keel_with_a_saved_profile_imports_neither_numba_nor_pandas(tmp_path: Path) -> None:
    """With the in-tree build (the setup scripts make it), a scoring run loads no compiler at all."""
    if _kernels._ahead_of_time() is None:
        _build_in_a_process()
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"x": rng.normal(size=200_000), "t": rng.choice(["a", "b"], 200_000)})
    frame.to_parquet(tmp_path / "ref.parquet")
    frame.assign(x=frame.x + 0.1).to_parquet(tmp_path / "cur.parquet")
    code = (
        "import json, sys\n"
        "from runtime.drift import DriftDetector\n"
        "d = DriftDetector(numerical=['x'], categorical=['t']).fit(sys.argv[1])\n"
        "r = d.score(sys.argv[2])\n"
        "print(json.dumps({'numba': 'numba' in sys.modules, 'pandas': 'pandas' in sys.modules,"
        " 'w': r.column('x').statistic}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "ref.parquet"), str(tmp_path / "cur.parquet")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "MLKEEL_DRIFT_AOT"},
    )
    out = json.loads(done.stdout)
    assert out["numba"] is False and out["pandas"] is False and out["w"] > 0

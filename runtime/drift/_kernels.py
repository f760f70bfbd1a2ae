"""Inner loops of the drift statistics, compiled (ahead of time by :mod:`runtime.drift._aot` where that
build exists, else by numba just in time), plain numpy where neither is available.

The compiled loops' source is :mod:`runtime.drift._loops`, one source for both builds.

Why two implementations: numba turns the exact Kolmogorov-Smirnov / Wasserstein merge and the binning
passes into single sweeps over memory (the runtime's speed target), but the runtime must also work on
machines without it. Both paths produce *the same numbers*: the merge evaluates exactly the terms scipy
builds (``|F_ref - F_cur|`` per merged point times the gap to the next point) and both add them left to
right; counts are integers. ``tests/runtime`` checks the two paths against each other and against scipy.

Set ``MLKEEL_DRIFT_ENGINE=numpy`` to force the numpy path, ``MLKEEL_DRIFT_AOT=0`` to skip the
ahead-of-time build.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np

#: numba, imported on first need (``[]`` not yet, ``[None]`` not installed). Why lazily: importing numba
#: takes about 0.15 s and loading its compiler another 0.3 s, a third of a ``keel drift`` run with a
#: saved profile; :func:`load_in_background` lets that overlap reading the files.
_NUMBA: list[Any] = []
_NUMBA_LOCK = threading.Lock()


def _numba_module() -> Any:
    """The numba module, or None where it is not installed (the numpy path gives the same numbers)."""
    if not _NUMBA:
        with _NUMBA_LOCK:
            if not _NUMBA:
                module: Any
                try:
                    import numba as module
                except ImportError:  # pragma: no cover - exercised only where numba is missing
                    module = None
                _NUMBA.append(module)
    return _NUMBA[0]


__all__ = [
    "bin_counts",
    "distinct_objects",
    "finite_min_max",
    "ks_statistic_unsorted",
    "ks_w1",
    "load_in_background",
    "numba_available",
    "resolve_engine",
    "sorted_copy",
    "threshold_counts",
]


def numba_available() -> bool:
    """Whether compiled loops can be used here: the ahead-of-time build of this source, or numba to
    compile them just in time (the ``"numba"`` engine means either)."""
    return _ahead_of_time() is not None or _numba_module() is not None


_AOT: list[dict[str, Any] | None] = []


def _ahead_of_time() -> dict[str, Any] | None:
    """The loops of the ahead-of-time build (:mod:`runtime.drift._aot`) when it was built from this very
    source, else None (not built, built from an older ``_loops.py``, or ``MLKEEL_DRIFT_AOT=0``)."""
    if not _AOT:
        found: dict[str, Any] | None = None
        if os.environ.get("MLKEEL_DRIFT_AOT", "1") != "0":
            try:
                from runtime.drift import _loops_aot  # type: ignore[attr-defined]
            except ImportError:
                _loops_aot = None
            from runtime.drift._aot import loops_hash
            from runtime.drift._loops import SIGNATURES

            if _loops_aot is not None and _loops_aot.source_hash() == loops_hash():
                found = {name: getattr(_loops_aot, name) for name in SIGNATURES}
        _AOT.append(found)
    return _AOT[0]


def resolve_engine(engine: str | None) -> str:
    """Pick ``"numba"`` or ``"numpy"``: explicit choice, then ``MLKEEL_DRIFT_ENGINE``,
    then what is installed."""
    chosen = engine or os.environ.get("MLKEEL_DRIFT_ENGINE") or "auto"
    if chosen not in ("auto", "numba", "numpy"):
        raise ValueError(f"engine must be 'auto', 'numba' or 'numpy', got {chosen!r}")
    if chosen == "auto":
        return "numba" if numba_available() else "numpy"
    if chosen == "numba" and not numba_available():
        raise ValueError("engine='numba' was asked for but numba is not installed; use engine='numpy'")
    return chosen


# --------------------------------------------------------------------------------------------------
# numpy reference implementations
# --------------------------------------------------------------------------------------------------


def _ks_w1_numpy(ref: np.ndarray, cur: np.ndarray, want_w1: bool) -> tuple[float, float]:
    n1, n2 = ref.size, cur.size
    total = n1 + n2
    # Stable merge of two sorted runs with reference first on ties (what ``np.sort(kind="mergesort")``
    # of ``concat(ref, cur)`` gives): cur[j] lands after every reference value <= cur[j].
    pos_cur = np.arange(n2) + np.searchsorted(ref, cur, side="right")
    is_cur = np.zeros(total, dtype=bool)
    is_cur[pos_cur] = True
    merged = np.empty(total, dtype=np.float64)
    merged[pos_cur] = cur
    merged[~is_cur] = ref
    c2 = np.cumsum(is_cur)
    c1 = np.arange(1, total + 1) - c2
    absdiff = np.abs(c1 / n1 - c2 / n2)
    deltas = np.diff(merged)
    # The empirical CDFs are right-continuous: they are read at the last copy of each value.
    group_end = np.empty(total, dtype=bool)
    group_end[:-1] = deltas != 0
    group_end[-1] = True
    d = float(np.max(absdiff[group_end]))
    if not want_w1 or total < 2:
        return d, 0.0
    # sequential sum (cumsum adds left to right), the order the compiled merge uses
    return d, float(np.cumsum(absdiff[:-1] * deltas)[-1])


def _bin_counts_numpy(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """np.histogram semantics: [e_i, e_{i+1}) except the last bin, which is closed; outside is dropped."""
    idx = np.searchsorted(edges, values, side="right") - 1
    idx[values == edges[-1]] = edges.size - 2
    keep = (idx >= 0) & (idx < edges.size - 1)
    return np.bincount(idx[keep], minlength=edges.size - 1).astype(np.int64)


# --------------------------------------------------------------------------------------------------
# numba kernels
# --------------------------------------------------------------------------------------------------

_NB: dict[str, Any] = {}


def _njit(**options: Any) -> Any:
    """``numba.njit(cache=True, ...)`` that falls back to an uncached kernel where no cache can be written.

    Why cached: a fresh process (every ``keel drift`` run) would otherwise spend about a second compiling
    the kernels. numba writes the cache next to this file, or under ``NUMBA_CACHE_DIR`` / the user's cache
    folder when the install is read-only; where none of those is writable it refuses at decoration time,
    and the kernels are then compiled per process rather than failing.
    """
    numba = _numba_module()
    assert numba is not None

    def decorate(fn: Any) -> Any:
        try:
            return numba.njit(cache=True, **options)(fn)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(cache=False, **options)(fn)

    return decorate


_NB_LOCK = threading.Lock()


def _compiled() -> dict[str, Any]:
    """The compiled kernels by name, built once per process.

    Built under a lock and published whole: scoring threads ask for them at the same moment, and a
    half-filled table seen by a second thread was a KeyError (seen with an empty numba cache, where
    building takes longest).
    """
    if _NB:
        return _NB
    with _NB_LOCK:
        if not _NB:
            built = _ahead_of_time()
            if built is None and _numba_module() is not None:
                built = _build_kernels()
            _NB.update(built or {})
    return _NB


_LOADER: list[threading.Thread] = []


def load_in_background() -> None:
    """Start importing numba and loading every kernel from its on-disk cache, in a daemon thread, once.

    Why: a fresh process pays about half a second before its first compiled call (numba's import, its
    compiler's registries, one cache read per kernel and signature), most of it holding the GIL. Started
    before the files are read, it overlaps the reading (which releases the GIL); a scorer that gets there
    first simply waits on the same lock. Nothing changes but when that time is spent.
    """
    if _ahead_of_time() is not None:
        return  # built ahead of time: nothing to load
    with _NB_LOCK:
        if _LOADER or _NB:
            return
        thread = threading.Thread(target=_warm_up, name="mlkeel-drift-kernels", daemon=True)
        _LOADER.append(thread)
    thread.start()


def _warm_up() -> None:
    """Load each kernel for the signatures scoring uses (writable and read-only windows alike: a column
    read from Arrow without nulls is a read-only view, and numba keys its cache on that too)."""
    try:
        kernels = _compiled()
        if not kernels:
            return
        ref = np.arange(4.0)
        for window in (np.arange(4.0), _read_only(np.arange(4.0))):
            kernels["radix_sort"](window, np.empty(4))
            kernels["merge_ks_w1"](ref, window)
            kernels["finite_min_max"](window)
            kernels["bin_counts"](window, ref, np.zeros(3, dtype=np.int64))
            kernels["threshold_counts"](window, ref, np.zeros(5, dtype=np.int64))
            idx = np.empty(4, dtype=np.int32)
            counts = np.zeros(5, dtype=np.int64)
            grid = np.zeros(4, dtype=np.int64)
            kernels["ks_bucket_counts"](window, ref, grid, 0.0, 1.0, idx, counts)
            kernels["ks_value_counts"](window, ref, grid, 0.0, 1.0, counts, np.zeros(5, dtype=np.int64))
            kernels["gather_buckets"](window, idx, np.zeros(5, dtype=np.bool_), np.empty(4))
    except Exception:  # pragma: no cover - a broken numba install: scoring reports it, not this thread
        return


def _read_only(values: np.ndarray) -> np.ndarray:
    values.flags.writeable = False
    return values


def _build_kernels() -> dict[str, Any]:
    """Every loop of :mod:`runtime.drift._loops`, compiled by numba just in time (cached on disk)."""
    from runtime.drift import _loops

    return {name: _njit(nogil=True)(getattr(_loops, name)) for name in _loops.SIGNATURES}


# --------------------------------------------------------------------------------------------------
# public entry points
# --------------------------------------------------------------------------------------------------


def ks_w1(
    ref_sorted: np.ndarray, cur_sorted: np.ndarray, *, want_w1: bool = True, engine: str | None = None
) -> tuple[float, float]:
    """KS statistic D and the Wasserstein-1 distance of two sorted float64 samples without NaN/inf.

    D is bit-identical to ``scipy.stats.ks_2samp(...).statistic`` (asymptotic mode). W1 is the same sum
    of the same terms scipy builds, added left to right; scipy reduces with a BLAS dot product whose
    result depends on the BLAS thread count, so the two agree to rounding (about 1e-11 relative at a
    million rows), not to the bit.
    """
    if resolve_engine(engine) == "numpy":
        return _ks_w1_numpy(ref_sorted, cur_sorted, want_w1)
    d, w1 = _compiled()["merge_ks_w1"](_doubles(ref_sorted), _doubles(cur_sorted))
    return float(d), float(w1)


def _doubles(values: np.ndarray) -> np.ndarray:
    """``values`` as the contiguous float64 array the compiled loops take (no copy when it is one)."""
    return np.ascontiguousarray(values, dtype=np.float64)


def bin_counts(
    values: np.ndarray, edges: np.ndarray, *, engine: str | None = None, is_sorted: bool = False
) -> np.ndarray:
    """Counts of ``values`` in the bins of ``edges`` with ``np.histogram``'s rules (last bin closed).

    ``values`` must be finite float64; ``is_sorted=True`` lets the numpy path use two binary searches
    per edge instead of one per value.
    """
    edges = np.ascontiguousarray(edges, dtype=np.float64)
    if is_sorted:
        left = np.searchsorted(values, edges[:-1], side="left")
        right_last = np.searchsorted(values, edges[-1:], side="right")
        return np.diff(np.concatenate((left, right_last))).astype(np.int64)
    if resolve_engine(engine) == "numpy":
        return _bin_counts_numpy(values, edges)
    counts = np.zeros(edges.size - 1, dtype=np.int64)
    _compiled()["bin_counts"](np.ascontiguousarray(values, dtype=np.float64), edges, counts)
    return counts


def finite_min_max(values: np.ndarray, *, engine: str | None = None) -> tuple[float, float, int]:
    """(min, max, count) of the finite values in one pass (numba) or via a finite mask (numpy)."""
    if resolve_engine(engine) == "numba":
        lo, hi, n = _compiled()["finite_min_max"](_doubles(values))
        return float(lo), float(hi), int(n)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return float("inf"), float("-inf"), 0
    return float(finite.min()), float(finite.max()), int(finite.size)


def threshold_counts(values: np.ndarray, edges: np.ndarray, *, engine: str | None = None) -> np.ndarray:
    """Counts of finite values by how many ``edges`` are <= them (``searchsorted(edges, x, "right")``)."""
    edges = np.ascontiguousarray(edges, dtype=np.float64)
    if resolve_engine(engine) == "numba":
        counts = np.zeros(edges.size + 1, dtype=np.int64)
        _compiled()["threshold_counts"](np.ascontiguousarray(values, dtype=np.float64), edges, counts)
        return counts
    finite = values[np.isfinite(values)]
    return np.bincount(np.searchsorted(edges, finite, side="right"), minlength=edges.size + 1).astype(
        np.int64
    )


#: Arrays at least this long are sorted by the compiled radix sort (:func:`sorted_copy`); below it
#: ``np.sort`` is as fast.
RADIX_SORT_MIN = 1 << 16


def sorted_copy(values: np.ndarray, *, engine: str | None = None) -> np.ndarray:
    """``np.sort(values)`` of float64 values without NaN: equal element for element (a -0.0 may stand
    on the other side of an equal 0.0, which no statistic here can tell apart).

    Why: sorting each numerical column (the reference when a profile is fitted, the window for the
    Wasserstein distance) was the largest cost of a default-preset run. numpy's sort runs at ~50 ms
    per million doubles on the benchmark machine; an LSD radix sort over the bit patterns, compiled,
    takes 13-30 ms. Short arrays and the numpy engine use ``np.sort``.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    if values.size < RADIX_SORT_MIN or resolve_engine(engine) == "numpy":
        return np.sort(values)
    out = np.empty_like(values)
    _compiled()["radix_sort"](values, out)
    return out


#: More distinct objects than this in a categorical column and :func:`distinct_objects` gives up.
DISTINCT_OBJECTS_CAP = 4096


def distinct_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(index of the first row holding each distinct *object*, its count) of an object array, in order of
    first appearance, or None past :data:`DISTINCT_OBJECTS_CAP` distinct objects (or without numba).

    Why objects rather than values: a text column read by pandas or pyarrow holds one Python object per
    distinct string (both readers reuse the object for repeats), so counting pointers in one compiled pass
    replaces hashing a million strings, the largest cost of scoring a categorical column. Equal strings
    held by different objects are merged afterwards by the caller, on the few representatives only.
    """
    if values.dtype != object or values.size == 0 or not numba_available():
        return None
    import ctypes

    values = np.ascontiguousarray(values)
    # the object array's pointers as integers, without copying: numpy refuses an object -> int view
    words = np.ctypeslib.as_array((ctypes.c_ssize_t * values.size).from_address(values.ctypes.data))
    cap = min(DISTINCT_OBJECTS_CAP, values.size)
    first = np.empty(cap, dtype=np.int64)
    counts = np.zeros(cap, dtype=np.int64)
    k = int(_compiled()["object_value_counts"](words, cap, first, counts))
    del words  # before `values` may go: the view does not keep the array alive
    if k < 0:
        return None
    return first[:k], counts[:k]


def ks_statistic_unsorted(buckets: Any, values: np.ndarray) -> tuple[float, int]:
    """(KS D, finite count) of an unsorted window (NaN/inf skipped) against a bucketed reference
    (:class:`runtime.drift._ks_buckets.KsBuckets`), compiled, without sorting the window.

    D is the one :meth:`KsBuckets.statistic` defines (bit-identical to scipy's asymptotic-mode D): one
    pass counts the window per bucket, a second gathers the values of the candidate buckets only.
    """
    kernels = _compiled()
    values = np.ascontiguousarray(values, dtype=np.float64)
    if buckets.by_value:
        return _ks_by_value(kernels, buckets, values)
    edges = buckets.edges
    idx = np.empty(values.size, dtype=np.int32)
    counts = np.zeros(edges.size + 1, dtype=np.int64)
    if edges.size == 0:
        n = int(np.isfinite(values).sum())
        idx[:] = np.where(np.isfinite(values), 0, -1)
        counts[0] = n
    else:
        grid, g_lo, g_scale = buckets.grid()
        n = int(kernels["ks_bucket_counts"](values, edges, grid, g_lo, g_scale, idx, counts))
    if n == 0:
        return 0.0, 0
    lower, cands = buckets.candidates(counts)
    if cands.size == 0:
        return lower, n
    wanted = np.zeros(edges.size + 1, dtype=np.bool_)
    wanted[cands] = True
    gathered = np.empty(int(counts[cands].sum()), dtype=np.float64)
    kernels["gather_buckets"](values, idx, wanted, gathered)
    gathered.sort()  # buckets are value ranges, so sorted values come grouped by bucket
    offsets = np.concatenate(([0], np.cumsum(counts[cands]))).astype(np.int64)
    cur_start = np.cumsum(counts) - counts
    d = kernels["ks_refine"](
        _doubles(buckets.ref),
        gathered,
        cands.astype(np.int64),
        offsets,
        buckets.ref_start,
        buckets.ref_end,
        cur_start,
        buckets.ref.size,
        n,
        float(lower),
    )
    return float(d), n


def _ks_by_value(kernels: dict[str, Any], buckets: Any, values: np.ndarray) -> tuple[float, int]:
    """D against a reference with an edge at each distinct value (``KsBuckets.at_each_value``), counts only.

    F_ref is flat inside bucket k (its reference values are all ``edges[k-1]``), so |F_ref - F_cur|
    there is largest at the bucket's first or last distinct value: at ``edges[k-1]`` itself (window
    count below it plus its copies) or past the window's last value in the bucket. Both are points of
    the merged sample, read with the integers scipy's searchsorted gives, so D is scipy's to the bit.
    """
    edges = buckets.edges
    counts = np.zeros(edges.size + 1, dtype=np.int64)
    eq = np.zeros(edges.size + 1, dtype=np.int64)
    grid, g_lo, g_scale = buckets.grid()
    n = int(kernels["ks_value_counts"](values, edges, grid, g_lo, g_scale, counts, eq))
    if n == 0:
        return 0.0, 0
    n1 = buckets.ref.size
    cur_end = np.cumsum(counts)
    at_edge = np.abs(buckets.ref_end / n1 - (cur_end - counts + eq) / n)
    past_last = np.abs(buckets.ref_end / n1 - cur_end / n)
    return float(max(at_edge.max(), past_last.max())), n

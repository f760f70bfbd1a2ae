"""Inner loops of the drift statistics, compiled with numba when it is installed, plain numpy otherwise.

Why two implementations: numba turns the exact Kolmogorov-Smirnov / Wasserstein merge and the binning
passes into single sweeps over memory (the runtime's speed target), but the runtime must also work on
machines without it. Both paths produce *the same numbers*: the merge evaluates exactly the terms scipy
builds (``|F_ref - F_cur|`` per merged point times the gap to the next point) and both add them left to
right; counts are integers. ``tests/runtime`` checks the two paths against each other and against scipy.

Set ``MLKEEL_DRIFT_ENGINE=numpy`` to force the numpy path.
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
    """Whether the compiled kernels can be used in this environment."""
    return _numba_module() is not None


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
    if _NB or _numba_module() is None:
        return _NB
    with _NB_LOCK:
        if not _NB:
            _NB.update(_build_kernels())
    return _NB


_LOADER: list[threading.Thread] = []


def load_in_background() -> None:
    """Start importing numba and loading every kernel from its on-disk cache, in a daemon thread, once.

    Why: a fresh process pays about half a second before its first compiled call (numba's import, its
    compiler's registries, one cache read per kernel and signature), most of it holding the GIL. Started
    before the files are read, it overlaps the reading (which releases the GIL); a scorer that gets there
    first simply waits on the same lock. Nothing changes but when that time is spent.
    """
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
    kernels: dict[str, Any] = {}

    def njit(**options: Any) -> Any:
        options.pop("cache", None)
        return _njit(**options)

    @njit(nogil=True, cache=True)
    def merge_ks_w1(ref, cur):  # pragma: no cover - compiled
        # One stable merge (reference first on ties) of two sorted samples. At every merged point k the
        # counts (i, j) consumed so far give |F_ref - F_cur| exactly as scipy's searchsorted does
        # wherever the next value differs; where it does not, the gap is 0 and so is the W1 term.
        n1 = ref.size
        n2 = cur.size
        total = n1 + n2
        i = 0
        j = 0
        d = 0.0
        w1 = 0.0
        if i < n1 and (j >= n2 or ref[i] <= cur[j]):
            v = ref[i]
            i += 1
        else:
            v = cur[j]
            j += 1
        for _ in range(total - 1):
            if j >= n2 or (i < n1 and ref[i] <= cur[j]):
                nv = ref[i]
                take_ref = True
            else:
                nv = cur[j]
                take_ref = False
            a = abs(i / n1 - j / n2)
            gap = nv - v
            w1 += a * gap
            if gap != 0.0 and a > d:
                d = a
            if take_ref:
                i += 1
            else:
                j += 1
            v = nv
        return d, w1

    @njit(nogil=True, cache=True)
    def bin_counts(values, edges, counts):  # pragma: no cover - compiled
        # np.histogram membership: [e_i, e_{i+1}), last bin closed, outside (and NaN/inf) dropped.
        # The bin is guessed arithmetically (edges are near-uniform) and then fixed by comparing with
        # the edges themselves, so membership is decided by the edges exactly.
        nb = edges.size - 1
        lo_edge = edges[0]
        hi_edge = edges[nb]
        scale = nb / (hi_edge - lo_edge)
        for t in range(values.size):
            x = values[t]
            if not (x >= lo_edge and x <= hi_edge):
                continue
            i = int((x - lo_edge) * scale)
            if i >= nb:
                i = nb - 1
            while i > 0 and x < edges[i]:
                i -= 1
            while i < nb - 1 and x >= edges[i + 1]:
                i += 1
            counts[i] += 1

    @njit(nogil=True, cache=True)
    def threshold_counts(values, edges, counts):  # pragma: no cover - compiled
        # counts[k] = finite values with exactly k edges <= x (searchsorted side="right"), branch-free
        ne = edges.size
        for t in range(values.size):
            x = values[t]
            if np.isfinite(x):
                k = 0
                for j in range(ne):
                    k += x >= edges[j]
                counts[k] += 1

    kernels["threshold_counts"] = threshold_counts

    @njit(nogil=True, cache=True)
    def finite_min_max(values):  # pragma: no cover - compiled
        lo = np.inf
        hi = -np.inf
        n = 0
        for t in range(values.size):
            x = values[t]
            if np.isfinite(x):
                n += 1
                if x < lo:
                    lo = x
                if x > hi:
                    hi = x
        return lo, hi, n

    kernels["finite_min_max"] = finite_min_max

    @njit(nogil=True, cache=True)
    def ks_bucket_counts(values, edges, grid, g_lo, g_scale, idx, counts):  # pragma: no cover - compiled
        # idx[t] = searchsorted(edges, x, "right") for finite x (-1 otherwise). A uniform grid over the
        # edges' range guesses the bucket; two short walks make it exact whatever the guess.
        ne = edges.size
        ng = grid.size
        first = edges[0]
        last = edges[ne - 1]
        n = 0
        for t in range(values.size):
            x = values[t]
            if not np.isfinite(x):
                idx[t] = -1
                continue
            if x < first:
                b = 0
            elif x >= last:
                b = ne
            else:
                g = int((x - g_lo) * g_scale)
                if g < 0:
                    g = 0
                elif g >= ng:
                    g = ng - 1
                b = grid[g]
                while b > 0 and edges[b - 1] > x:
                    b -= 1
                while b < ne and edges[b] <= x:
                    b += 1
            idx[t] = b
            counts[b] += 1
            n += 1
        return n

    @njit(nogil=True, cache=True)
    def ks_value_counts(values, edges, grid, g_lo, g_scale, counts, eq):  # pragma: no cover - compiled
        # counts[b] as in ks_bucket_counts; eq[b] = those equal to the bucket's lower edge edges[b-1]
        ne = edges.size
        ng = grid.size
        first = edges[0]
        last = edges[ne - 1]
        n = 0
        for t in range(values.size):
            x = values[t]
            if not np.isfinite(x):
                continue
            if x < first:
                b = 0
            elif x >= last:
                b = ne
            else:
                g = int((x - g_lo) * g_scale)
                if g < 0:
                    g = 0
                elif g >= ng:
                    g = ng - 1
                b = grid[g]
                while b > 0 and edges[b - 1] > x:
                    b -= 1
                while b < ne and edges[b] <= x:
                    b += 1
            counts[b] += 1
            if b > 0 and x == edges[b - 1]:
                eq[b] += 1
            n += 1
        return n

    @njit(nogil=True, cache=True)
    def gather_buckets(values, idx, wanted, out):  # pragma: no cover - compiled
        k = 0
        for t in range(values.size):
            b = idx[t]
            if b >= 0 and wanted[b]:
                out[k] = values[t]
                k += 1
        return k

    @njit(nogil=True, cache=True)
    def ks_refine(ref, cur, cands, offsets, ref_start, ref_end, cur_start, n1, n2, d):  # pragma: no cover
        # For each candidate bucket: merge its reference slice with its (sorted) current values and
        # read |F_ref - F_cur| at the last copy of each value, with the global counts i and j.
        for c in range(cands.size):
            k = cands[c]
            p = ref_start[k]
            pend = ref_end[k]
            q = offsets[c]
            qend = offsets[c + 1]
            i = p
            j = cur_start[k]
            while p < pend or q < qend:
                if q >= qend or (p < pend and ref[p] <= cur[q]):
                    v = ref[p]
                    p += 1
                    i += 1
                else:
                    v = cur[q]
                    q += 1
                    j += 1
                if p < pend and (q >= qend or ref[p] <= cur[q]):
                    nv = ref[p]
                elif q < qend:
                    nv = cur[q]
                else:
                    nv = np.inf
                if nv != v:
                    a = abs(i / n1 - j / n2)
                    if a > d:
                        d = a
        return d

    @njit(nogil=True, cache=True)
    def object_value_counts(words, cap, first, counts):  # pragma: no cover - compiled
        # Distinct object pointers of an object array (its words), in order of first appearance, with
        # their counts; -1 as soon as there are more than `cap` of them. Open addressing, load <= 1/4.
        size = 4
        while size < 4 * cap:
            size *= 2
        mask = size - 1
        keys = np.zeros(size, np.int64)  # 0 marks an empty slot: no object lives at address 0
        slots = np.empty(size, np.int64)
        k = 0
        last = 0
        last_slot = 0
        for t in range(words.size):
            w = words[t]
            if w == last:
                counts[last_slot] += 1
                continue
            h = ((w >> 4) ^ (w >> 13)) & mask
            while keys[h] != 0 and keys[h] != w:
                h = (h + 1) & mask
            if keys[h] == 0:
                if k == cap:
                    return -1
                keys[h] = w
                slots[h] = k
                first[k] = t
                k += 1
            last = w
            last_slot = slots[h]
            counts[last_slot] += 1
        return k

    @njit(nogil=True, cache=True)
    def radix_sort(values, out):  # pragma: no cover - compiled
        # LSD radix sort of float64 by their bit patterns, mapped to unsigned integers that order as the
        # floats do (flip every bit of a negative, the sign bit of a positive); 6 passes of 11 bits, one
        # pass skipped wherever every key has the same digit. NaN must not be present.
        n = values.size
        keys = values.view(np.uint64)
        a = np.empty(n, np.uint64)
        sign = np.uint64(1) << np.uint64(63)
        ones = np.uint64(0xFFFFFFFFFFFFFFFF)
        for i in range(n):
            k = keys[i]
            a[i] = (k ^ ones) if (k & sign) else (k | sign)
        b = np.empty(n, np.uint64)
        bits = 11
        width = 1 << bits
        mask = np.uint64(width - 1)
        hist = np.zeros((6, width), np.int64)
        for i in range(n):
            k = a[i]
            for q in range(6):
                hist[q, (k >> np.uint64(q * bits)) & mask] += 1
        src = a
        dst = b
        pos = np.empty(width, np.int64)
        for q in range(6):
            same = False
            for d in range(width):
                if hist[q, d] == n:
                    same = True
                    break
            if same:
                continue
            total = 0
            for d in range(width):
                pos[d] = total
                total += hist[q, d]
            shift = np.uint64(q * bits)
            for i in range(n):
                k = src[i]
                d = (k >> shift) & mask
                dst[pos[d]] = k
                pos[d] += 1
            src, dst = dst, src
        outk = out.view(np.uint64)
        for i in range(n):
            k = src[i]
            outk[i] = (k ^ sign) if (k & sign) else (k ^ ones)

    kernels["radix_sort"] = radix_sort
    kernels["object_value_counts"] = object_value_counts
    kernels["ks_bucket_counts"] = ks_bucket_counts
    kernels["gather_buckets"] = gather_buckets
    kernels["ks_value_counts"] = ks_value_counts
    kernels["ks_refine"] = ks_refine
    kernels["merge_ks_w1"] = merge_ks_w1
    kernels["bin_counts"] = bin_counts
    return kernels


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
    d, w1 = _compiled()["merge_ks_w1"](ref_sorted, cur_sorted)
    return float(d), float(w1)


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
        lo, hi, n = _compiled()["finite_min_max"](values)
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
    if values.dtype != object or values.size == 0 or _numba_module() is None:
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
        buckets.ref,
        gathered,
        cands.astype(np.int64),
        offsets,
        buckets.ref_start,
        buckets.ref_end,
        cur_start,
        buckets.ref.size,
        n,
        lower,
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

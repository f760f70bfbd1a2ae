"""The drift statistics' inner loops as plain Python, compiled by numba (:mod:`runtime.drift._kernels`)
either ahead of time into an extension module (:mod:`runtime.drift._aot`) or just in time.

Why a module of their own: the same source is compiled both ways, so the two builds cannot drift apart,
and the ahead-of-time build records a hash of this file to refuse itself once the loops change. Nothing
here runs as Python (each function would take seconds on a million rows); :data:`SIGNATURES` are the
argument types the callers in ``_kernels`` pass, which the ahead-of-time build is compiled for.
"""

import numpy as np

#: Each loop's numba signature, for the ahead-of-time build (the just-in-time build infers the same).
SIGNATURES: dict[str, str] = {
    "merge_ks_w1": "UniTuple(f8, 2)(f8[::1], f8[::1])",
    "bin_counts": "void(f8[::1], f8[::1], i8[::1])",
    "threshold_counts": "void(f8[::1], f8[::1], i8[::1])",
    "finite_min_max": "Tuple((f8, f8, i8))(f8[::1])",
    "ks_bucket_counts": "i8(f8[::1], f8[::1], i8[::1], f8, f8, i4[::1], i8[::1])",
    "ks_value_counts": "i8(f8[::1], f8[::1], i8[::1], f8, f8, i8[::1], i8[::1])",
    "gather_buckets": "i8(f8[::1], i4[::1], b1[::1], f8[::1])",
    "ks_refine": "f8(f8[::1], f8[::1], i8[::1], i8[::1], i8[::1], i8[::1], i8[::1], i8, i8, f8)",
    "object_value_counts": "i8(i8[::1], i8, i8[::1], i8[::1])",
    "radix_sort": "void(f8[::1], f8[::1])",
}


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


def gather_buckets(values, idx, wanted, out):  # pragma: no cover - compiled
    k = 0
    for t in range(values.size):
        b = idx[t]
        if b >= 0 and wanted[b]:
            out[k] = values[t]
            k += 1
    return k


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

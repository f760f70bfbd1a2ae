"""The exact two-sample KS statistic from bucket counts plus the few values that can still matter.

Why: D is the largest gap between the two empirical CDFs, and most of a sample cannot hold it. Split
the line at reference quantiles into buckets; the counts per bucket give the CDF gap exactly at every
bucket edge (a lower bound on D) and, because both CDFs only rise inside a bucket, an upper bound on
the gap within each bucket. Only buckets whose upper bound beats the best edge gap need their values,
usually a few hundred rows of a million. So a cluster returns bucket counts and a small sample instead
of sorting the whole window, and the answer is still bit-identical to ``scipy.stats.ks_2samp``: every
gap is computed as ``|i/n1 - j/n2|`` with the same integers i, j that scipy's searchsorted gives at the
last copy of each value.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DEFAULT_BUCKETS", "KsBuckets"]

#: Reference quantile buckets; more buckets mean fewer candidate values and a longer count vector.
DEFAULT_BUCKETS = 4096


class KsBuckets:
    """The bucket layout for one sorted reference: ``edges`` split the line into ``edges.size + 1``
    buckets, bucket k holding ``edges[k-1] <= x < edges[k]`` (``searchsorted(edges, x, "right")``)."""

    def __init__(self, ref_sorted: np.ndarray, n_buckets: int = DEFAULT_BUCKETS) -> None:
        self.ref = ref_sorted
        n1 = ref_sorted.size
        cuts = (np.arange(1, max(min(n_buckets, n1), 1), dtype=np.int64) * n1) // max(min(n_buckets, n1), 1)
        self.edges = np.unique(ref_sorted[cuts]) if cuts.size else np.zeros(0)
        refpos = np.searchsorted(ref_sorted, self.edges, side="left").astype(np.int64)
        self.ref_start = np.concatenate(([0], refpos)).astype(np.int64)
        self.ref_end = np.concatenate((refpos, [n1])).astype(np.int64)
        self._grid: tuple[np.ndarray, float, float] | None = None
        #: Every edge is a distinct reference value and every distinct value an edge (:meth:`at_each_value`).
        self.by_value = False

    @classmethod
    def at_each_value(cls, ref_sorted: np.ndarray, max_values: int = DEFAULT_BUCKETS) -> KsBuckets | None:
        """One edge per distinct reference value, or None where the reference has more than ``max_values``.

        Why: on a tie-heavy column (rounded prices, ratings) quantile buckets cannot split a repeated
        value, so almost every bucket stays a candidate and the window's values are gathered and sorted
        after all. With an edge at every distinct value, bucket k >= 1 holds reference copies of
        ``edges[k-1]`` only and bucket 0 none, so F_ref is flat inside each bucket; D then needs just the
        count of window values per bucket and of those equal to its lower edge (``ks_value_counts``).
        """
        if ref_sorted.size == 0:
            return None
        starts = np.flatnonzero(np.concatenate(([True], ref_sorted[1:] != ref_sorted[:-1])))
        if starts.size > max_values:
            return None
        layout = cls(ref_sorted, 1)  # one bucket, then the edges below replace it
        layout.edges = ref_sorted[starts]
        layout.ref_start = np.concatenate(([0], starts)).astype(np.int64)
        layout.ref_end = np.concatenate((starts, [ref_sorted.size])).astype(np.int64)
        layout.by_value = True
        return layout

    def grid(self, per_bucket: int = 16) -> tuple[np.ndarray, float, float]:
        """A uniform lookup over ``[edges[0], edges[-1])`` guessing each value's bucket (compiled path):
        ``grid[g]`` = buckets before the start of cell g; the caller walks to the exact bucket. 16 cells
        a bucket: skewed columns (lognormal, exponential) crowd many buckets into one cell at 4 and the
        walk doubled the counting time at 1M rows; the grid (2 MiB at 16,384 buckets) is built once."""
        if self._grid is None:
            lo, hi = float(self.edges[0]), float(self.edges[-1])
            cells = max(per_bucket * self.edges.size, 1)
            scale = cells / (hi - lo) if hi > lo else 0.0
            starts = lo + np.arange(cells) / scale if scale else np.full(cells, lo)
            guess = np.searchsorted(self.edges, starts, side="right").astype(np.int64)
            self._grid = (guess, lo, scale)
        return self._grid

    @property
    def n_buckets(self) -> int:
        return int(self.edges.size + 1)

    def candidates(self, cur_counts: np.ndarray) -> tuple[float, np.ndarray]:
        """(the largest gap at a bucket edge, the buckets whose inside may hold a larger one)."""
        n1 = self.ref.size
        counts = np.asarray(cur_counts, dtype=np.int64)
        n2 = int(counts.sum())
        cur_end = np.cumsum(counts)
        cur_start = cur_end - counts
        if self.edges.size:
            edge_gaps = np.abs(self.ref_end[:-1] / n1 - cur_end[:-1] / n2)
            lower = float(edge_gaps.max())
        else:
            lower = 0.0
        upper = np.maximum(self.ref_end / n1 - cur_start / n2, cur_end / n2 - self.ref_start / n1)
        return lower, np.flatnonzero(upper > lower)

    def statistic(self, cur_counts: np.ndarray, bucket_values: dict[int, np.ndarray]) -> float:
        """D from the counts and the current values of every candidate bucket (``candidates()[1]``)."""
        n1 = self.ref.size
        counts = np.asarray(cur_counts, dtype=np.int64)
        n2 = int(counts.sum())
        cur_start = np.cumsum(counts) - counts
        d, cands = self.candidates(counts)
        for k in cands.tolist():
            cur = np.asarray(bucket_values.get(k, np.zeros(0)), dtype=np.float64)
            if cur.size != counts[k]:
                raise ValueError(f"bucket {k}: {cur.size} values for a count of {counts[k]}")
            ref = self.ref[self.ref_start[k] : self.ref_end[k]]
            if ref.size + cur.size == 0:
                continue
            merged = np.concatenate((ref, cur))
            from_cur = np.concatenate((np.zeros(ref.size, dtype=bool), np.ones(cur.size, dtype=bool)))
            order = np.argsort(merged, kind="stable")
            merged, from_cur = merged[order], from_cur[order]
            j = cur_start[k] + np.cumsum(from_cur)
            i = self.ref_start[k] + np.arange(1, merged.size + 1) - np.cumsum(from_cur)
            # the CDFs are read at the last copy of each value; a bucket never splits a value
            last = np.append(merged[1:] != merged[:-1], True)
            d = max(d, float(np.abs(i[last] / n1 - j[last] / n2).max()))
        return d

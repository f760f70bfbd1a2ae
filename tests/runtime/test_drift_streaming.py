"""Chunked scoring equals in-memory scoring (bit for bit except Wasserstein, within 1e-12)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runtime.drift import DriftDetector


def _frames(n_ref: int, n_cur: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(42)

    def make(n: int, shift: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "normal": rng.normal(shift, 1, n),
                "ties": np.round(rng.uniform(shift, 1, n), 2),
                "few": rng.integers(0, 4, n).astype(float),
                "cat": rng.choice(["a", "b", "c", "d"] + (["e"] if shift else []), n),
            }
        )

    return make(n_ref, 0.0), make(n_cur, 0.1)


@pytest.mark.parametrize("method", [None, "ks", "wasserstein", "psi", "psi_quantile", "jensenshannon"])
def test_drift_streaming_equals_in_memory(method):
    ref, cur = _frames(20_000, 24_000)
    cat = [] if method in ("ks", "wasserstein", "psi_quantile") else ["cat"]
    cols = ["normal", "ties", "few", *cat]
    det = DriftDetector(
        numerical=["normal", "ties", "few"],
        categorical=cat,
        per_column_method={"few": "jensenshannon"}
        if method in ("ks", "wasserstein", "psi_quantile")
        else None,
        method=method,
    ).fit(ref[cols])
    whole = det.score(cur[cols])
    chunks = [cur[cols].iloc[i : i + 5_000] for i in range(0, len(cur), 5_000)]
    streamed = det.score_chunks(chunks)
    for a, b in zip(whole.columns, streamed.columns, strict=True):
        assert (a.method, a.drifted, a.p_value) == (b.method, b.drifted, b.p_value), a.column
        if a.method == "wasserstein":
            assert b.statistic == pytest.approx(a.statistic, rel=1e-12) and not b.exact
        else:
            assert a.statistic == b.statistic, a.column


def test_drift_streaming_small_window_keeps_exact_ks_pvalue():
    ref, cur = _frames(900, 800)
    det = DriftDetector(numerical=["normal"], categorical=[]).fit(ref[["normal"]])
    chunks = [cur[["normal"]].iloc[i : i + 100] for i in range(0, 800, 100)]
    assert det.score_chunks(chunks) == det.score(cur[["normal"]])


def test_drift_streaming_one_shot_iterator_refused_when_two_passes_needed():
    ref, cur = _frames(5_000, 5_000)
    det = DriftDetector(numerical=["normal"], categorical=[]).fit(ref[["normal"]])
    with pytest.raises(ValueError, match="need a second pass"):
        det.score_chunks(iter([cur[["normal"]]]))


def test_drift_streaming_one_shot_iterator_fine_for_one_pass_methods():
    ref, cur = _frames(5_000, 5_000)
    det = DriftDetector(
        numerical=["normal"], categorical=["cat"], method="psi_quantile", cat_method="psi"
    ).fit(ref)
    result = det.score_chunks(iter([cur.iloc[:2_000], cur.iloc[2_000:]]))
    assert result == det.score(cur)

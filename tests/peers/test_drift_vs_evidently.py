"""Per-column drift statistics and decisions equal Evidently 0.7.23's (within 1e-9 relative).

Runs in the peer environment (``benchmarks/setup_peers.sh``; ``.venv-peers/bin/python -m pytest
tests/peers``); skips cleanly where Evidently is not installed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

evidently = pytest.importorskip("evidently")

from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.legacy.calculations.stattests.registry import get_stattest  # noqa: E402
from evidently.legacy.core import ColumnType  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402

from runtime.drift import DriftDetector  # noqa: E402
from tests.peers._data import drift_frames, sklearn_windows  # noqa: E402

pytestmark = pytest.mark.peers

REL = 1e-9


def _close(ours: float | None, theirs: float) -> bool:
    if ours is None:
        return False
    if math.isinf(theirs) or math.isinf(ours):
        return ours == theirs
    return math.isclose(ours, theirs, rel_tol=REL, abs_tol=1e-300)


def _clean(s: pd.Series) -> pd.Series:
    return s.replace([-np.inf, np.inf], np.nan).dropna()


def _evidently_column(ref: pd.Series, cur: pd.Series, kind: str, method: str | None, threshold: float | None):
    """Evidently's own selection, score and decision for one column (what ``get_one_column_drift`` runs)."""
    ctype = ColumnType.Numerical if kind == "numerical" else ColumnType.Categorical
    r, c = _clean(ref), _clean(cur)
    test = get_stattest(r, c, ctype, method)
    res = test(r, c, ctype, threshold)
    return test.name, float(res.drift_score), bool(res.drifted)


def _report_values(ref: pd.DataFrame, cur: pd.DataFrame, numerical: list[str], categorical: list[str], **preset):
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
    snapshot = Report([DataDriftPreset(**preset)]).run(
        Dataset.from_pandas(cur, data_definition=definition), Dataset.from_pandas(ref, data_definition=definition)
    )
    values, count = {}, None
    for metric in snapshot.dict()["metrics"]:
        cfg = metric["config"]
        if cfg["type"].endswith("ValueDrift"):
            values[cfg["column"]] = (cfg["method"], float(metric["value"]))
        elif cfg["type"].endswith("DriftedColumnsCount"):
            count = metric["value"]
    return values, count


METHOD_NAMES = {"K-S p_value": "ks", "ks": "ks", "wasserstein": "wasserstein", "psi": "psi", "jensenshannon": "jensenshannon",
                "chisquare": "chisquare", "z": "z"}


def _assert_matches(ref, cur, numerical, categorical, method=None, **params):
    ours = DriftDetector(numerical=numerical, categorical=categorical, method=method, **params).fit(ref).score(cur)
    mismatches = []
    for col in ours.columns:
        name, score, drifted = _evidently_column(ref[col.column], cur[col.column], col.kind, method, params.get("threshold"))
        if METHOD_NAMES.get(name, name) != col.method or not _close(col.score, score) or drifted != col.drifted:
            mismatches.append((col.column, name, score, drifted, col.method, col.score, col.drifted))
    assert not mismatches, mismatches
    return ours


@pytest.mark.parametrize("method", [None, "ks", "wasserstein", "psi", "jensenshannon"])
def test_drift_generated_large_reference_matches_evidently(method):
    ref, cur, num, cat = drift_frames(20_000, 15_000)
    if method in ("ks", "wasserstein"):
        cat = []
        ref, cur = ref[num], cur[num]
    _assert_matches(ref, cur, num, cat, method=method)


@pytest.mark.parametrize("method", [None, "chisquare", "z"])
def test_drift_generated_small_reference_matches_evidently(method):
    ref, cur, num, cat = drift_frames(800, 700, seed=11)
    if method == "chisquare":  # Evidently registers chi-square and Z for categorical columns only
        num, cat = [], [*cat, "four", "binary"]
    elif method == "z":
        num, cat = [], ["binary"]
    ref, cur = ref[num + cat], cur[num + cat]
    _assert_matches(ref, cur, num, cat, method=method)


def test_drift_generated_thresholds_override_like_evidently():
    ref, cur, num, cat = drift_frames(5_000, 5_000, seed=3)
    _assert_matches(ref, cur, num, cat, method="psi", threshold=0.02)


@pytest.mark.parametrize("dataset", ["breast_cancer", "diabetes", "wine", "digits"])
@pytest.mark.parametrize("method", [None, "psi", "ks"])
def test_drift_sklearn_windows_match_evidently(dataset, method):
    ref, cur, cols = sklearn_windows(dataset)
    ours = _assert_matches(ref, cur, cols, [], method=method)
    assert 0 < ours.n_drifted <= ours.n_columns  # the split on one feature drifts some columns


@pytest.mark.parametrize("preset", [{}, {"method": "psi"}, {"num_method": "ks", "cat_method": "chisquare"}])
def test_drift_report_values_and_share_match_evidently_report(preset):
    ref, cur, num, cat = drift_frames(12_000, 11_000, seed=5, n_num=8)
    # Evidently's PSI report crashes on +/-inf ("autodetected range of [-inf, inf] is not finite"),
    # so the whole-report comparison uses NaN there; the per-column tests above keep the infinities.
    ref, cur = ref.replace([np.inf, -np.inf], np.nan), cur.replace([np.inf, -np.inf], np.nan)
    theirs, count = _report_values(ref, cur, num, cat, **preset)
    ours = DriftDetector(numerical=num, categorical=cat, **preset).fit(ref).score(cur)
    for col in ours.columns:
        method, value = theirs[col.column]
        assert _close(col.score, value), (col.column, method, value, col.score)
    assert ours.n_drifted == count["count"] and ours.share == pytest.approx(count["share"], rel=REL)


def test_drift_unseen_category_chisquare_p_zero_like_evidently():
    ref, cur, _, _ = drift_frames(900, 900, seed=2)
    ours = _assert_matches(ref[["cat_4"]], cur[["cat_4"]], [], ["cat_4"], method="chisquare")
    assert ours.column("cat_4").p_value == 0.0 and ours.column("cat_4").unseen_categories == ["never-seen"]


def test_drift_numpy_and_numba_engines_match_evidently_alike():
    pytest.importorskip("numba")  # the peer venv usually has no numba; tests/runtime compares the engines too
    ref, cur, num, _ = drift_frames(30_000, 25_000, seed=9)
    a = DriftDetector(numerical=num, categorical=[], method="wasserstein", engine="numpy").fit(ref).score(cur)
    b = DriftDetector(numerical=num, categorical=[], method="wasserstein", engine="auto").fit(ref).score(cur)
    assert [c.statistic for c in a.columns] == [c.statistic for c in b.columns]

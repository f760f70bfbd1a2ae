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
from evidently.legacy.calculations.data_drift import get_one_column_drift  # noqa: E402
from evidently.legacy.calculations.stattests.registry import _registered_stat_tests  # noqa: E402
from evidently.legacy.core import ColumnType  # noqa: E402
from evidently.legacy.metric_results import DatasetColumns, DatasetUtilityColumns  # noqa: E402
from evidently.legacy.options.data_drift import DataDriftOptions  # noqa: E402
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


def _evidently_column(ref: pd.Series, cur: pd.Series, kind: str, method: str | None, threshold: float | None):
    """Evidently's own verdict for one raw column: what its ``ValueDrift`` metric runs.

    The columns go in as they are, NaN and +/-inf included: Evidently's ``get_one_column_drift`` does its
    own cleaning, so a difference in how the two treat missing or infinite values shows up here.
    """
    ctype = ColumnType.Numerical if kind == "numerical" else ColumnType.Categorical
    name = str(ref.name)
    result = get_one_column_drift(
        current_data=cur.to_frame(name),
        reference_data=ref.to_frame(name),
        column_name=name,
        options=DataDriftOptions(all_features_stattest=method, all_features_threshold=threshold),
        dataset_columns=DatasetColumns(
            utility_columns=DatasetUtilityColumns(date=None, id=None, target=None, prediction=None),
            target_type=None,
            task=None,
            num_feature_names=[name] if kind == "numerical" else [],
            cat_feature_names=[name] if kind == "categorical" else [],
            text_feature_names=[],
            datetime_feature_names=[],
            target_names=None,
        ),
        column_type=ctype,
        agg_data=True,
    )
    return _STATTEST_IDS[result.stattest_name], float(result.drift_score), bool(result.drift_detected)


#: Evidently reports a test by its display name ("Wasserstein distance (normed)"); our results use its id.
_STATTEST_IDS = {
    test.display_name: name for name, by_type in _registered_stat_tests.items() for test in by_type.values()
}


def _report_values(
    ref: pd.DataFrame, cur: pd.DataFrame, numerical: list[str], categorical: list[str], **preset
):
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
    snapshot = Report([DataDriftPreset(**preset)]).run(
        Dataset.from_pandas(cur, data_definition=definition),
        Dataset.from_pandas(ref, data_definition=definition),
    )
    values, count = {}, None
    for metric in snapshot.dict()["metrics"]:
        cfg = metric["config"]
        if cfg["type"].endswith("ValueDrift"):
            values[cfg["column"]] = (cfg["method"], float(metric["value"]))
        elif cfg["type"].endswith("DriftedColumnsCount"):
            count = metric["value"]
    return values, count


METHOD_NAMES = {
    "K-S p_value": "ks",
    "ks": "ks",
    "wasserstein": "wasserstein",
    "psi": "psi",
    "jensenshannon": "jensenshannon",
    "chisquare": "chisquare",
    "z": "z",
}


def _scored(ref, cur, **params):
    """Our result with p-values reported (Evidently reports KS's p-value as the score), after checking that
    the default detector, which decides KS through the critical D without p-values, decides every column
    the same way."""
    reported = DriftDetector(**params, p_values=True).fit(ref).score(cur)
    default = DriftDetector(**params).fit(ref).score(cur)
    decided = [(c.column, c.method, c.drifted) for c in default.columns]
    assert decided == [(c.column, c.method, c.drifted) for c in reported.columns]
    return reported


def _assert_matches(ref, cur, numerical, categorical, method=None, **params):
    ours = _scored(ref, cur, numerical=numerical, categorical=categorical, method=method, **params)
    mismatches = []
    for col in ours.columns:
        name, score, drifted = _evidently_column(
            ref[col.column], cur[col.column], col.kind, method, params.get("threshold")
        )
        if (
            METHOD_NAMES.get(name, name) != col.method
            or not _close(col.score, score)
            or drifted != col.drifted
        ):
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
    ours = _scored(ref, cur, numerical=num, categorical=cat, **preset)
    for col in ours.columns:
        method, value = theirs[col.column]
        assert _close(col.score, value), (col.column, method, value, col.score)
    assert ours.n_drifted == count["count"] and ours.share == pytest.approx(count["share"], rel=REL)


def test_drift_unseen_category_chisquare_p_zero_like_evidently():
    ref, cur, _, _ = drift_frames(900, 900, seed=2)
    ours = _assert_matches(ref[["cat_4"]], cur[["cat_4"]], [], ["cat_4"], method="chisquare")
    assert ours.column("cat_4").p_value == 0.0 and ours.column("cat_4").unseen_categories == ["never-seen"]


@pytest.mark.parametrize("engine", ["numpy", "numba"])
@pytest.mark.parametrize("method", ["wasserstein", "ks", "psi", "jensenshannon"])
def test_drift_numpy_and_numba_engines_each_match_evidently(engine, method):
    """Both inner-loop engines against Evidently on the same raw columns (NaN and +/-inf included)."""
    pytest.importorskip("numba")  # setup_peers.sh installs it; a hand-made peer venv may lack it
    ref, cur, num, _ = drift_frames(30_000, 25_000, seed=9)
    ours = _scored(ref, cur, numerical=num, categorical=[], method=method, engine=engine)
    mismatches = []
    for col in ours.columns:
        name, score, drifted = _evidently_column(ref[col.column], cur[col.column], "numerical", method, None)
        if (
            METHOD_NAMES.get(name, name) != col.method
            or not _close(col.score, score)
            or drifted != col.drifted
        ):
            mismatches.append((col.column, name, score, drifted, col.method, col.score, col.drifted))
    assert not mismatches, mismatches


def test_evidently_receives_the_raw_infinities_and_missing_values():
    """The comparison is not equal by construction: the columns handed to Evidently still hold NaN and inf."""
    ref, cur, _, _ = drift_frames(2_000, 2_000, seed=4)
    with_inf, with_nan = "num_9", "num_11"  # drift_frames puts +/-inf in n_num - 3 and NaN in the last two
    assert np.isinf(ref[with_inf]).any() and np.isinf(cur[with_inf]).any()
    assert ref[with_nan].isna().any() and cur[with_nan].isna().any()
    for method in (None, "psi", "ks", "wasserstein"):
        _assert_matches(
            ref[[with_inf, with_nan]], cur[[with_inf, with_nan]], [with_inf, with_nan], [], method=method
        )


def _heavy_frames(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, list[str], list[str]]:
    """An independent shape (issue 20): heavy tails, NaN in several columns, Zipf-like text of 5-50
    values with missing entries; drift in some of each kind."""
    rng = np.random.default_rng(seed)

    def frame(shifted: bool) -> pd.DataFrame:
        s = 1.0 if shifted else 0.0
        data: dict[str, object] = {
            "t2": rng.standard_t(2, n) + 0.1 * s,
            "cauchy": rng.standard_cauchy(n),
            "lognormal": rng.lognormal(3.0 + 0.1 * s, 1.5, n),
            "pareto": np.round(rng.pareto(1.5 + 0.2 * s, n) * 20.0, 2),
            "counts": rng.negative_binomial(2, 0.3 - 0.03 * s, n).astype(np.float64),
        }
        for name in ("t2", "lognormal", "counts"):
            data[name][rng.random(n) < 0.03] = np.nan  # type: ignore[index]
        for j, levels in enumerate((5, 12, 50)):
            w = 1.0 / np.arange(1, levels + 1) ** 1.1
            if shifted and j != 1:
                w = np.roll(w, 1)
            values = rng.choice(
                np.array([f"word-{j}-{k}" for k in range(levels)], dtype=object), n, p=w / w.sum()
            )
            values[rng.random(n) < 0.02] = None
            data[f"text_{j}"] = values
        return pd.DataFrame(data)

    return (
        frame(False),
        frame(True),
        ["t2", "cauchy", "lognormal", "pareto", "counts"],
        ["text_0", "text_1", "text_2"],
    )


@pytest.mark.parametrize("text", ["objects", "categories"])
@pytest.mark.parametrize("method", [None, "psi", "ks", "jensenshannon"])
def test_drift_heavy_tailed_text_data_matches_evidently(method, text):
    """The independent generator's shapes, with text held as Python objects (counted by distinct object)
    and as pandas categoricals (how ``keel drift`` reads Parquet text): the same methods, scores within
    1e-9 and decisions as Evidently on the object columns."""
    ref, cur, num, cat = _heavy_frames(30_000, seed=13)
    if method == "ks":
        cat = []
    mine_ref, mine_cur = ref[num + cat].copy(), cur[num + cat].copy()
    if text == "categories":
        for c in cat:
            mine_ref[c], mine_cur[c] = mine_ref[c].astype("category"), mine_cur[c].astype("category")
    ours = _scored(mine_ref, mine_cur, numerical=num, categorical=cat, method=method)
    mismatches = []
    for col in ours.columns:
        name, score, drifted = _evidently_column(ref[col.column], cur[col.column], col.kind, method, None)
        if (
            METHOD_NAMES.get(name, name) != col.method
            or not _close(col.score, score)
            or drifted != col.drifted
        ):
            mismatches.append((col.column, name, score, drifted, col.method, col.score, col.drifted))
    assert not mismatches, mismatches
    assert 0 < ours.n_drifted < ours.n_columns

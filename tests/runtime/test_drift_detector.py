"""DriftDetector: Evidently's default choice, thresholds, edge cases, profiles on disk, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlkeel.files import InputError
from runtime.drift import (
    ColumnDrift,
    DriftDetector,
    NotFittedError,
    default_method,
    detect_drift,
    load_profile,
)
from runtime.drift._detector import summarise

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(FIXTURES / "drift_reference.csv"), pd.read_csv(FIXTURES / "drift_current.csv")


@pytest.mark.parametrize(
    "kind,rows,values,expected",
    [
        ("numerical", 1000, 6, "ks"),
        ("numerical", 1000, 5, "chisquare"),
        ("numerical", 1000, 2, "z"),
        ("numerical", 1001, 6, "wasserstein"),
        ("numerical", 1001, 5, "jensenshannon"),
        ("categorical", 1000, 3, "chisquare"),
        ("categorical", 1000, 2, "z"),
        ("categorical", 1001, 50, "jensenshannon"),
    ],
)
def test_drift_default_method_follows_evidently_table(kind, rows, values, expected):
    assert default_method(kind, rows, values) == expected


def test_drift_detector_fixture_flags_shifted_and_new_category(frames):
    ref, cur = frames
    result = (
        DriftDetector(numerical=["age", "income"], categorical=["country", "segment"]).fit(ref).score(cur)
    )
    assert result.column("age").method == "ks" and result.column("age").drifted
    assert not result.column("income").drifted and result.column("income").n_current_missing == 5
    country = result.column("country")
    assert country.method == "chisquare" and country.p_value == 0.0 and country.unseen_categories == ["pt"]
    assert result.column("segment").method == "z" and not result.column("segment").drifted
    assert result.n_drifted == 2 and result.share == 0.5 and result.dataset_drift


def test_drift_detector_thresholds_override_in_evidently_order(frames):
    ref, cur = frames
    det = DriftDetector(
        method="psi",
        threshold=0.5,
        num_threshold=0.05,
        per_column_threshold={"age": 10.0},
        numerical=["age", "income"],
        categorical=["country", "segment"],
    ).fit(ref)
    result = det.score(cur)
    assert result.column("age").threshold == 10.0
    assert result.column("income").threshold == 0.05
    assert result.column("country").threshold == 0.5


def test_drift_detector_json_has_method_statistic_pvalue_threshold_drifted(frames):
    ref, cur = frames
    doc = json.loads(
        detect_drift(ref, cur, numerical=["age", "income"], categorical=["country", "segment"]).to_json()
    )
    col = doc["columns"][2]
    assert {"method", "statistic", "p_value", "threshold", "drifted"} <= set(col)
    assert col["statistic"] == "Infinity"  # chi-square with an unseen category, never NaN in JSON


@pytest.mark.parametrize("suffix", [".npz", ".json"])
def test_drift_profile_roundtrip_gives_identical_results(frames, tmp_path, suffix):
    ref, cur = frames
    det = DriftDetector(numerical=["age", "income"], categorical=["country", "segment"]).fit(ref)
    path = det.save(tmp_path / f"profile{suffix}")
    again = DriftDetector().load(path)
    assert again.score(cur) == det.score(cur)
    assert load_profile(path).numerical == ["age", "income"]


def test_drift_profile_load_rejects_foreign_file(tmp_path):
    bad = tmp_path / "p.json"
    bad.write_text("{}")
    with pytest.raises(InputError, match=r"p\.json: is not a reference profile written by mlkeel"):
        load_profile(bad)


def test_drift_detector_empty_window_is_drift_not_crash(frames):
    ref, cur = frames
    det = DriftDetector(numerical=["age", "income"], categorical=["country", "segment"]).fit(ref)
    result = det.score(cur.iloc[:0])
    assert all(c.status == "empty_current" and c.drifted and c.statistic is None for c in result.columns)
    assert result.dataset_drift


def test_drift_detector_refuses_a_reference_column_with_no_values_naming_it():
    ref = pd.DataFrame({"a": np.full(50, np.nan), "b": np.arange(50.0), "c": [np.inf, -np.inf] * 25})
    with pytest.raises(ValueError, match=r"column\(s\) \['a', 'c'\] have no usable values"):
        DriftDetector(numerical=["a", "b", "c"], categorical=[]).fit(ref)
    with pytest.raises(ValueError, match=r"column\(s\) \['a'\] have no usable values"):
        DriftDetector().fit(ref[["a", "b"]])  # inferred kinds: the empty column is not called numerical


def test_drift_detector_refuses_an_empty_reference():
    with pytest.raises(ValueError, match="reference: has no rows"):
        DriftDetector(numerical=["a"], categorical=[]).fit(pd.DataFrame({"a": np.zeros(0)}))


def test_drift_summary_with_no_tested_column_fails_closed():
    untested = ColumnDrift(
        column="a",
        kind="numerical",
        method="ks",
        statistic=None,
        score=None,
        threshold=0.05,
        drifted=False,
        status="empty_reference",
        n_reference=0,
        n_current=10,
    )
    result = summarise([untested], 0.5, 10, 10)
    assert result.n_columns == 0 and result.dataset_drift


def test_drift_detector_constant_columns_give_defined_results():
    ref = pd.DataFrame({"x": np.full(2000, 3.0), "c": ["k"] * 2000})
    same = DriftDetector(numerical=["x"], categorical=["c"]).fit(ref).score(ref)
    assert [c.statistic for c in same.columns] == [0.0, 0.0] and not same.dataset_drift
    moved = (
        DriftDetector(numerical=["x"], categorical=["c"])
        .fit(ref)
        .score(pd.DataFrame({"x": np.full(10, 4.0), "c": ["k"] * 10}))
    )
    assert moved.column("x").method == "jensenshannon" and moved.column("x").drifted


def test_drift_detector_accepts_numpy_arrays():
    rng = np.random.default_rng(1)
    ref, cur = rng.normal(size=(3000, 3)), rng.normal(size=(3000, 3))
    cur[:, 1] += 1.0
    result = DriftDetector().fit(ref).score(cur)
    assert [c.column for c in result.columns] == ["0", "1", "2"] and result.drifted_columns == ["1"]


def test_drift_detector_engines_give_identical_numbers():
    rng = np.random.default_rng(5)
    ref = pd.DataFrame({f"n{i}": rng.normal(size=20_000) for i in range(3)})
    cur = pd.DataFrame({f"n{i}": rng.normal(0.02 * i, size=15_000) for i in range(3)})
    for method in ("wasserstein", "ks", "psi", "psi_quantile"):
        a = DriftDetector(method=method, engine="numpy").fit(ref).score(cur)
        b = DriftDetector(method=method).fit(ref).score(cur)
        assert a == b, method


def test_drift_detector_score_before_fit_raises():
    with pytest.raises(NotFittedError, match="call fit"):
        DriftDetector().score(pd.DataFrame({"a": [1.0]}))


@pytest.mark.parametrize(
    "params,message",
    [
        ({"method": "kl"}, "not a drift method"),
        ({"threshold": -1}, "finite number >= 0"),
        ({"drift_share": 2}, "between 0 and 1"),
        ({"engine": "gpu"}, "engine must be"),
    ],
)
def test_drift_detector_rejects_bad_params(params, message):
    with pytest.raises(ValueError, match=message):
        DriftDetector(**params).fit(pd.DataFrame({"a": [1.0, 2.0]}))


def test_drift_detector_wrong_method_for_kind_names_column(frames):
    ref, _ = frames
    with pytest.raises(ValueError, match="column 'country' is categorical; method 'ks'"):
        DriftDetector(method="ks", numerical=["age"], categorical=["country"]).fit(ref)


def test_drift_detector_missing_current_column_is_named(frames):
    ref, cur = frames
    det = DriftDetector(numerical=["age", "income"], categorical=["country"]).fit(ref)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['age'\]"):
        det.score(cur.drop(columns=["age"]))


def test_drift_detector_text_in_numerical_column_is_named():
    det = DriftDetector(numerical=["a"], categorical=[]).fit(pd.DataFrame({"a": [1.0, 2.0, 3.0]}))
    with pytest.raises(ValueError, match="column 'a' is numerical in the reference"):
        det.score(pd.DataFrame({"a": ["x", "y"]}))


_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32), st.sampled_from([0.0, 1.0, 2.5])
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ref_num=st.lists(_values, min_size=0, max_size=40),
    cur_num=st.lists(_values, min_size=0, max_size=40),
    ref_cat=st.lists(st.sampled_from(["a", "b", "c", None]), min_size=0, max_size=40),
    cur_cat=st.lists(st.sampled_from(["a", "b", "new", None]), min_size=0, max_size=40),
    method=st.sampled_from([None, "psi", "jensenshannon", "chisquare"]),
)
def test_drift_detector_never_crashes_nor_returns_nan(ref_num, cur_num, ref_cat, cur_cat, method):
    n_ref, n_cur = min(len(ref_num), len(ref_cat)), min(len(cur_num), len(cur_cat))
    ref = pd.DataFrame(
        {"x": np.array(ref_num[:n_ref], dtype=float), "c": pd.Series(ref_cat[:n_ref], dtype=object)}
    )
    cur = pd.DataFrame(
        {"x": np.array(cur_num[:n_cur], dtype=float), "c": pd.Series(cur_cat[:n_cur], dtype=object)}
    )
    usable_x = any(np.isfinite(v) for v in ref_num[:n_ref])
    usable_c = any(v is not None for v in ref_cat[:n_ref])
    detector = DriftDetector(numerical=["x"], categorical=["c"], method=method)
    if not (usable_x and usable_c):
        with pytest.raises(ValueError, match="reference: "):
            detector.fit(ref)
        return
    result = detector.fit(ref).score(cur)
    for col in result.columns:
        assert col.status in ("ok", "empty_current", "empty_reference")
        if col.status == "ok":
            assert col.statistic is not None and not np.isnan(col.statistic), col
            assert col.score is not None and not np.isnan(col.score), col
        else:
            assert col.statistic is None
    assert not np.isnan(result.share)

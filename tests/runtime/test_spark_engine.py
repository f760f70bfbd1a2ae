"""Drift and fairness on Apache Spark (local[2]) give the in-memory numbers, verdicts and profiles.

One SparkSession for the whole module (starting one costs 7-13 s); the tests share an xdist group so
they run on one worker. Without pyspark or Java these tests fail with the reason, never skip:
``scripts/test.sh`` installs both.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from runtime.drift import METHODS, DriftDetector, load_profile
from runtime.fairness import FairnessGate, fairness_report, fairness_report_from_data

pytestmark = pytest.mark.xdist_group("spark")


@pytest.fixture(scope="module")
def spark():
    from runtime._spark import spark_session

    session = spark_session("local[2]", driver_memory="1g")
    yield session
    session.stop()


def _frame(rng: np.random.Generator, n: int, shifted: bool) -> pd.DataFrame:
    s = 0.15 if shifted else 0.0
    normal = rng.normal(s, 1.0, n)
    normal[rng.random(n) < 0.02] = np.nan
    normal[:2] = [np.inf, -np.inf] if shifted else [np.nan, np.nan]
    return pd.DataFrame(
        {
            "normal": normal,
            "tied": np.round(rng.exponential(1.0 + s, n), 1),  # ties, > 20 distinct values
            "few": rng.integers(0, 4 if shifted else 3, n).astype(np.float64),  # <= 5 values: count tests
            "count": rng.poisson(30 + 5 * s, n).astype(np.int64),  # integer bins
            "binary": rng.choice([0.0, 1.0], n, p=[0.5, 0.5] if not shifted else [0.45, 0.55]),
            "city": rng.choice(["lis", "oslo", "rome"] + (["pt"] if shifted else []), n),
            "flag": rng.choice([True, False], n),
        }
    )


NUMERICAL = ["normal", "tied", "few", "count", "binary"]
CATEGORICAL = ["city", "flag"]


@pytest.fixture(scope="module")
def windows(spark):
    rng = np.random.default_rng(20261204)
    ref, cur = _frame(rng, 3_000, False), _frame(rng, 12_000, True)  # KS past scipy's exact-method size
    return ref, cur, spark.createDataFrame(ref), spark.createDataFrame(cur)


#: Per method, the columns that exercise its branches (value bins, Sturges bins, integers, unseen values).
COLUMNS = {
    "ks": (["normal", "tied"], []),
    "wasserstein": (["normal"], []),
    "psi": (["tied", "count"], ["city"]),
    "psi_quantile": (["normal"], []),
    "jensenshannon": (["tied", "few"], ["city"]),
    "chisquare": (["few"], ["city", "flag"]),
    "z": (["binary"], ["flag"]),
}


def test_the_spark_matrix_covers_every_drift_method():
    assert set(COLUMNS) == set(METHODS)


@pytest.mark.parametrize("method", [None, *COLUMNS])
def test_every_method_scores_a_spark_window_exactly_as_in_memory(windows, method):
    ref, cur, _, cur_sdf = windows
    num, cat = COLUMNS[method] if method else (NUMERICAL, CATEGORICAL)
    det = DriftDetector(method=method, numerical=num, categorical=cat).fit(ref)
    in_memory, on_spark = det.score(cur), det.score(cur_sdf)
    assert on_spark == in_memory  # every column's method, statistic, p-value, threshold and verdict
    if method == "ks":
        col = on_spark.column("normal")  # 12,000 rows: decided by scipy's critical D, no p-value
        assert col.p_value is None and col.critical_value is not None
        finite = cur["normal"][np.isfinite(cur["normal"])]
        expected = sps.ks_2samp(ref["normal"].dropna(), finite)
        assert col.statistic == expected.statistic and col.drifted == (expected.pvalue <= col.threshold)


def test_ks_p_values_on_spark_equal_scipy_when_asked_for(windows):
    ref, cur, _, cur_sdf = windows
    det = DriftDetector(method="ks", numerical=["tied"], categorical=[], p_values=True).fit(ref)
    col = det.score(cur_sdf).column("tied")
    assert col.p_value == sps.ks_2samp(ref["tied"], cur["tied"]).pvalue


def test_a_profile_fitted_on_spark_is_the_in_memory_profile_and_scores_both_ways(windows, tmp_path: Path):
    ref, cur, ref_sdf, cur_sdf = windows
    spark_fit = DriftDetector(numerical=NUMERICAL, categorical=CATEGORICAL).fit(ref_sdf)
    pandas_fit = DriftDetector(numerical=NUMERICAL, categorical=CATEGORICAL).fit(ref)
    spark_fit.save(tmp_path / "spark.json")
    pandas_fit.save(tmp_path / "pandas.json")
    spark_doc = json.loads((tmp_path / "spark.json").read_text())
    pandas_doc = json.loads((tmp_path / "pandas.json").read_text())
    for doc in (spark_doc, pandas_doc):  # categories are stored in first-seen order in memory
        for col in doc["meta"]["columns"]:
            col.pop("values", None), col.pop("value_types", None)
        doc["arrays"] = {k: v for k, v in doc["arrays"].items() if not k.endswith("_counts")}
    assert spark_doc == pandas_doc
    loaded = DriftDetector().load(tmp_path / "spark.json")
    assert loaded.score(cur) == pandas_fit.score(cur)  # Spark-fitted profile, pandas window
    assert pandas_fit.score(cur_sdf) == spark_fit.score(cur)  # pandas-fitted profile, Spark window
    assert load_profile(tmp_path / "spark.json").columns["city"].n_rows == ref["city"].size


def test_a_parquet_path_is_read_like_the_frame(windows, tmp_path: Path):
    ref, cur, _, _ = windows
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    det = DriftDetector(numerical=NUMERICAL, categorical=CATEGORICAL)
    assert det.fit(tmp_path / "ref.parquet").score(str(tmp_path / "cur.parquet")) == det.fit(ref).score(cur)


def test_a_spark_window_missing_a_column_or_holding_text_is_refused(windows, spark):
    ref, _, _, cur_sdf = windows
    det = DriftDetector(numerical=NUMERICAL, categorical=CATEGORICAL).fit(ref)
    with pytest.raises(ValueError, match="lacks column"):
        det.score(cur_sdf.drop("tied"))
    text = cur_sdf.withColumn("normal", cur_sdf["city"])
    with pytest.raises(ValueError, match="'normal' is numerical in the reference but holds string"):
        det.score(text)


def _scored(rng: np.random.Generator, n: int) -> pd.DataFrame:
    group = rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.2, 0.1])
    region = rng.choice(["north", "south"], n)
    y_true = rng.integers(0, 2, n)
    bias = np.where(group == "d", 0.25, 0.0)
    y_pred = (rng.random(n) < 0.4 + bias + 0.2 * y_true).astype(np.int64)
    return pd.DataFrame({"group": group, "region": region, "label": y_true, "pred": y_pred})


@pytest.mark.parametrize("sensitive", [["group"], ["group", "region"]])
def test_fairness_on_spark_equals_in_memory_report_and_gate(spark, sensitive):
    frame = _scored(np.random.default_rng(5), 5_000)
    expected = fairness_report(
        frame["label"], frame["pred"], frame[sensitive] if len(sensitive) > 1 else frame[sensitive[0]]
    )
    got = fairness_report_from_data(
        spark.createDataFrame(frame), label="label", prediction="pred", sensitive=sensitive
    )
    assert got == expected
    for method in ("between_groups", "to_overall"):
        gate = FairnessGate(
            method=method, max_demographic_parity_difference=0.1, min_equalized_odds_ratio=0.5
        )
        assert gate.judge(got) == gate.judge(expected)
        assert not gate.judge(got).passed


def test_fairness_on_spark_names_a_missing_column(spark):
    sdf = spark.createDataFrame(_scored(np.random.default_rng(6), 100))
    with pytest.raises(ValueError, match=r"\['sex'\] not found"):
        fairness_report_from_data(sdf, label="label", prediction="pred", sensitive="sex")


def _keel(args: list[str]):
    from typer.testing import CliRunner

    from stacks.cli import _register_all, app

    _register_all()
    return CliRunner().invoke(app, args)


def test_keel_drift_engine_spark_writes_the_in_memory_report(windows, tmp_path: Path):
    ref, cur, _, _ = windows  # the module's session is active, so the command reuses it
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    common = ["drift", "--reference", str(tmp_path / "ref.parquet"), "--format", "json"]
    common += [arg for c in NUMERICAL for arg in ("--numerical", c)]
    common += [arg for c in CATEGORICAL for arg in ("--categorical", c)]
    cur_args = ["--current", str(tmp_path / "cur.parquet")]
    memory = _keel([*common, *cur_args, "--output", str(tmp_path / "memory.json")])
    on_spark = ["--engine", "spark", "--spark-master", "local[2]"]
    spark = _keel([*common, *cur_args, *on_spark, "--output", str(tmp_path / "s.json")])
    assert memory.exit_code == spark.exit_code == 0, (memory.output, spark.output)
    assert (tmp_path / "s.json").read_text() == (tmp_path / "memory.json").read_text()
    missing = _keel([*common, *on_spark, "--current", str(tmp_path / "nope.parquet")])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_keel_fairness_engine_spark_gives_the_in_memory_verdict(spark, tmp_path: Path):
    _scored(np.random.default_rng(8), 3_000).to_parquet(tmp_path / "scored.parquet")
    args = [
        "fairness",
        "--data",
        str(tmp_path / "scored.parquet"),
        "--label",
        "label",
        "--prediction",
        "pred",
    ]
    args += ["--sensitive", "group", "--gate-max-dpd", "0.1", "--format", "json"]
    memory, on_spark = _keel(args), _keel([*args, "--engine", "spark"])
    assert memory.exit_code == on_spark.exit_code == 1  # group d is favoured: the gate fails
    assert on_spark.stdout == memory.stdout

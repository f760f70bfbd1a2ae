"""Fairness metrics equal fairlearn 0.15's (bit for bit on unweighted data, 1e-12 relative weighted)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

fairlearn_metrics = pytest.importorskip("fairlearn.metrics")

from sklearn.metrics import accuracy_score  # noqa: E402

import runtime.fairness as ours  # noqa: E402

pytestmark = pytest.mark.peers

FUNCS = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
]


def _data(n: int, groups: int, seed: int, labels=(0, 1)):
    rng = np.random.default_rng(seed)
    g = rng.integers(0, groups, n)
    y = np.where(rng.random(n) < 0.3 + 0.04 * g, labels[1], labels[0])
    flip = rng.random(n) < 0.15 + 0.02 * g
    yhat = np.where(flip, np.where(y == labels[1], labels[0], labels[1]), y)
    return y, yhat, pd.Series([f"g{k}" for k in g], name="group"), rng.integers(0, 3, n)


def _same(a: float, b: float, rel: float = 0.0) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b if rel == 0 else math.isclose(a, b, rel_tol=rel)


@pytest.mark.parametrize("func", FUNCS)
@pytest.mark.parametrize("method", ["between_groups", "to_overall"])
def test_fairness_metric_equals_fairlearn(func, method):
    y, yhat, g, _ = _data(50_000, 10, seed=1)
    theirs = getattr(fairlearn_metrics, func)(y, yhat, sensitive_features=g, method=method)
    mine = getattr(ours, func)(y, yhat, sensitive_features=g, method=method)
    assert _same(mine, float(theirs)), (mine, theirs)


@pytest.mark.parametrize("agg", ["worst_case", "mean"])
def test_fairness_equalized_odds_agg_equals_fairlearn(agg):
    y, yhat, g, _ = _data(20_000, 5, seed=2)
    for func in ("equalized_odds_difference", "equalized_odds_ratio"):
        theirs = getattr(fairlearn_metrics, func)(y, yhat, sensitive_features=g, agg=agg)
        assert _same(getattr(ours, func)(y, yhat, sensitive_features=g, agg=agg), float(theirs))


def test_fairness_multiple_sensitive_features_equal_fairlearn():
    y, yhat, g, other = _data(30_000, 4, seed=3)
    sf = pd.DataFrame({"group": g, "region": np.array(["north", "south", "east"])[other]})
    for func in FUNCS:
        theirs = getattr(fairlearn_metrics, func)(y, yhat, sensitive_features=sf)
        assert _same(getattr(ours, func)(y, yhat, sensitive_features=sf), float(theirs)), func


def test_fairness_by_group_table_equals_metricframe():
    y, yhat, g, _ = _data(40_000, 10, seed=4)
    mf = fairlearn_metrics.MetricFrame(
        metrics={
            "selection_rate": fairlearn_metrics.selection_rate,
            "true_positive_rate": fairlearn_metrics.true_positive_rate,
            "false_positive_rate": fairlearn_metrics.false_positive_rate,
            "accuracy": accuracy_score,
        },
        y_true=y,
        y_pred=yhat,
        sensitive_features=g,
    )
    report = ours.fairness_report(y, yhat, g)
    table = report.frame()
    for group, row in mf.by_group.iterrows():
        for metric in mf.by_group.columns:
            assert table.loc[group, metric] == row[metric], (group, metric)
    for metric in mf.overall.index:
        assert getattr(report.overall, metric) == mf.overall[metric]


def test_fairness_zero_denominators_like_fairlearn():
    # group b has no positives (TPR 0, not NaN) and nobody selected: ratios hit 0/x and x/0
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0])
    yhat = np.array([1, 0, 0, 1, 0, 0, 0, 0])
    g = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])
    for func in FUNCS:
        for method in ("between_groups", "to_overall"):
            theirs = float(getattr(fairlearn_metrics, func)(y, yhat, sensitive_features=g, method=method))
            assert _same(getattr(ours, func)(y, yhat, sensitive_features=g, method=method), theirs), (
                func,
                method,
            )


def test_fairness_minus_one_one_labels_and_weights_like_fairlearn():
    y, yhat, g, w = _data(10_000, 3, seed=5, labels=(-1, 1))
    weights = (w + 1).astype(float)
    for func in FUNCS:
        theirs = float(getattr(fairlearn_metrics, func)(y, yhat, sensitive_features=g, sample_weight=weights))
        assert _same(
            getattr(ours, func)(y, yhat, sensitive_features=g, sample_weight=weights), theirs, rel=1e-12
        ), func

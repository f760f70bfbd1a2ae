"""Fairness metrics on hand-checkable data, the gate, several sensitive features and bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runtime.fairness import (
    FairnessGate,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
    equalized_odds_ratio,
    evaluate_gate,
    fairness_report,
)

FIXTURES = Path(__file__).parent / "fixtures"

# group a: 4 rows, y = 1 1 0 0, y_hat = 1 0 1 0 -> selection 0.5, TPR 0.5, FPR 0.5, accuracy 0.5
# group b: 4 rows, y = 1 1 0 0, y_hat = 1 1 0 0 -> selection 0.5, TPR 1.0, FPR 0.0, accuracy 1.0
Y = np.array([1, 1, 0, 0, 1, 1, 0, 0])
YHAT = np.array([1, 0, 1, 0, 1, 1, 0, 0])
G = np.array(["a"] * 4 + ["b"] * 4)


def test_fairness_rates_and_metrics_by_hand():
    report = fairness_report(Y, YHAT, G)
    a, b = report.by_group
    assert (a.selection_rate, a.true_positive_rate, a.false_positive_rate, a.accuracy) == (0.5, 0.5, 0.5, 0.5)
    assert (b.selection_rate, b.true_positive_rate, b.false_positive_rate, b.accuracy) == (0.5, 1.0, 0.0, 1.0)
    assert report.metrics["demographic_parity_difference"] == 0.0
    assert report.metrics["equalized_odds_difference"] == 0.5  # max(TPR diff 0.5, FPR diff 0.5)
    assert report.metrics["equalized_odds_ratio"] == 0.0  # min(TPR 0.5/1, FPR 0/0.5)
    assert report.metrics["equal_opportunity_difference_to_overall"] == 0.25  # overall TPR 0.75


def test_fairness_functions_match_report():
    report = fairness_report(Y, YHAT, G)
    assert (
        demographic_parity_ratio(Y, YHAT, sensitive_features=G) == report.metrics["demographic_parity_ratio"]
    )
    assert (
        equalized_odds_difference(Y, YHAT, sensitive_features=G, method="to_overall")
        == report.metrics["equalized_odds_difference_to_overall"]
    )
    assert equalized_odds_ratio(Y, YHAT, sensitive_features=G, agg="mean") == pytest.approx(0.25)
    assert equal_opportunity_difference(Y, YHAT, sensitive_features=G) == 0.5


def test_fairness_group_without_positives_has_tpr_zero_not_nan():
    y = np.array([0, 0, 1, 1])
    yhat = np.array([0, 1, 1, 0])
    report = fairness_report(y, yhat, ["a", "a", "b", "b"])
    assert report.by_group[0].true_positive_rate == 0.0


def test_fairness_zero_over_zero_ratio_is_nan_with_a_note():
    y = np.array([0, 1, 0, 1])
    yhat = np.zeros(4, dtype=int)
    report = fairness_report(y, yhat, ["a", "a", "b", "b"])
    assert math.isnan(report.metrics["demographic_parity_ratio"])
    assert any("demographic_parity_ratio is undefined" in n for n in report.notes)
    assert '"demographic_parity_ratio":null' in report.to_json(indent=None)


def test_fairness_several_sensitive_features_form_intersections():
    frame = pd.read_csv(FIXTURES / "fairness_scored.csv")
    report = fairness_report(frame["y"], frame["y_hat"], frame[["group", "region"]])
    groups = {tuple(g.group) for g in report.by_group}
    assert groups == set(map(tuple, frame[["group", "region"]].drop_duplicates().to_numpy().tolist()))
    assert sum(g.count for g in report.by_group) == len(frame)


def test_fairness_gate_fails_with_reasons_on_fixture():
    frame = pd.read_csv(FIXTURES / "fairness_scored.csv")
    verdict = FairnessGate(max_equalized_odds_difference=0.1, min_demographic_parity_ratio=0.5).evaluate(
        frame["y"], frame["y_hat"], frame["group"]
    )
    assert not verdict.passed
    assert len(verdict.reasons) == 1 and verdict.reasons[0].startswith("equalized_odds_difference = ")
    assert "above the limit 0.1" in verdict.reasons[0]


def test_fairness_gate_passes_within_limits():
    verdict = evaluate_gate(Y, YHAT, G, max_demographic_parity_difference=0.1)
    assert verdict.passed and verdict.reasons == []


def test_fairness_gate_undefined_metric_fails():
    verdict = FairnessGate(min_demographic_parity_ratio=0.8).evaluate(
        [0, 1, 0, 1], [0, 0, 0, 0], ["a", "a", "b", "b"]
    )
    assert not verdict.passed and "undefined" in verdict.reasons[0]


@pytest.mark.parametrize(
    "params,message",
    [
        ({}, "at least one limit"),
        ({"max_demographic_parity_difference": 2}, "between 0 and 1"),
        ({"max_demographic_parity_difference": 0.1, "method": "x"}, "method must be"),
    ],
)
def test_fairness_gate_rejects_bad_limits(params, message):
    with pytest.raises(ValueError, match=message):
        FairnessGate(**params)


def test_fairness_non_binary_labels_need_pos_label():
    with pytest.raises(ValueError, match="pass pos_label"):
        fairness_report(["yes", "no"], ["yes", "yes"], ["a", "b"])
    report = fairness_report(np.array(["yes", "no"]), np.array(["yes", "yes"]), ["a", "b"], pos_label="yes")
    assert report.overall.selection_rate == 1.0


def test_fairness_missing_sensitive_value_is_rejected():
    with pytest.raises(ValueError, match="has missing values"):
        fairness_report([0, 1], [0, 1], pd.Series(["a", None], name="group"))


def test_fairness_weights_scale_rates():
    report = fairness_report([1, 0], [1, 1], ["a", "a"], sample_weight=[3.0, 1.0])
    assert report.overall.accuracy == 0.75

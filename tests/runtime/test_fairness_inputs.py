"""``keel fairness`` and ``fairness_report`` on input they cannot judge (issue 11).

The rule: a gate must never pass on input it could not judge. Weights that are NaN, infinite, negative
or all zero, empty data, and labels or predictions that are not binary are refused with the column
named (and the row, for a bad cell); label problems and prediction problems are reported separately.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.fairness import FairnessGate, fairness_report
from tests.runtime.test_drift_inputs import run

FIXTURES = Path(__file__).parent / "fixtures"
SCORED = FIXTURES / "fairness_scored.csv"
COLUMNS = ["--label", "y", "--prediction", "y_hat", "--sensitive", "group"]


def _scored_with_weights(folder: Path, weights: list[object]) -> Path:
    frame = pd.read_csv(SCORED).head(len(weights)).copy()
    frame["w"] = weights
    path = folder / "scored.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "bad,shown",
    [(float("nan"), "nan"), (float("inf"), "inf"), (-1.0, "-1.0"), ("heavy", "'heavy'")],
)
def test_fairness_cli_refuses_a_bad_weight_naming_column_and_row(
    tmp_path: Path, bad: object, shown: str
) -> None:
    weights: list[object] = [1.0] * 8
    weights[5] = bad
    data = _scored_with_weights(tmp_path, weights)
    code, out, err = run(["fairness", "--data", str(data), *COLUMNS, "--weight", "w", "--gate-max-dpd", "1"])
    assert code == 2 and out == ""
    assert (
        f"weight column 'w': row 6 holds {shown}" in err and "weights must be finite numbers >= 0" in err
    ), err


def test_fairness_cli_refuses_all_zero_weights(tmp_path: Path) -> None:
    data = _scored_with_weights(tmp_path, [0.0] * 8)
    code, _, err = run(["fairness", "--data", str(data), *COLUMNS, "--weight", "w", "--gate-max-dpd", "1"])
    assert code == 2 and "weight column 'w': every weight is 0" in err


def test_fairness_cli_refuses_empty_data(tmp_path: Path) -> None:
    data = tmp_path / "empty.csv"
    data.write_text("y,y_hat,group\n")
    code, _, err = run(["fairness", "--data", str(data), *COLUMNS, "--gate-max-dpd", "1"])
    assert code == 2 and f"--data {data}: has no rows" in err and "zero-size" not in err


def test_fairness_report_refuses_empty_arrays() -> None:
    with pytest.raises(ValueError, match="no rows"):
        fairness_report(np.array([], dtype=int), np.array([], dtype=int), np.array([], dtype=object))


@pytest.mark.parametrize(
    "y,y_hat,message",
    [
        ([0, 1, 2, 1], [0, 1, 1, 0], "label column 'y' holds {0, 1, 2}"),
        ([0, 1, 1, 0], ["no", "yes", "yes", "no"], "prediction column 'y_hat' holds {'no', 'yes'}"),
        (
            [0, 1, 1, 0],
            [-1, 1, 1, -1],
            "label column 'y' holds {0, 1} but prediction column 'y_hat' holds {-1, 1}",
        ),
        ([0.0, 1.0, None, 0.0], [0, 1, 1, 0], "label column 'y' has missing values"),
    ],
)
def test_fairness_label_and_prediction_problems_are_reported_separately(y, y_hat, message: str) -> None:
    frame = pd.DataFrame({"y": y, "y_hat": y_hat, "g": ["a", "b", "a", "b"]})
    with pytest.raises(ValueError) as info:
        fairness_report(frame["y"], frame["y_hat"], frame["g"])
    text = str(info.value)
    assert message in text
    other = "prediction column" if message.startswith("label column 'y' holds {0, 1, 2}") else None
    if other:
        assert other not in text  # a label problem does not quote the predictions


def test_fairness_cli_failed_gate_with_output_says_why_on_stderr(tmp_path: Path) -> None:
    report = tmp_path / "fairness.json"
    code, out, err = run(
        [
            "fairness",
            "--data",
            str(SCORED),
            *COLUMNS,
            "--gate-max-eod",
            "0.1",
            "--format",
            "json",
            "--output",
            str(report),
        ]
    )
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"keel: fairness gate failed for {SCORED}: equalized_odds_difference"
    )
    assert lines[0].endswith(f"report in {report}") and report.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    weights=st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 1.0, 2.0])),
        min_size=1,
        max_size=30,
    ),
    data=st.data(),
)
def test_fairness_gate_never_passes_on_weights_it_cannot_judge(
    weights: list[float], data: st.DataObject
) -> None:
    n = len(weights)
    y = data.draw(st.lists(st.sampled_from([0, 1]), min_size=n, max_size=n))
    y_hat = data.draw(st.lists(st.sampled_from([0, 1]), min_size=n, max_size=n))
    groups = data.draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n))
    gate = FairnessGate(max_demographic_parity_difference=1.0, min_demographic_parity_ratio=0.0)
    judgeable = all(math.isfinite(w) and w >= 0 for w in weights) and sum(weights) > 0
    if not judgeable:
        with pytest.raises(ValueError, match="sample_weight"):
            gate.evaluate(y, y_hat, groups, sample_weight=weights)
        return
    verdict = gate.evaluate(y, y_hat, groups, sample_weight=weights)
    for group in [*verdict.report.by_group, verdict.report.overall]:
        for rate in (
            group.selection_rate,
            group.true_positive_rate,
            group.false_positive_rate,
            group.accuracy,
        ):
            assert math.isnan(rate) or 0.0 <= rate <= 1.0 + 1e-12
    if any(math.isnan(v) for v in verdict.checked.values()):
        assert not verdict.passed  # a group whose weights sum to 0 has no rate: undefined fails the gate

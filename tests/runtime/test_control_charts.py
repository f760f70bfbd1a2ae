"""Control charts: formulas against plain loops, alarms on shifted streams, engines and errors."""

from __future__ import annotations

import numpy as np
import pytest

import runtime.drift
import runtime.scheduling
from runtime._errors import NotFittedError as TheOne
from runtime.control_charts import (
    CusumChart,
    EwmaChart,
    NotFittedError,
    ShewhartChart,
    cusum_chart,
    ewma_chart,
    shewhart_chart,
)


def _stream(seed: int = 1, shift_at: int = 200, shift: float = 1.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, 400)
    x[shift_at:] += shift
    return x


def test_control_charts_ewma_equals_recursion_and_limits():
    x = _stream()
    result = ewma_chart(x, center=0.0, sigma=1.0, lam=0.2, L=3.0)
    z, expected = 0.0, []
    for v in x:
        z = 0.2 * v + 0.8 * z
        expected.append(z)
    np.testing.assert_allclose(result.statistic, expected, rtol=1e-12, atol=1e-12)
    t = np.arange(1, x.size + 1)
    np.testing.assert_allclose(result.upper, 3 * np.sqrt(0.2 / 1.8 * (1 - 0.8 ** (2 * t))))


def test_control_charts_cusum_detects_small_shift_after_it_happens():
    result = cusum_chart(_stream(shift=1.0), center=0.0, sigma=1.0, k=0.5, h=5.0)
    assert result.first_alarm is not None and 200 <= result.first_alarm < 230


def test_control_charts_cusum_compiled_and_python_identical():
    x = _stream(5)
    chart = CusumChart(center=0.0, sigma=1.0)
    assert chart.score(x) == chart.score(x, engine="numpy")


def test_control_charts_cusum_lower_side_alarms_on_drop():
    result = cusum_chart(_stream(shift=-1.5), center=0.0, sigma=1.0)
    assert result.first_alarm is not None and result.first_alarm >= 200 and min(result.lower) < -5


def test_control_charts_shewhart_flags_spike_and_run_rules():
    x = np.zeros(30)
    x[5] = 4.0
    assert shewhart_chart(x, center=0.0, sigma=1.0).alarms == [5]
    x = np.zeros(30)
    x[10:18] = 0.5  # eight in a row above the centre: rule 4 at the eighth point
    assert shewhart_chart(x, center=0.0, sigma=1.0, run_rules=True).alarms == [17]


def test_control_charts_fit_estimates_from_baseline():
    x = _stream()
    chart = ShewhartChart().fit(x[:200])
    assert abs(chart.center_) < 0.2 and 0.8 < chart.sigma_ < 1.2
    assert EwmaChart().fit(x[:200]).score(x).first_alarm >= 200


def test_control_charts_unfitted_and_bad_input():
    with pytest.raises(NotFittedError):
        EwmaChart().score([1.0, 2.0])
    with pytest.raises(ValueError, match="position 1 is nan"):
        ewma_chart([1.0, float("nan")], center=0.0, sigma=1.0)
    with pytest.raises(ValueError, match="lam="):
        EwmaChart(lam=0.0)
    with pytest.raises(ValueError, match="constant"):
        CusumChart().fit([1.0, 1.0, 1.0])


@pytest.mark.parametrize(
    "use_before_fit",
    [
        lambda: EwmaChart().score([1.0, 2.0]),
        lambda: CusumChart().score([1.0, 2.0]),
        lambda: ShewhartChart().score([1.0, 2.0]),
        lambda: runtime.drift.DriftDetector().score({"a": [1.0]}),
        lambda: runtime.scheduling.SpotScheduler().place(None),
    ],
    ids=["ewma", "cusum", "shewhart", "drift", "scheduler"],
)
def test_every_runtime_estimator_used_before_fit_raises_the_one_not_fitted_error(use_before_fit):
    """One class, caught alike by code written for ValueError, AttributeError or the old names."""

    assert NotFittedError is runtime.drift.NotFittedError is runtime.scheduling.NotFittedError is TheOne
    for caught in (TheOne, ValueError, AttributeError):
        with pytest.raises(caught):
            use_before_fit()

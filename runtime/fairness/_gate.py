"""A deployment gate on fairness metrics: pass/fail with the reasons, for promotion and rollback.

Why a gate object: the same limits must be applied by the CI job that promotes a model, the canary
check that rolls it back and ``keel fairness --gate-...``; constructing the gate validates the limits
once, ``evaluate`` returns a typed verdict whose reasons name the metric, its value and the limit.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict

from runtime.fairness._metrics import FairnessReport, fairness_report

__all__ = ["GATE_LIMITS", "FairnessGate", "GateResult", "evaluate_gate"]

#: Gate parameter -> (metric name, kind of limit). ``max`` limits fail when the value is above them,
#: ``min`` limits when it is below.
GATE_LIMITS: dict[str, tuple[str, str]] = {
    "max_demographic_parity_difference": ("demographic_parity_difference", "max"),
    "min_demographic_parity_ratio": ("demographic_parity_ratio", "min"),
    "max_equalized_odds_difference": ("equalized_odds_difference", "max"),
    "min_equalized_odds_ratio": ("equalized_odds_ratio", "min"),
    "max_equal_opportunity_difference": ("equal_opportunity_difference", "max"),
    "min_equal_opportunity_ratio": ("equal_opportunity_ratio", "min"),
}


class GateResult(BaseModel):
    """The verdict: ``passed``, one reason per failed limit, and the report it was judged on."""

    model_config = ConfigDict(frozen=True)

    passed: bool
    reasons: list[str]
    checked: dict[str, float]
    report: FairnessReport


class FairnessGate:
    """Fail a model whose fairness metrics break any configured limit.

    Parameters: any of :data:`GATE_LIMITS` (None = not checked), plus ``method`` ("between_groups" or
    "to_overall") for the differences and ratios. An undefined metric (0/0) fails the gate: a limit
    that cannot be evaluated is not a pass.

    See Also: evaluate_gate (function twin), runtime.fairness.fairness_report.
    """

    def __init__(
        self,
        *,
        max_demographic_parity_difference: float | None = None,
        min_demographic_parity_ratio: float | None = None,
        max_equalized_odds_difference: float | None = None,
        min_equalized_odds_ratio: float | None = None,
        max_equal_opportunity_difference: float | None = None,
        min_equal_opportunity_ratio: float | None = None,
        method: str = "between_groups",
    ) -> None:
        self.max_demographic_parity_difference = max_demographic_parity_difference
        self.min_demographic_parity_ratio = min_demographic_parity_ratio
        self.max_equalized_odds_difference = max_equalized_odds_difference
        self.min_equalized_odds_ratio = min_equalized_odds_ratio
        self.max_equal_opportunity_difference = max_equal_opportunity_difference
        self.min_equal_opportunity_ratio = min_equal_opportunity_ratio
        self.method = method
        self._validate()

    def _validate(self) -> None:
        if self.method not in ("between_groups", "to_overall"):
            raise ValueError(f"method must be 'between_groups' or 'to_overall', got {self.method!r}")
        for param in GATE_LIMITS:
            value = getattr(self, param)
            if value is not None and not (isinstance(value, (int, float)) and 0 <= value <= 1):
                raise ValueError(f"{param}={value!r}: fairness limits are rates between 0 and 1")
        if all(getattr(self, p) is None for p in GATE_LIMITS):
            raise ValueError(f"a FairnessGate needs at least one limit; choose from {list(GATE_LIMITS)}")

    def limits(self) -> dict[str, float]:
        """The configured limits, by parameter name."""
        return {p: float(getattr(self, p)) for p in GATE_LIMITS if getattr(self, p) is not None}

    def judge(self, report: FairnessReport) -> GateResult:
        """Apply the limits to an existing report."""
        suffix = "" if self.method == "between_groups" else "_to_overall"
        reasons: list[str] = []
        checked: dict[str, float] = {}
        for param, limit in self.limits().items():
            metric, kind = GATE_LIMITS[param]
            value = report.metrics[metric + suffix]
            checked[metric + suffix] = value
            if math.isnan(value):
                reasons.append(
                    f"{metric}{suffix} is undefined (0/0) so the limit {kind} {limit} cannot be met"
                )
            elif kind == "max" and value > limit:
                reasons.append(f"{metric}{suffix} = {value:.4f} is above the limit {limit}")
            elif kind == "min" and value < limit:
                reasons.append(f"{metric}{suffix} = {value:.4f} is below the limit {limit}")
        return GateResult(passed=not reasons, reasons=reasons, checked=checked, report=report)

    def evaluate(
        self,
        y_true: Any,
        y_pred: Any,
        sensitive_features: Any,
        *,
        sample_weight: Any = None,
        pos_label: Any = None,
    ) -> GateResult:
        """Compute the report and judge it."""
        return self.judge(
            fairness_report(
                y_true, y_pred, sensitive_features, sample_weight=sample_weight, pos_label=pos_label
            )
        )


def evaluate_gate(y_true: Any, y_pred: Any, sensitive_features: Any, **limits: Any) -> GateResult:
    """Function twin of :class:`FairnessGate`: ``FairnessGate(**limits).evaluate(...)``."""
    return FairnessGate(**limits).evaluate(y_true, y_pred, sensitive_features)

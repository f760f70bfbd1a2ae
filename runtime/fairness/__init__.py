"""Group fairness metrics with fairlearn's definitions, and a deployment gate.

``fairness_report(y_true, y_pred, sensitive)`` gives per-group rates and every disparity metric from
one pass; ``FairnessGate(max_demographic_parity_difference=0.1).evaluate(...)`` gives pass/fail with
reasons. ``fairness_report_from_data(df, label=..., prediction=..., sensitive=...)`` takes a pandas or
Spark DataFrame or a parquet path (Spark groups on the cluster, same numbers). See ``docs/runtime.md``.
"""

from runtime.fairness._gate import GATE_LIMITS, FairnessGate, GateResult, evaluate_gate
from runtime.fairness._metrics import (
    FairnessReport,
    GroupMetrics,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    fairness_report,
    group_confusion,
)
from runtime.fairness._spark import fairness_report_from_data

__all__ = [
    "GATE_LIMITS",
    "FairnessGate",
    "FairnessReport",
    "GateResult",
    "GroupMetrics",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "evaluate_gate",
    "fairness_report",
    "fairness_report_from_data",
    "group_confusion",
]

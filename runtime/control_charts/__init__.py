"""Control charts (EWMA, CUSUM, Shewhart) over model metric streams, returning the alarm points.

``CusumChart(k=0.5, h=5).fit(baseline_accuracy).score(todays_accuracy).alarms``. See ``docs/runtime.md``.
"""

from runtime.control_charts._charts import (
    ChartResult,
    CusumChart,
    EwmaChart,
    NotFittedError,
    ShewhartChart,
    cusum_chart,
    ewma_chart,
    shewhart_chart,
)

__all__ = [
    "ChartResult",
    "CusumChart",
    "EwmaChart",
    "NotFittedError",
    "ShewhartChart",
    "cusum_chart",
    "ewma_chart",
    "shewhart_chart",
]

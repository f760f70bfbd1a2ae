"""Fairness from grouped counts, so the pass over a full evaluation set can run on Apache Spark.

Why counts: every metric here is a rate of a per-group confusion table, and a table is a sum. The
cluster groups the rows by (sensitive features, label, prediction) and returns one row per
combination; those rows, with their counts as weights, go through the very function the in-memory
report uses. Integer counts added as float64 are exact up to 2**53 rows, so the report, the metrics
and the gate verdict are identical to an in-memory run; with a weight column the per-cell weight sums
are added on the cluster in its own order (equal to rounding).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from runtime._spark import is_spark_frame
from runtime.fairness._metrics import FairnessReport, fairness_report

__all__ = ["fairness_report_from_data", "grouped_counts"]

_WEIGHT = "__mlkeel_rows"


def grouped_counts(
    sdf: Any, *, label: str, prediction: str, sensitive: list[str], weight: str | None = None
) -> pd.DataFrame:
    """One row per (sensitive..., label, prediction) that occurs, with its row count (or weight sum)."""
    from pyspark.sql import functions as F

    keys = [*sensitive, label, prediction]
    missing = [c for c in [*keys, *([weight] if weight else [])] if c not in sdf.columns]
    if missing:
        raise ValueError(f"column(s) {missing} not found; columns: {list(sdf.columns)}")
    cols = [F.col(f"`{c}`") for c in dict.fromkeys(keys)]
    total = F.sum(F.col(f"`{weight}`").cast("double")) if weight else F.count(F.lit(1))
    return sdf.groupBy(*cols).agg(total.alias(_WEIGHT)).toPandas()


def fairness_report_from_data(
    data: Any,
    *,
    label: str,
    prediction: str,
    sensitive: str | list[str],
    weight: str | None = None,
    pos_label: Any = None,
) -> FairnessReport:
    """:func:`runtime.fairness.fairness_report` of a table given by column names: a pandas DataFrame,
    a parquet path or a Spark DataFrame (grouped on the cluster; the same numbers)."""
    names = [sensitive] if isinstance(sensitive, str) else list(sensitive)
    if not names:
        raise ValueError("give at least one sensitive feature column")
    if is_spark_frame(data):
        table = grouped_counts(data, label=label, prediction=prediction, sensitive=names, weight=weight)
        if len(table) == 0:
            raise ValueError("no rows: fairness cannot be judged on empty data")
        frame, weights = table, table[_WEIGHT]
    else:
        frame = pd.read_parquet(data) if isinstance(data, (str, Path)) else data
        missing = [c for c in [*names, label, prediction, *([weight] if weight else [])] if c not in frame]
        if missing:
            raise ValueError(f"column(s) {missing} not found; columns: {list(frame.columns)}")
        weights = frame[weight] if weight else None
    groups = frame[names] if len(names) > 1 else frame[names[0]]
    return fairness_report(
        frame[label], frame[prediction], groups, sample_weight=weights, pos_label=pos_label
    )

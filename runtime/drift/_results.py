"""Typed drift results that serialise to JSON.

Why pydantic: the same objects feed the terminal table, ``--format json``, the HTML report, Prometheus
and CloudWatch, so one schema (``DatasetDrift.model_json_schema()``) describes all of them. Infinite
statistics (chi-square with an unseen category) are written as the strings ``"Infinity"``, never NaN.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ColumnDrift", "DatasetDrift"]

#: What happened to a column: ``ok`` (tested), ``empty_current`` (no finite/non-missing values in the
#: window: counted as drifted, a feature that stops arriving is the loudest drift there is) or
#: ``empty_reference`` (nothing to compare with: reported, never drifted, left out of the share).
ColumnStatus = Literal["ok", "empty_current", "empty_reference"]


class ColumnDrift(BaseModel):
    """One column's test: which method ran, its statistic, the value compared with the threshold,
    the verdict."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")

    column: str
    kind: Literal["numerical", "categorical"]
    method: str = Field(description="ks, wasserstein, psi, psi_quantile, jensenshannon, chisquare or z")
    statistic: float | None = Field(
        description="KS D, normed W1, PSI, JS distance, chi-square or z statistic"
    )
    p_value: float | None = Field(
        default=None,
        description="for ks, chisquare and z; None for distances, and for a KS test on large samples "
        "decided by its critical value (ask with DriftDetector(p_values=True))",
    )
    critical_value: float | None = Field(
        default=None,
        description="KS on large samples: scipy's critical D for the threshold; drift when D exceeds it",
    )
    score: float | None = Field(
        description="what is compared with the threshold: the p-value for tests, else the statistic "
        "(for a KS test decided by its critical value, D)"
    )
    threshold: float
    drifted: bool
    status: ColumnStatus = "ok"
    n_reference: int
    n_current: int
    n_current_missing: int = 0
    unseen_categories: list[str] = Field(default_factory=list)
    exact: bool = Field(default=True, description="False when a streaming approximation was used")

    @property
    def comparison(self) -> str:
        """How ``score`` is compared with ``threshold`` for this method (Evidently's rule)."""
        if self.method == "ks" and self.p_value is None and self.critical_value is not None:
            return "D >= critical D"
        return {"ks": "p <= threshold", "chisquare": "p < threshold", "z": "p < threshold"}.get(
            self.method, "score >= threshold"
        )


class DatasetDrift(BaseModel):
    """Every column's result plus the dataset verdict: drift when ``share >= drift_share``."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")

    columns: list[ColumnDrift]
    n_columns: int = Field(description="columns counted in the share (empty_reference columns are not)")
    n_drifted: int
    share: float
    drift_share: float
    dataset_drift: bool
    n_reference_rows: int
    n_current_rows: int

    def column(self, name: str) -> ColumnDrift:
        """The result for one column; KeyError names the columns that exist."""
        for col in self.columns:
            if col.column == name:
                return col
        raise KeyError(f"no drift result for column {name!r}; columns: {[c.column for c in self.columns]}")

    def to_json(self, indent: int | None = 2) -> str:
        """JSON text of the whole result (per column: method, statistic, p-value, threshold, drifted)."""
        return self.model_dump_json(indent=indent)

    @property
    def drifted_columns(self) -> list[str]:
        """Names of the drifted columns, in column order."""
        return [c.column for c in self.columns if c.drifted]

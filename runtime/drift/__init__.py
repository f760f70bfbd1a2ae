"""Data drift with Evidently's definitions, a cached reference profile and bounded-memory streaming.

Typical use in a monitoring job::

    from runtime.drift import DriftDetector

    detector = DriftDetector(numerical=["age", "income"], categorical=["country"]).fit(reference_df)
    detector.save("reference.npz")                      # once, next to the model
    result = DriftDetector().load("reference.npz").score(window_df)
    result.dataset_drift, result.share, result.column("age").statistic

See ``docs/runtime.md`` for the methods, defaults and edge cases.
"""

from runtime.drift._detector import (
    DEFAULT_THRESHOLDS,
    METHODS,
    DriftDetector,
    NotFittedError,
    default_method,
    detect_drift,
)
from runtime.drift._profile import (
    CategoricalProfile,
    NumericalProfile,
    ReferenceProfile,
    build_profile,
    infer_column_kinds,
    load_profile,
)
from runtime.drift._results import ColumnDrift, DatasetDrift
from runtime.drift._stats import (
    chi_square_test,
    jensen_shannon_distance,
    kolmogorov_smirnov,
    population_stability_index,
    sturges_edges,
    wasserstein_distance_norm,
    z_test,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "METHODS",
    "CategoricalProfile",
    "ColumnDrift",
    "DatasetDrift",
    "DriftDetector",
    "NotFittedError",
    "NumericalProfile",
    "ReferenceProfile",
    "build_profile",
    "chi_square_test",
    "default_method",
    "detect_drift",
    "infer_column_kinds",
    "jensen_shannon_distance",
    "kolmogorov_smirnov",
    "load_profile",
    "population_stability_index",
    "sturges_edges",
    "wasserstein_distance_norm",
    "z_test",
]

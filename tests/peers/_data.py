"""Seeded drift data shared by the peer equality tests (the benchmark has its own, larger copy).

Shapes follow the runtime reference note: numerical columns of four families (normal, lognormal,
exponential, 2-decimal uniform with ties), the first third drifted, two with 1% NaN and one with
+/-inf; string categoricals of 3/5/10/20/50 levels, two drifted, the largest with a 0.5% unseen category;
plus an integer column, a binary column and a 4-value column for the small-value tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def drift_frames(
    n_ref: int, n_cur: int, seed: int = 7, n_num: int = 12
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], list[str]]:
    rng = np.random.default_rng(seed)

    def numeric(i: int, n: int, shifted: bool) -> np.ndarray:
        shift = 0.15 * (1 + i % 3) if shifted and i < n_num // 3 else 0.0
        family = i % 4
        if family == 0:
            x = rng.normal(shift, 1.0, n)
        elif family == 1:
            x = rng.lognormal(shift, 0.7, n)
        elif family == 2:
            x = rng.exponential(1.0 + shift, n)
        else:
            x = np.round(rng.uniform(0.0 + shift, 1.0, n), 2)
        if i in (n_num - 1, n_num - 2):
            x[rng.random(n) < 0.01] = np.nan
        if i == n_num - 3:
            x[rng.random(n) < 0.002] = np.inf
            x[rng.random(n) < 0.002] = -np.inf
        return x

    def frame(n: int, shifted: bool) -> pd.DataFrame:
        data: dict[str, object] = {f"num_{i}": numeric(i, n, shifted) for i in range(n_num)}
        for j, levels in enumerate((3, 5, 10, 20, 50)):
            weights = np.linspace(1.0, 2.0, levels)
            if shifted and j in (1, 3):
                weights = weights[::-1] ** 2
            weights = weights / weights.sum()
            values = rng.choice([f"c{j}_{k}" for k in range(levels)], size=n, p=weights).astype(object)
            if shifted and j == 4:
                values[rng.random(n) < 0.005] = "never-seen"
            if j == 0:
                values[rng.random(n) < 0.01] = None
            data[f"cat_{j}"] = values
        data["int_wide"] = rng.integers(0, 60 if not shifted else 70, n)
        data["binary"] = (rng.random(n) < (0.3 if not shifted else 0.36)).astype(np.int64)
        data["four"] = rng.integers(0, 4, n).astype(np.float64)
        return pd.DataFrame(data)

    ref, cur = frame(n_ref, False), frame(n_cur, True)
    numerical = [f"num_{i}" for i in range(n_num)] + ["int_wide", "binary", "four"]
    categorical = [f"cat_{j}" for j in range(5)]
    return ref, cur, numerical, categorical


def sklearn_windows(name: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """A bundled scikit-learn dataset split into a reference and a drifted current window.

    The split is on one feature's median, so every feature correlated with it drifts and the others
    do not: real data, real mixture of drifted and stable columns.
    """
    from sklearn import datasets

    loader = {
        "breast_cancer": datasets.load_breast_cancer,
        "diabetes": datasets.load_diabetes,
        "digits": datasets.load_digits,
        "wine": datasets.load_wine,
    }[name]
    frame = loader(as_frame=True).frame
    split_on = {"breast_cancer": "mean radius", "diabetes": "bmi", "digits": "target", "wine": "alcohol"}[
        name
    ]
    # digits: classes 0-5 against 6-9 gives a reference above Evidently's 1000-row switch
    cut = frame[split_on] <= (5 if name == "digits" else frame[split_on].median())
    ref, cur = frame[cut].drop(columns=[split_on]), frame[~cut].drop(columns=[split_on])
    return ref.reset_index(drop=True), cur.reset_index(drop=True), [c for c in ref.columns]

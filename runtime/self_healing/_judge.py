"""Judge: drift against the model's reference profile, accuracy and its control chart, holdout checks.

Every figure reuses the runtime's own estimators (``runtime.drift``, ``runtime.control_charts``,
``runtime.fairness``); nothing here re-implements a statistic. Model artifacts are the example training
entry point's (``model.tar.gz`` holding ``model.joblib`` and ``features.json``).
"""

from __future__ import annotations

import io
import json
import math
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from runtime.control_charts import EwmaChart
from runtime.drift import DatasetDrift, DriftDetector, ReferenceProfile, load_profile
from runtime.fairness import FairnessGate, GateResult
from runtime.self_healing._config import FairnessGateConfig

__all__ = [
    "Evaluation",
    "accuracy_out_of_control",
    "evaluate_model",
    "load_model",
    "load_model_bytes",
    "load_profile_from_s3",
    "score_drift",
    "window_accuracy",
]

#: Points of accuracy history needed before the control chart is consulted (the baseline is all but the last).
MIN_CHART_POINTS = 6


def _same(a: Any, b: Any) -> bool:
    try:
        return math.isclose(float(a), float(b))
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


def window_accuracy(frame: pd.DataFrame, label_column: str) -> float | None:
    """Share of labelled rows whose served prediction equals the label (None without labelled rows)."""
    if len(frame) == 0:
        return None
    hits = sum(_same(p, y) for p, y in zip(frame["prediction"], frame[label_column], strict=True))
    return hits / len(frame)


def accuracy_out_of_control(history: list[float]) -> bool:
    """Whether the latest accuracy is outside the EWMA chart fitted on the earlier ones."""
    if len(history) < MIN_CHART_POINTS:
        return False
    chart = EwmaChart()
    try:
        chart.fit(history[:-1])
    except ValueError:  # a constant baseline: no spread to judge a shift against
        return False
    result = chart.score(history)
    return bool(
        result.alarms and result.alarms[-1] == len(history) - 1 and result.statistic[-1] < result.center
    )


def load_profile_from_s3(s3: Any, bucket: str, key: str) -> ReferenceProfile:
    """A reference profile (``.json``) stored in the bucket."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profile.json"
        path.write_bytes(body)
        return load_profile(path)


def score_drift(profile: ReferenceProfile, current: pd.DataFrame, drift_share: float) -> DatasetDrift:
    """Evidently-compatible drift of ``current`` against ``profile`` (per-column default tests)."""
    detector = DriftDetector(drift_share=drift_share)
    detector.profile_ = profile
    return detector.score(current[list(profile.columns)])


def load_model(s3: Any, bucket: str, key: str) -> tuple[Any, list[str]]:
    """The estimator and feature order from a training job's ``model.tar.gz``.

    Only artifacts this stack's own training jobs wrote are loaded (joblib is pickle: never load an
    archive from elsewhere); members are extracted with tarfile's ``data`` filter.
    """
    return load_model_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def load_model_bytes(body: bytes) -> tuple[Any, list[str]]:
    """:func:`load_model` from the archive's bytes (whatever store they came from)."""
    import joblib

    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
            tar.extractall(tmp, filter="data")
        model = joblib.load(Path(tmp) / "model.joblib")
        features = json.loads((Path(tmp) / "features.json").read_text())["features"]
    return model, features


@dataclass(frozen=True)
class Evaluation:
    """Holdout accuracy of the candidate and the live model, and the fairness gate's verdict."""

    candidate_accuracy: float
    live_accuracy: float | None
    holdout_rows: int
    fairness: GateResult | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "candidate_accuracy": self.candidate_accuracy,
            "live_accuracy": self.live_accuracy,
            "holdout_rows": self.holdout_rows,
            "fairness": None
            if self.fairness is None
            else {
                "passed": self.fairness.passed,
                "reasons": self.fairness.reasons,
                "checked": self.fairness.checked,
            },
        }


def evaluate_model(
    candidate: tuple[Any, list[str]],
    live: tuple[Any, list[str]] | None,
    holdout: pd.DataFrame,
    label_column: str,
    gate: FairnessGateConfig | None,
) -> Evaluation:
    """Accuracy of both models on the same holdout, and the candidate's fairness on it."""
    model, features = candidate
    y = holdout[label_column].to_numpy()
    pred = model.predict(holdout[features].to_numpy(dtype=float))
    cand_acc = float(np.mean([_same(p, t) for p, t in zip(pred, y, strict=True)]))
    live_acc = None
    if live is not None:
        live_model, live_features = live
        live_pred = live_model.predict(holdout[live_features].to_numpy(dtype=float))
        live_acc = float(np.mean([_same(p, t) for p, t in zip(live_pred, y, strict=True)]))
    verdict = None
    if gate is not None:
        positive = sorted({str(v) for v in y})[-1]
        limits: dict[str, Any] = gate.limits()
        verdict = FairnessGate(**limits).evaluate(
            np.array([str(v) == positive for v in y]),
            np.array([str(p) == positive for p in pred]),
            holdout[gate.sensitive_feature].to_numpy(),
        )
    return Evaluation(cand_acc, live_acc, len(holdout), verdict)

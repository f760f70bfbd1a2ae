"""Example training entry point: scikit-learn on tabular data, for SageMaker or the runtime image.

It runs unchanged in SageMaker's scikit-learn framework container (``sagemaker-scikit-learn:1.2-1``) and in
the mlkeel runtime image, so it imports nothing from mlkeel. SageMaker's contract: the training channel is a
folder in ``SM_CHANNEL_TRAIN`` holding ``train.csv`` (a header row, the label column plus numeric
features), the model goes to ``SM_MODEL_DIR`` (SageMaker tars it to ``model.tar.gz``) and hyperparameters
arrive as ``--name value`` arguments. Outside SageMaker, pass ``--train`` and ``--model-dir``.

The model is a ``Pipeline(StandardScaler, LogisticRegression)`` saved with joblib as ``model.joblib``,
with ``features.json`` naming the feature order it expects (the order of captured CSV requests).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    import joblib
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "."))
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "model"))
    parser.add_argument("--label-column", default="label")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--random-state", type=int, default=0)
    args, _unknown = parser.parse_known_args(argv)  # SageMaker may pass more hyperparameters

    data = pd.read_csv(Path(args.train) / "train.csv")
    if args.label_column not in data.columns:
        print(f"train.csv has no label column {args.label_column!r}: {list(data.columns)}", file=sys.stderr)
        return 2
    features = [c for c in data.columns if c != args.label_column]
    model = make_pipeline(
        StandardScaler(), LogisticRegression(C=args.c, max_iter=1000, random_state=args.random_state)
    )
    model.fit(data[features].to_numpy(dtype=float), data[args.label_column].to_numpy())
    out = Path(args.model_dir)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / "model.joblib")
    (out / "features.json").write_text(json.dumps({"features": features, "label": args.label_column}))
    print(f"trained on {len(data)} rows, {len(features)} features")
    return 0


def model_fn(model_dir: str) -> object:
    """SageMaker's scikit-learn serving hook: the estimator this script saved (CSV in, CSV out)."""
    import joblib

    return joblib.load(Path(model_dir) / "model.joblib")


if __name__ == "__main__":
    sys.exit(main())

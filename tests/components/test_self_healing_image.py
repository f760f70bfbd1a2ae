"""The runtime image's contents, proved without a container builder.

This machine has a Docker client but no builder, so the image is rebuilt as what it is: the interpreter, the
lock installed with ``--no-deps`` (``.venv-image``, from ``scripts/image_venv.sh``, exactly the Dockerfile's
install), and a copy of only what the Dockerfile copies. The entry points then run from that copy in that
environment: the Lambda handler the function names, the container command the CronJob runs, and the example
training entry point on real data. A package the runtime imports but the lock forgets fails here, not in
the first scheduled run. The Dockerfile and the lock are also read for the properties the image promises
(non-root, pinned base, everything pinned, a build context of the runtime only).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from components.self_healing.aws import HANDLER
from components.self_healing.kubernetes import COMMAND

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
LOCK = ROOT / "runtime" / "self_healing" / "requirements-image.txt"
IMAGE_PYTHON = ROOT / ".venv-image" / "bin" / "python"

needs_venv = pytest.mark.skipif(
    not IMAGE_PYTHON.exists() and not os.environ.get("MLKEEL_REQUIRE_IMAGE_VENV"),
    reason=f"{IMAGE_PYTHON} is missing: run scripts/image_venv.sh to test the image's contents",
)


def _copied_paths() -> list[str]:
    """What the final stage copies from the build context (``COPY <src> /app/...`` lines)."""
    final = DOCKERFILE.read_text(encoding="utf-8").split("\nFROM ")[-1]
    return [m.group(1).rstrip("/") for m in re.finditer(r"^COPY (?!--from)(\S+) /app/", final, re.MULTILINE)]


@pytest.fixture(scope="module")
def image_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``/app`` of the image: only the copied folders, without caches (``.dockerignore``)."""
    root = tmp_path_factory.mktemp("image-app")
    for path in _copied_paths():
        shutil.copytree(ROOT / path, root / path, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return root


def _run(image_root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the image's Python from ``/app`` with the image's environment (no host variables leak in)."""
    base = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(image_root),
        "HOME": str(image_root),
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        [str(IMAGE_PYTHON), "-s", *args],
        cwd=image_root,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# ------------------------------------------------------------------------------------------ the files
def test_self_healing_image_lock_pins_every_package_exactly() -> None:
    lines = [line.split("#")[0].strip() for line in LOCK.read_text(encoding="utf-8").splitlines()]
    pins = [line for line in lines if line]
    assert pins and all(re.fullmatch(r"[A-Za-z0-9._-]+==[0-9][0-9A-Za-z.+-]*", p) for p in pins), pins
    names = [p.split("==")[0].lower().replace("_", "-") for p in pins]
    assert len(names) == len(set(names))
    assert "awslambdaric" in names and "boto3" in names and "scikit-learn" in names


def test_self_healing_image_dockerfile_is_small_non_root_and_pinned() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    bases = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert bases and all(re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", b) for b in bases), bases
    assert f"python:{sys.version_info.major}.{sys.version_info.minor}." in bases[-1]  # the venv's minor
    assert "--no-deps -r /tmp/requirements-image.txt" in text
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert _copied_paths() == ["mlkeel", "runtime"]
    assert f'CMD ["{HANDLER}"]' in text
    ignored = [line.strip() for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()]
    assert ignored[ignored.index("*") + 1 :][:2] == ["!runtime/", "!mlkeel/"]  # context: the runtime only


# ------------------------------------------------------------------------------------------ the contents
@needs_venv
def test_self_healing_image_lambda_handler_imports_with_the_lambda_client(image_root: Path) -> None:
    module, function = HANDLER.rsplit(".", 1)
    code = (
        f"import importlib.util, awslambdaric, {module} as m; assert callable(m.{function}); "
        "print([n for n in ('pulumi', 'pulumi_aws', 'stacks', 'components') if importlib.util.find_spec(n)])"
    )
    result = _run(image_root, "-c", code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"  # the platform side (Pulumi, stacks, components) is not in the image


@needs_venv
def test_self_healing_image_holds_what_a_run_imports_lazily(image_root: Path) -> None:
    # A run imports these only when it gets there (pricing for the spot choice, cost, metrics, the model
    # loader of the holdout evaluation): an import-time check of the entry points alone would miss them.
    modules = [
        "runtime.self_healing._controller",
        "runtime.scheduling",
        "runtime.cost",
        "runtime.pricing",
        "runtime.metrics",
        "runtime.drift",
        "runtime.fairness",
        "runtime.control_charts",
        "joblib",
        "sklearn.linear_model",
    ]
    result = _run(image_root, "-c", f"import {', '.join(modules)}; print('ok')")
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


@needs_venv
def test_self_healing_image_container_command_rejects_a_missing_config_with_exit_2(image_root: Path) -> None:
    assert COMMAND[:3] == ["python", "-m", "runtime.self_healing"]
    result = _run(image_root, *COMMAND[1:])
    assert result.returncode == 2, (result.stdout[-1000:], result.stderr[-2000:])
    assert "MLKEEL_SELF_HEALING_CONFIG" in result.stderr and "Traceback" not in result.stderr


@needs_venv
def test_self_healing_image_trains_the_example_model_on_real_data(image_root: Path) -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    train = image_root / "train"
    train.mkdir()
    rows = ["label,f0,f1,f2", *(f"{t},{a:.5f},{b:.5f},{c:.5f}" for t, (a, b, c) in zip(y, x, strict=True))]
    (train / "train.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    model = image_root / "model"
    result = _run(
        image_root,
        "-m",
        "runtime.self_healing.training.train",
        "--train",
        str(train),
        "--model-dir",
        str(model),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (model / "model.joblib").is_file()
    check = _run(
        image_root,
        "-c",
        "import joblib, pandas as pd; m = joblib.load('model/model.joblib'); "
        "d = pd.read_csv('train/train.csv'); print(m.score(d.drop(columns=['label']), d['label']))",
    )
    assert check.returncode == 0, check.stderr[-2000:]
    assert float(check.stdout.strip()) > 0.9

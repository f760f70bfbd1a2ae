"""Checkov on ``keel export --format terraform-plan`` of every example and template stack.

Checkov is what many security reviewers run; its terraform_plan runner reads the exports as it reads
``terraform show -json``. The checks that fail must be exactly the reviewed skips of ``.checkov.yaml`` at
the repository root (each with the reason it does not apply, in the comment above it): a new finding fails
here until it is fixed in the components or reviewed into the file, and a skip no longer needed must go.
Checkov runs from ``.venv-scanners`` (``benchmarks/setup_scanners.sh``), once over all exports, offline.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from mlkeel.state import load_state
from stacks.export.terraform_plan import export_state, render

from .export_plans import example_states  # noqa: F401  (a session fixture)

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-scanners" / "bin" / "checkov"
SKIPS = ROOT / ".checkov.yaml"

# scripts/test.sh sets MLKEEL_REQUIRE_SCANNERS=1 after building the environment: in CI a missing scanner
# fails.
pytestmark = pytest.mark.skipif(
    not CHECKOV.exists() and not os.environ.get("MLKEEL_REQUIRE_SCANNERS"),
    reason=f"{CHECKOV} is missing: run benchmarks/setup_scanners.sh to scan the exports with Checkov",
)


def run_checkov(folder: Path, *options: str, cwd: Path) -> dict:
    """Checkov's JSON report on every plan in ``folder``, offline (it reads ``.checkov.yaml`` in ``cwd``)."""
    run = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(folder),
            "--framework",
            "terraform_plan",
            "-o",
            "json",
            "--quiet",
            "--compact",
            "--skip-download",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    assert run.returncode in (0, 1), run.stderr[-2000:]  # 1: some check failed
    report = json.loads(run.stdout)
    assert isinstance(report, dict), "expected one terraform_plan report"
    return report


@pytest.fixture(scope="module")
def plans(example_states: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    folder = tmp_path_factory.mktemp("terraform-plans")
    for name, state in example_states.items():
        (folder / f"{name}.json").write_text(render(export_state(load_state(state))))
    return folder


@pytest.fixture(scope="module")
def checkov_report(plans: Path) -> dict:
    """Every check on, no skips: run outside the repository, so its ``.checkov.yaml`` is not read."""
    return run_checkov(plans, cwd=plans)


def test_checkov_reads_every_export_without_parsing_errors(
    checkov_report: dict,
    example_states: dict[str, Path],  # noqa: F811
) -> None:
    summary = checkov_report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] > 50 * len(example_states)
    assert summary["passed"] > 1000  # the checks really ran on the values, not on empty resources


def reviewed_skips() -> dict[str, str]:
    """Each skipped check id with its reason: the comment lines right above its ``- CKV_...`` line."""
    skips: dict[str, str] = {}
    comment: list[str] = []
    for line in SKIPS.read_text().splitlines():
        text = line.strip()
        if text.startswith("#") and line.startswith("  "):
            comment.append(text.lstrip("# "))
        elif text.startswith("- "):
            skips[text[2:].strip()] = " ".join(comment)
            comment = []
        else:
            comment = []
    return skips


def test_checkov_skips_are_the_config_and_each_has_a_reason() -> None:
    skips = reviewed_skips()
    assert list(skips) == yaml.safe_load(SKIPS.read_text())["skip-check"]
    assert all(len(reason) > 40 for reason in skips.values()), skips


def test_checkov_fails_exactly_the_reviewed_skips(checkov_report: dict) -> None:
    failed = {f["check_id"] for f in checkov_report["results"]["failed_checks"]}
    skipped = set(reviewed_skips())
    new = sorted(failed - skipped)
    unneeded = sorted(skipped - failed)
    assert not new, (
        f"new Checkov findings (fix them in the components, or review them into {SKIPS.name}): {new}"
    )
    assert not unneeded, f"no stack fails these any more: remove them from {SKIPS.name}: {unneeded}"


def test_checkov_with_the_repository_config_passes_every_stack(plans: Path) -> None:
    """The command docs/export.md gives reviewers: from the repository root, nothing fails."""
    report = run_checkov(plans, cwd=ROOT)
    assert report["summary"]["failed"] == 0, [f["check_id"] for f in report["results"]["failed_checks"]]
    assert report["summary"]["passed"] > 1000

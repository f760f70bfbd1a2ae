"""Checkov on ``keel export --format terraform-plan`` of every example and template stack.

Checkov is what many security reviewers run; its terraform_plan runner reads the exports as it reads
``terraform show -json``. The failed checks must equal the reviewed list in
``fixtures/checkov-findings.json`` (each with "to fix: ..." or "skip: why it does not apply"): a new finding
fails here until it is fixed in the components or reviewed into the list, and a fixed one must be removed.
Checkov runs from ``.venv-scanners`` (``benchmarks/setup_scanners.sh``), once over all exports, offline.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from mlkeel.state import load_state
from stacks.export.terraform_plan import export_state, render

from .export_plans import example_states  # noqa: F401  (a session fixture)

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = ROOT / ".venv-scanners" / "bin" / "checkov"
FINDINGS = Path(__file__).resolve().parent / "fixtures" / "checkov-findings.json"

# scripts/test.sh sets MLKEEL_REQUIRE_SCANNERS=1 after building the environment: in CI a missing scanner
# fails.
pytestmark = pytest.mark.skipif(
    not CHECKOV.exists() and not os.environ.get("MLKEEL_REQUIRE_SCANNERS"),
    reason=f"{CHECKOV} is missing: run benchmarks/setup_scanners.sh to scan the exports with Checkov",
)


@pytest.fixture(scope="module")
def checkov_report(example_states: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:  # noqa: F811
    folder = tmp_path_factory.mktemp("terraform-plans")
    for name, state in example_states.items():
        (folder / f"{name}.json").write_text(render(export_state(load_state(state))))
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
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    assert run.returncode in (0, 1), run.stderr[-2000:]  # 1: some check failed
    report = json.loads(run.stdout)
    assert isinstance(report, dict), "expected one terraform_plan report"
    return report


def test_checkov_reads_every_export_without_parsing_errors(
    checkov_report: dict,
    example_states: dict[str, Path],  # noqa: F811
) -> None:
    summary = checkov_report["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] > 50 * len(example_states)
    assert summary["passed"] > 1000  # the checks really ran on the values, not on empty resources


def test_checkov_failed_checks_equal_the_reviewed_list(checkov_report: dict) -> None:
    reviewed = json.loads(FINDINGS.read_text())["findings"]
    for finding in reviewed:
        assert finding["reason"].startswith(("to fix: ", "skip: ")), finding
    expected = {(f["check_id"], f["resource"]) for f in reviewed}
    found = {(f["check_id"], f["resource"]) for f in checkov_report["results"]["failed_checks"]}
    new = sorted(found - expected)
    fixed = sorted(expected - found)
    assert not new, f"new Checkov findings (fix them, or review them into {FINDINGS.name}): {new}"
    assert not fixed, f"fixed or gone: remove from {FINDINGS.name}: {fixed}"

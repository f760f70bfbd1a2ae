"""The ``keel`` console script (``stacks.cli:console``): exit codes and output when a verb skips the
interpreter's teardown (``keel drift``, ``keel fairness``), and when it does not.

Run as the user runs it: a fresh process whose output goes to pipes and files, so a report cut short or
a lost exit status would show.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "runtime" / "fixtures"
REF, CUR = FIXTURES / "drift_reference.csv", FIXTURES / "drift_current.csv"
TYPES = [
    "--numerical",
    "age",
    "--numerical",
    "income",
    "--categorical",
    "country",
    "--categorical",
    "segment",
]


def keel(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys\nfrom stacks.cli import console\nsys.argv[0] = 'keel'\nconsole()\n"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_console_drift_writes_the_whole_report_and_exits_0(tmp_path: Path) -> None:
    pd.read_csv(CUR).to_parquet(tmp_path / "cur.parquet")
    out = tmp_path / "report.json"
    done = keel(
        "drift",
        "--reference",
        str(REF),
        "--current",
        str(tmp_path / "cur.parquet"),
        *TYPES,
        "--format",
        "json",
        "--output",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["n_columns"] == 4


def test_console_drift_table_reaches_a_pipe_in_full() -> None:
    done = keel("drift", "--reference", str(REF), "--current", str(CUR), *TYPES)
    assert done.returncode == 0, done.stderr
    assert "2 of 4 columns drifted" in done.stdout  # the summary is the table's last line


def test_console_drift_exit_1_on_drift_says_why_on_stderr() -> None:
    done = keel("drift", "--reference", str(REF), "--current", str(CUR), *TYPES, "--fail-on-drift")
    assert done.returncode == 1
    assert done.stderr.startswith("keel: dataset drift in ") and "Traceback" not in done.stderr


def test_console_drift_bad_input_exits_2_naming_it(tmp_path: Path) -> None:
    done = keel("drift", "--reference", str(REF), "--current", str(tmp_path / "gone.parquet"), *TYPES)
    assert done.returncode == 2
    assert "gone.parquet" in done.stderr and "Traceback" not in done.stderr


def test_console_fairness_gate_failure_exits_1() -> None:
    done = keel(
        "fairness",
        "--data",
        str(FIXTURES / "fairness_scored.csv"),
        "--label",
        "y",
        "--prediction",
        "y_hat",
        "--sensitive",
        "group",
        "--gate-max-dpd",
        "0.01",
    )
    assert done.returncode == 1
    assert "demographic_parity_difference" in done.stdout and "gate failed" in done.stderr


def test_console_verbs_without_the_fast_exit_end_as_usual() -> None:
    done = keel("no-such-verb")
    assert done.returncode == 2 and "no such command" in done.stderr
    assert keel("--help").returncode == 0

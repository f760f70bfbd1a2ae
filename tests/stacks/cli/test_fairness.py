"""``keel fairness``: the deployment gate, formats, output files and error messages."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from stacks.cli import app

FIXTURES = Path(__file__).resolve().parents[2] / "runtime" / "fixtures"  # shared with the runtime tests
SCORED = FIXTURES / "fairness_scored.csv"
#: A script loaded from the network (http://, https:// or protocol-relative //): offline it renders nothing.
_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", re.IGNORECASE)


def test_fairness_cli_gate_fails_with_exit_1(runner):
    res = runner.invoke(
        app,
        [
            "fairness",
            "--data",
            str(SCORED),
            "--label",
            "y",
            "--prediction",
            "y_hat",
            "--sensitive",
            "group",
            "--gate-max-eod",
            "0.1",
        ],
    )
    assert res.exit_code == 1 and "gate: FAIL" in res.stdout and "equalized_odds_difference" in res.stdout


def test_fairness_cli_json_and_intersections(runner):
    res = runner.invoke(
        app,
        [
            "fairness",
            "--data",
            str(SCORED),
            "--label",
            "y",
            "--prediction",
            "y_hat",
            "--sensitive",
            "group",
            "--sensitive",
            "region",
            "--format",
            "json",
        ],
    )
    doc = json.loads(res.stdout)
    assert (
        res.exit_code == 0 and doc["sensitive_features"] == ["group", "region"] and len(doc["by_group"]) == 6
    )


def test_fairness_cli_html(runner, tmp_path):
    out = tmp_path / "f.html"
    res = runner.invoke(
        app,
        [
            "fairness",
            "--data",
            str(SCORED),
            "--label",
            "y",
            "--prediction",
            "y_hat",
            "--sensitive",
            "group",
            "--format",
            "html",
            "--output",
            str(out),
            "--gate-min-dpr",
            "0.5",
        ],
    )
    page = out.read_text()
    assert res.exit_code == 0 and "Gate: PASS" in page
    assert _REMOTE_SCRIPT.search(page) is None and len(page) > 1_000_000  # renders offline: plotly.js inlined


def test_fairness_cli_missing_column_exits_2(runner, tmp_path):
    data = tmp_path / "scored.csv"
    shutil.copy(SCORED, data)
    res = runner.invoke(
        app, ["fairness", "--data", str(data), "--label", "y", "--prediction", "pred", "--sensitive", "group"]
    )
    assert res.exit_code == 2 and "--prediction column 'pred' not found" in res.stderr

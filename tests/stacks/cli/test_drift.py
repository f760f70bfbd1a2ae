"""``keel drift``: formats, output files, exit codes and error messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from stacks.cli import app

FIXTURES = Path(__file__).resolve().parents[2] / "runtime" / "fixtures"  # shared with the runtime tests
REF, CUR = FIXTURES / "drift_reference.csv", FIXTURES / "drift_current.csv"
#: A script loaded from the network (http://, https:// or protocol-relative //): offline it renders nothing.
_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", re.IGNORECASE)
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


def test_drift_cli_table_summary(runner):
    res = runner.invoke(app, ["drift", "--reference", str(REF), "--current", str(CUR), *TYPES])
    assert res.exit_code == 0, res.output
    assert "2 of 4 columns drifted" in res.output and "DATASET DRIFT" in res.output


def test_drift_cli_json_and_parquet(runner, tmp_path):
    pd.read_csv(CUR).to_parquet(tmp_path / "cur.parquet")
    res = runner.invoke(
        app,
        [
            "drift",
            "--reference",
            str(REF),
            "--current",
            str(tmp_path / "cur.parquet"),
            *TYPES,
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [c["column"] for c in doc["columns"]] == ["age", "income", "country", "segment"]
    assert doc["columns"][0]["method"] == "ks" and doc["columns"][0]["drifted"] is True


def test_drift_cli_html_is_self_contained(runner, tmp_path):
    out = tmp_path / "drift.html"
    res = runner.invoke(
        app,
        [
            "drift",
            "--reference",
            str(REF),
            "--current",
            str(CUR),
            *TYPES,
            "--format",
            "html",
            "--output",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    page = out.read_text()
    assert page.count('class="plotly-graph-div"') == 4 and _REMOTE_SCRIPT.search(page) is None
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js itself is in the page


def test_drift_cli_saved_profile_and_fail_on_drift(runner, tmp_path):
    profile = tmp_path / "ref.npz"
    first = runner.invoke(
        app,
        [
            "drift",
            "--reference",
            str(REF),
            "--current",
            str(CUR),
            *TYPES,
            "--save-profile",
            str(profile),
            "--format",
            "json",
        ],
    )
    second = runner.invoke(
        app,
        ["drift", "--profile", str(profile), "--current", str(CUR), "--format", "json", "--fail-on-drift"],
    )
    assert first.exit_code == 0 and second.exit_code == 1
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert "keel: dataset drift in" in second.stderr


def test_drift_cli_prometheus_file(runner, tmp_path):
    prom = tmp_path / "drift.prom"
    res = runner.invoke(
        app, ["drift", "--reference", str(REF), "--current", str(CUR), *TYPES, "--prometheus", str(prom)]
    )
    assert res.exit_code == 0, res.output
    assert "mlkeel_drift_share" in prom.read_text()


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--reference", "missing.csv", "--current", str(CUR)],
            "missing.csv: data file (.csv or .parquet) not found",
        ),
        (["--current", str(CUR)], "exactly one of --reference"),
        (
            ["--reference", str(REF), "--current", str(CUR), "--numerical", "nope"],
            "column(s) ['nope'] not found",
        ),
        (["--reference", str(REF), "--current", str(CUR), "--method", "kl"], "'kl' is not a drift method"),
    ],
)
def test_drift_cli_bad_input_exits_2_naming_the_problem(runner, args, message):
    res = runner.invoke(app, ["drift", *args])
    assert res.exit_code == 2 and message in res.stderr


def test_drift_cli_unreadable_file_exits_2(runner, tmp_path):
    bad = tmp_path / "cur.parquet"
    bad.write_text("not parquet")
    res = runner.invoke(app, ["drift", "--reference", str(REF), "--current", str(bad)])
    assert res.exit_code == 2 and "cur.parquet: cannot read as parquet" in res.stderr

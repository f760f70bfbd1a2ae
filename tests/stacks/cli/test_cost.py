"""``keel cost`` end to end through typer's CliRunner (and one real subprocess)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import stacks.cli
from stacks.cli import app

#: The cost fixtures live with the runtime tests that also price them.
FIXTURES = Path(__file__).resolve().parents[2] / "runtime" / "fixtures" / "cost"
BASE = str(FIXTURES / "aws_fraud_dev.json")
HEAD = str(FIXTURES / "aws_fraud_dev_head.json")
GCP = str(FIXTURES / "gcp_recs_prod.json")

stacks.cli._register_all()
runner = CliRunner()


def test_cli_estimate_default_table() -> None:
    result = runner.invoke(app, ["cost", BASE, GCP])
    assert result.exit_code == 0, result.output
    assert "fraud-dev-serving-scorer" in result.stdout and "recs-prod-ranker-pool" in result.stdout
    assert "By cost-center" in result.stdout


def test_cli_estimate_markdown_to_file(tmp_path: Path) -> None:
    out = tmp_path / "cost.md"
    result = runner.invoke(app, ["cost", HEAD, "--format", "markdown", "--output", str(out)])
    assert result.exit_code == 0
    assert out.read_text().startswith("### Estimated monthly cost")
    assert "1 of 28 resources not priced" in result.stderr


def test_cli_csv_by_custom_key() -> None:
    result = runner.invoke(app, ["cost", GCP, "-f", "csv", "--by", "owner"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and rows[0]["ProviderName"] == "Google Cloud"


def test_cli_compare() -> None:
    result = runner.invoke(app, ["cost", "--compare", BASE, HEAD, "-f", "markdown"])
    assert result.exit_code == 0
    assert "This change adds" in result.stdout and "cc-4411" in result.stdout


def test_cli_budget_from_stack_file_warns_and_can_fail(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.fraud-dev.yaml"
    stack.write_text("config:\n  mlkeel:budget:\n    monthlyLimitUsd: 1000\n")
    result = runner.invoke(app, ["cost", BASE, "--stack-file", str(stack)])
    assert result.exit_code == 0 and "exceeds the stack budget of $1,000.00" in result.stderr
    result = runner.invoke(app, ["cost", BASE, "--stack-file", str(stack), "--fail-over-budget"])
    assert result.exit_code == 1


def test_cli_budget_from_state_output() -> None:
    result = runner.invoke(app, ["cost", BASE, "--format", "markdown"])
    assert "budget of $2,500.00" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cost", "missing.json"], "missing.json: state file not found"),
        (["cost", BASE, "--format", "pdf"], "--format has bad value 'pdf'"),
        (["cost", BASE, "--usage", "nope.yml"], "nope.yml: usage file not found"),
        (
            ["cost", "actuals", "--provider", "azure", "--start", "2026-10-01", "--end", "2026-11-01"],
            "allowed: aws, gcp",
        ),
        (
            ["cost", "actuals", "--provider", "gcp", "--start", "2026-10-01", "--end", "2026-11-01"],
            "needs --billing-table",
        ),
        (["cost", "refresh-prices", "--provider", "ibm"], "allowed: aws, gcp, all"),
    ],
)
def test_cli_bad_input_exits_2_with_message(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_cli_malformed_usage_file_exit_2(tmp_path: Path) -> None:
    usage = tmp_path / "usage.yml"
    usage.write_text("version: 0.1\nresource_usage:\n  fraud-dev-registry-artifacts:\n    storage_gb: lots\n")
    result = runner.invoke(app, ["cost", BASE, "--usage", str(usage)])
    assert result.exit_code == 2
    assert (
        "usage.yml: resource_usage.fraud-dev-registry-artifacts.storage_gb = 'lots': a number"
        in result.stderr
    )


def test_cli_usage_file_changes_estimate(tmp_path: Path) -> None:
    usage = tmp_path / "usage.yml"
    usage.write_text(
        "version: 0.1\nresource_usage:\n  fraud-dev-registry-artifacts:\n    storage_gb: 100000\n"
    )
    plain = runner.invoke(app, ["cost", BASE, "-f", "csv"]).stdout
    heavy = runner.invoke(app, ["cost", BASE, "-f", "csv", "--usage", str(usage)]).stdout

    def total(text: str) -> float:
        return sum(float(r["BilledCost"]) for r in csv.DictReader(io.StringIO(text)) if r["BilledCost"])

    assert total(heavy) - total(plain) == pytest.approx((100000 - 50) * 0.023, rel=1e-6)


def test_cli_usage_skeleton() -> None:
    result = runner.invoke(app, ["cost", "usage-skeleton"])
    assert result.exit_code == 0 and result.stdout.startswith("version: 0.1")


def test_cli_actuals_gcp_from_parquet(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    label = pa.struct([("key", pa.string()), ("value", pa.string())])
    table = pa.table(
        {
            "service": pa.array([{"description": "Vertex AI"}], pa.struct([("description", pa.string())])),
            "location": pa.array([{"region": "europe-west4"}], pa.struct([("region", pa.string())])),
            "labels": pa.array([[{"key": "team", "value": "recs"}]], pa.list_(label)),
            "cost": pa.array([12.5]),
            "credits": pa.array([[]], pa.list_(pa.struct([("amount", pa.float64())]))),
            "usage_start_time": pa.array([1790000000000000], pa.timestamp("us", tz="UTC")),
            "usage_end_time": pa.array([1790003600000000], pa.timestamp("us", tz="UTC")),
        }
    )
    path = tmp_path / "export.parquet"
    pq.write_table(table, path)
    result = runner.invoke(
        app,
        [
            "cost",
            "actuals",
            "--provider",
            "gcp",
            "--billing-parquet",
            str(path),
            "--start",
            "2026-09-01",
            "--end",
            "2026-10-01",
            "-f",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(json.loads(r["Tags"]), float(r["BilledCost"])) for r in rows] == [({"team": "recs"}, 12.5)]


def test_keel_cost_subprocess_html(tmp_path: Path) -> None:
    out = tmp_path / "cost.html"
    keel = Path(sys.executable).parent / "keel"
    proc = subprocess.run(
        [str(keel), "cost", BASE, "--format", "html", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_cli_estimate_folder_of_states(tmp_path: Path) -> None:
    import shutil

    shutil.copy(BASE, tmp_path / "a.json")
    shutil.copy(GCP, tmp_path / "b.json")
    result = runner.invoke(app, ["cost", str(tmp_path), "-f", "markdown"])
    assert result.exit_code == 0 and "fraud-dev, recs-prod" in result.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["cost", str(empty)])
    assert result.exit_code == 2 and "no state files" in result.stderr


def test_cli_refresh_without_credentials_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    import boto3

    # boto3's default session caches the credentials an earlier test (the moto one) found in the environment.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    result = runner.invoke(
        app, ["cost", "refresh-prices", "--provider", "aws", "--output-dir", str(tmp_path / "p")]
    )
    assert result.exit_code == 2
    assert "AWS Price List GetProducts(AmazonEC2) failed: Unable to locate credentials" in result.stderr
    assert not (tmp_path / "p").exists()  # nothing half-written


def test_cli_refresh_rejects_unknown_region() -> None:
    result = runner.invoke(app, ["cost", "refresh-prices", "--region", "mars-1"])
    assert result.exit_code == 2 and "--region has bad value 'mars-1'" in result.stderr


def test_cli_actuals_aws_against_moto_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    from moto.server import ThreadedMotoServer

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        groups = [
            {
                "Keys": ["cost-center$cc-4411"],
                "Metrics": {"UnblendedCost": {"Amount": "1200.5", "Unit": "USD"}},
            },
            {"Keys": ["cost-center$"], "Metrics": {"UnblendedCost": {"Amount": "99.5", "Unit": "USD"}}},
        ]
        body = json.dumps(
            {
                "results": [
                    {
                        "ResultsByTime": [
                            {
                                "TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"},
                                "Total": {},
                                "Groups": groups,
                                "Estimated": False,
                            }
                        ],
                        "GroupDefinitions": [],
                        "DimensionValueAttributes": [],
                    }
                ]
            }
        ).encode()
        req = urllib.request.Request(
            f"{url}/moto-api/static/ce/cost-and-usage-results", data=body, method="POST"
        )
        urllib.request.urlopen(req)
        result = runner.invoke(
            app,
            [
                "cost",
                "actuals",
                "--provider",
                "aws",
                "--endpoint-url",
                url,
                "--group-by",
                "cost-center",
                "--start",
                "2026-10-01",
                "--end",
                "2026-11-01",
                "-f",
                "markdown",
            ],
        )
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    assert "### Actual spend" in result.stdout
    assert "**$1,300.00** from 2026-10-01 to 2026-11-01 (end exclusive)" in result.stdout
    assert (
        "| cc-4411 | $1,200.50 | 92.3% | 1 |" in result.stdout and "| (untagged) | $99.50 |" in result.stdout
    )


def test_cli_csv_period() -> None:
    result = runner.invoke(app, ["cost", BASE, "-f", "csv", "--period", "2027-02"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(r["ChargePeriodStart"], r["ChargePeriodEnd"]) for r in rows} == {
        ("2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z")
    }
    bad = runner.invoke(app, ["cost", BASE, "--period", "February"])
    assert bad.exit_code == 2 and "--period has bad value 'February'" in bad.stderr


# -- bad input exits 2 naming what is wrong; nothing is written ----------------------------------------------
@pytest.mark.parametrize("value", ["-100", "0", "nan", "inf", "-inf"])
def test_cli_budget_must_be_positive_and_finite(value: str) -> None:
    result = runner.invoke(app, ["cost", BASE, "--budget", value])
    assert result.exit_code == 2, result.output
    assert "--budget has bad value" in result.stderr and "a positive, finite number of USD" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"config:\n  mlkeel:budget:\n    monthlyLimitUsd: .nan\n", "must be a finite number"),
        (
            b"config:\n  mlkeel:budget:\n    monthlyLimitUsd: 'nan'\n",
            "monthlyLimitUsd = 'nan': a positive, finite",
        ),
        (
            b"config:\n  mlkeel:budget.monthlyLimitUsd: '1e999'\n",
            "monthlyLimitUsd = '1e999': a positive, finite",
        ),
        (b"config:\n  mlkeel:budget: 1000\n", "config.mlkeel:budget = 1000: a map with monthlyLimitUsd"),
        (
            b"config:\n  mlkeel:budget: '{not json'\n",
            "config.mlkeel:budget: is a string that is not a JSON map",
        ),
        (b"config: [1]\n", "config: a mapping of configuration keys"),
        (b"config:\n  mlkeel:budget:\n    monthlyLimitUsd: 5\n\xff", "is not UTF-8 text"),
    ],
)
def test_cli_bad_stack_file_budget_exits_2_naming_the_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    stack = tmp_path / "Pulumi.fraud-dev.yaml"
    stack.write_bytes(content)
    result = runner.invoke(app, ["cost", BASE, "--stack-file", str(stack)])
    assert result.exit_code == 2, result.output
    assert f"keel: error: {stack}" in result.stderr and message in result.stderr


@pytest.mark.parametrize("option", ["--usage", "--stack-file", "--prices"])
@pytest.mark.parametrize("kind", ["binary", "loop", "fifo"])
def test_cli_unreadable_input_files_exit_2_naming_them(tmp_path: Path, option: str, kind: str) -> None:
    path = tmp_path / "input"
    if kind == "binary":
        path.write_bytes(b"\x00\xff\xfe binary")
    elif kind == "loop":
        path.symlink_to(path)
    else:
        os.mkfifo(path)
    result = runner.invoke(app, ["cost", BASE, option, str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"keel: error: {path}"), result.stderr
    assert "Traceback" not in result.output


def test_cli_usage_naming_a_missing_resource_exits_2_with_suggestion() -> None:
    result = runner.invoke(app, ["cost", BASE, "--usage", str(FIXTURES / "usage_typo.yml")])
    assert result.exit_code == 2
    assert "usage_typo.yml: resource_usage.fraud-dev-registry-artifact: names no resource" in result.stderr
    assert "did you mean 'fraud-dev-registry-artifacts'" in result.stderr


def test_cli_compare_usage_may_name_a_resource_only_the_head_has() -> None:
    usage = str(FIXTURES / "usage_head_only.yml")
    result = runner.invoke(app, ["cost", "--compare", BASE, HEAD, "-f", "csv", "--usage", usage])
    assert result.exit_code == 0, result.output
    scratch = next(
        r for r in csv.DictReader(io.StringIO(result.stdout)) if r["ResourceName"] == "scratch-untagged"
    )
    assert float(scratch["x_HeadMonthly"]) == pytest.approx(
        800 * 0.023 + 0.5 + 0.4
    )  # storage from usage + requests


def test_cli_compare_refuses_state_arguments_too() -> None:
    result = runner.invoke(app, ["cost", GCP, "--compare", BASE, HEAD])
    assert result.exit_code == 2
    assert "give either state files to estimate or --compare BASE HEAD, not both" in result.stderr
    assert "`keel cost --compare BASE HEAD` compares" in result.stderr


@pytest.mark.parametrize(
    "extra",
    [["--budget", "100"], ["--fail-over-budget"], ["--period", "2027-01"], ["--stack-file", "x.yaml"]],
)
def test_cli_compare_refuses_estimate_only_options(extra: list[str]) -> None:
    result = runner.invoke(app, ["cost", "--compare", BASE, HEAD, *extra])
    assert result.exit_code == 2
    assert f"{extra[0]} applies to an estimate, not to --compare" in result.stderr


def test_cli_compare_says_what_changed() -> None:
    result = runner.invoke(
        app, ["cost", "--compare", GCP, str(FIXTURES / "gcp_recs_prod_min2.json"), "-f", "markdown"]
    )
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "`recs-prod-training-t4-spot`" in line)
    assert (
        "autoscaling.totalMinNodeCount: 0 → 2" in row and "Nodes (spot n1-standard-8): $0.00 → $183.08" in row
    )


def test_cli_over_budget_with_output_says_why_it_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "cost.md"
    result = runner.invoke(app, ["cost", BASE, "-f", "markdown", "-o", str(out), "--fail-over-budget"])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "over budget" in line]
    assert lines == [
        "keel: over budget (exit 1, --fail-over-budget): estimated $2,977.32/month exceeds the stack budget "
        f"of $2,500.00 by $477.32 (119% of budget); the report is in {out}"
    ]
    assert out.read_text().startswith("### Estimated monthly cost")


def test_cli_failed_estimate_leaves_an_existing_report_alone(tmp_path: Path) -> None:
    out = tmp_path / "cost.md"
    out.write_text("last week's report\n")
    result = runner.invoke(app, ["cost", BASE, "-o", str(out), "--usage", str(FIXTURES / "usage_typo.yml")])
    assert result.exit_code == 2
    assert out.read_text() == "last week's report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cost.md"]


def test_cli_unwritable_output_exits_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(app, ["cost", BASE, "-o", str(blocker / "cost.md")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"keel: error: {blocker}")


@pytest.mark.parametrize("compare", [False, True])
def test_cli_html_report_needs_no_network(tmp_path: Path, compare: bool) -> None:
    """plotly.js is inlined: the page loads no script, style or font from anywhere."""
    out = tmp_path / "cost.html"
    args = ["--compare", BASE, HEAD] if compare else [BASE]
    result = runner.invoke(app, ["cost", *args, "-f", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert (
        re.findall(
            r"""<(?:script|link|img|iframe|object|embed)[^>]*\b(?:src|href|data)\s*=""", page, flags=re.I
        )
        == []
    )
    outside_scripts = re.sub(r"<script\b.*?</script>", "", page, flags=re.S | re.I)
    assert (
        "http" not in outside_scripts and "@import" not in outside_scripts and "url(" not in outside_scripts
    )
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # the library itself is in the page

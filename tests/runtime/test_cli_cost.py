"""``keel cost`` end to end through typer's CliRunner (and one real subprocess)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import stacks.cli
from stacks.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "cost"
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
        (["cost", "missing.json"], "missing.json: no such state file"),
        (["cost", BASE, "--format", "pdf"], "--format has bad value 'pdf'"),
        (["cost", BASE, "--usage", "nope.yml"], "nope.yml: no such usage file"),
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
        "field 'resource_usage.fraud-dev-registry-artifacts.storage_gb' has bad value 'lots'" in result.stderr
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

"""``keel cost --format json``: the estimate and diff documents, checked against their published schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from runtime.cost import check_budget, diff_estimates, estimate_cost, load_state
from runtime.cost.json_report import (
    SCHEMA_VERSION,
    diff_document,
    estimate_document,
    load_schema,
)
from stacks.cli import _register_all, app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cost"
BASE = FIXTURES / "aws_fraud_dev.json"
HEAD = FIXTURES / "aws_fraud_dev_head.json"  # adds a resource type no pricer knows
GCP = FIXTURES / "gcp_recs_prod.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = load_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _errors(validator: jsonschema.protocols.Validator, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_estimate_document_matches_the_schema_and_the_estimate(validator) -> None:
    est = estimate_cost([load_state(BASE), load_state(GCP)])
    document = estimate_document(est, budget=check_budget(est, 500.0))
    assert _errors(validator, document) == []
    assert document["kind"] == "estimate" and document["schemaVersion"] == SCHEMA_VERSION
    assert document["totals"]["monthly"] == pytest.approx(est.total, abs=1e-3)
    assert sum(r["monthly"] or 0 for r in document["resources"]) == pytest.approx(est.total, abs=1e-2)
    assert {line["value"] for line in document["rollups"]["team"]} >= {"fraud", "recs"}
    assert document["budget"]["exceeded"] is (est.total > 500.0)


def test_an_unknown_price_is_null_never_zero(validator) -> None:
    est = estimate_cost(load_state(HEAD))
    document = estimate_document(est)
    assert _errors(validator, document) == []
    unknown = [r for r in document["resources"] if r["status"] in ("not_priced", "price_missing")]
    assert unknown and all(r["monthly"] is None and r["low"] is None for r in unknown)
    assert document["notPriced"]["count"] == len(unknown)


def test_diff_document_lists_changed_resources_with_reasons(validator) -> None:
    diff = diff_estimates(estimate_cost(load_state(BASE)), estimate_cost(load_state(HEAD)))
    document = diff_document(diff)
    assert _errors(validator, document) == []
    assert document["totalDelta"] == pytest.approx(diff.total_delta, abs=1e-3)
    assert len(document["resources"]) == len(diff.changed)
    assert document["unchangedResources"] == len(diff.resources) - len(diff.changed)
    assert all(r["summary"] for r in document["resources"])
    team = {t["value"]: t for t in document["byTag"]["team"]}
    assert team["fraud"]["delta"] == pytest.approx(team["fraud"]["head"] - team["fraud"]["base"], abs=1e-3)


def test_a_document_with_a_wrong_field_fails_the_schema(validator) -> None:
    document = estimate_document(estimate_cost(load_state(BASE)))
    document["totals"]["monthly"] = "462"
    assert _errors(validator, document)


def test_keel_cost_format_json_estimate_and_compare(validator, tmp_path: Path) -> None:
    _register_all()
    runner = CliRunner()
    result = runner.invoke(app, ["cost", str(BASE), "--format", "json", "--budget", "100"])
    assert result.exit_code == 0, result.output
    estimate = json.loads(result.stdout)
    assert _errors(validator, estimate) == [] and estimate["budget"]["limit"] == 100
    out = tmp_path / "diff.json"
    result = runner.invoke(app, ["cost", "--compare", str(BASE), str(HEAD), "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    diff = json.loads(out.read_text())
    assert _errors(validator, diff) == [] and diff["kind"] == "diff"


def test_keel_cost_rejects_an_unknown_format_naming_json() -> None:
    _register_all()
    result = CliRunner().invoke(app, ["cost", str(BASE), "--format", "yaml"])
    assert result.exit_code == 2
    assert "json" in result.stderr

"""The opt-in mlkeel-checkov pack: Checkov's verdict on a preview, on the resource it names, in-process and
over the analyzer protocol (needs Checkov in .venv-scanners)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from policies.analyzer import check_states, parse_state
from policies.checkov_pack import SCANNERS_PYTHON, CheckovResourceChecks
from policies.packs import PACKS_DIR
from policies.testing import run_rule

from ._kit import base_state, resource_urn

# scripts/test.sh sets MLKEEL_REQUIRE_SCANNERS=1 after building the environment: in CI a missing Checkov
# fails these tests instead of skipping them.
pytestmark = pytest.mark.skipif(
    not SCANNERS_PYTHON.exists() and not os.environ.get("MLKEEL_REQUIRE_SCANNERS"),
    reason="Checkov is missing: run benchmarks/setup_scanners.sh",
)


def _open_ssh(data: dict) -> str:
    urn = resource_urn(data, "fraud-dev-network-endpoints")
    group = next(r for r in data["deployment"]["resources"] if r["urn"] == urn)
    for key in ("inputs", "outputs"):
        group[key]["ingress"] = [{"cidrBlocks": ["0.0.0.0/0"], "description": "ssh", "fromPort": 22,
                                  "protocol": "tcp", "toPort": 22}]  # fmt: skip
    return urn


def test_a_check_the_base_passes_fails_on_the_changed_resource_in_process_and_over_the_protocol() -> None:
    base = run_rule(
        CheckovResourceChecks(), parse_state(json.dumps(base_state("aws_good.json")), Path("b.json"))
    )
    assert base.unchecked == []
    known = {(urn, message) for urn, message in base.violations}

    data = base_state("aws_good.json")
    group = _open_ssh(data)
    state = parse_state(json.dumps(data), Path("ssh-open.json"))
    new = {(urn, m.split(":")[0]) for urn, m in run_rule(CheckovResourceChecks(), state).violations} - {
        (urn, m.split(":")[0]) for urn, m in known
    }
    assert (group, "CKV_AWS_24") in new and {urn for urn, _ in new} == {group}, new

    result = check_states([state], PACKS_DIR / "mlkeel-checkov", workers=1)
    over_protocol = {(f.urn, f.message.split(":")[0]) for f in result.findings if f.status == "violation"}
    assert (group, "CKV_AWS_24") in over_protocol


def test_skip_checks_leaves_a_check_out() -> None:
    data = base_state("aws_good.json")
    group = _open_ssh(data)
    state = parse_state(json.dumps(data), Path("ssh-open.json"))
    rule = CheckovResourceChecks(skipChecks=["CKV_AWS_24"])
    assert not any(m.startswith("CKV_AWS_24:") and u == group for u, m in run_rule(rule, state).violations)

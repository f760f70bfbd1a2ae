"""The GCP stacks the component tests read, each planned once per test process with the offline engine.

- ``full``: ``fixtures/gcp_full.json``, every capability on with every GCP shape (bundled and attached
  GPUs, a requirements pool, weighted variants with a shadow, an offline-only feature group);
- ``risk``: the example stack ``stacks/config/Pulumi.risk-prod.yaml`` (regulated EU team);
- ``template``: a new team stack written by ``keel new-team`` from the ``regulated-eu-gcp`` template.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from stacks.engine import PlanResult, plan_config, plan_stack_file

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FULL_CONFIG = HERE / "fixtures" / "gcp_full.json"
RISK_STACK = ROOT / "stacks" / "config" / "Pulumi.risk-prod.yaml"


def full_config() -> dict[str, Any]:
    return json.loads(FULL_CONFIG.read_text(encoding="utf-8"))


@cache
def full() -> PlanResult:
    return plan_config(full_config(), stack="fraud-prod")


@cache
def risk() -> PlanResult:
    return plan_stack_file(RISK_STACK)


@cache
def template() -> PlanResult:
    from stacks.engine import find_project_file
    from stacks.teams import new_team_stack

    folder = Path(tempfile.mkdtemp(prefix="mlkeel-gcp-template-"))
    project_file = find_project_file(RISK_STACK)
    shutil.copy(project_file, folder / project_file.name)
    stack_file = new_team_stack(
        "claims",
        "regulated-eu-gcp",
        "prod",
        {
            "project": "claims-ml-prod",
            "billingAccount": "0A1B2C-3D4E5F-6A7B8C",
            "costCenter": "cc-1234",
            "owner": "claims-lead",
        },
        folder,
        folder / project_file.name,
    )
    return plan_stack_file(stack_file)


PLANS = {"full": full, "risk": risk, "template": template}


def of_type(plan: PlanResult, token: str) -> list[dict[str, Any]]:
    return plan.by_type(token)


def one(plan: PlanResult, token: str) -> dict[str, Any]:
    found = plan.by_type(token)
    assert len(found) == 1, f"expected one {token}, found {[r['urn'] for r in found]}"
    return found[0]


def ancestors(plan: PlanResult, resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The resource's parents up to the stack."""
    parent = resource.get("parent")
    while parent:
        node = plan.by_urn(parent)
        yield node
        parent = node.get("parent")


def key_id(plan: PlanResult) -> str:
    return str(one(plan, "gcp:kms/cryptoKey:CryptoKey")["outputs"]["id"])

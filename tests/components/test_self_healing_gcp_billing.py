"""GCP self-healing with ``budget.billingExportTable``: the controller's configuration names the billing
export and the runtime image it retrains in, and the runtime account may read the export's dataset (in the
billing admin's project) and nothing more than without it.

Planned with the offline engine from the example stack ``Pulumi.risk-prod.yaml`` with ``selfHealing`` on
and the billing export set; compared with the same stack without it.
"""

from __future__ import annotations

import json
from functools import cache

import pytest

from components.self_healing.aws import IMAGE_TAG
from components.self_healing.gcp import IMAGE_NAME, billing_dataset
from stacks.engine import PlanResult, plan_config
from stacks.engine._config import load_stack_config

from .gcp_plans import RISK_STACK
from .self_healing_plans import SELF_HEALING, healing_risk
from .test_self_healing_gcp import _account, _config, _grants, _out

TABLE = "billing-admin-01.billing_export.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9"


@cache
def healing_risk_billing() -> PlanResult:
    import asyncio

    stack = load_stack_config(RISK_STACK)
    budget = {**json.loads(stack.values["mlkeel:budget"]), "billingExportTable": TABLE}
    values = {
        **stack.values,
        "mlkeel:selfHealing": json.dumps(SELF_HEALING),
        "mlkeel:budget": json.dumps(budget),
    }
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())
    return plan_config(values, stack=stack.stack, project=stack.project)


def test_config_names_the_billing_export_and_the_runtime_image_to_retrain_in() -> None:
    from runtime.self_healing._gcp_config import GcpControllerConfig

    plan = healing_risk_billing()
    config = _config(plan)
    assert config["billing_export_table"] == TABLE
    image = f"{_out(plan)['registry']['imageRepository']}/{IMAGE_NAME}:{IMAGE_TAG}"
    assert config["training_image"] == image == _out(plan)["selfHealing"]["image"]
    parsed = GcpControllerConfig.model_validate(config)
    assert parsed.training_image_uri() == image
    # the labels the guard filters the export by: this stack's own
    assert parsed.stack_labels() == {"team": "risk", "environment": "prod"}


def test_without_a_billing_export_the_config_has_none_and_still_the_training_image() -> None:
    config = _config(healing_risk())
    assert config["billing_export_table"] is None
    assert config["training_image"].endswith(f"/{IMAGE_NAME}:{IMAGE_TAG}")


def test_the_runtime_account_may_read_the_billing_export_dataset_and_nothing_more() -> None:
    with_export, without = healing_risk_billing(), healing_risk()
    member = _account(with_export, "runtime")["member"]
    added = set(_grants(with_export, member)) - set(_grants(without, _account(without, "runtime")["member"]))
    assert added == {("gcp:bigquery", "roles/bigquery.dataViewer", "billing_export")}
    (grant,) = [
        r["inputs"]
        for r in with_export.by_type("gcp:bigquery/datasetIamMember:DatasetIamMember")
        if r["urn"].endswith("self-healing-billing-export")
    ]
    # on the export's own project (the billing admin's), not the stack's
    assert grant == {
        "project": "billing-admin-01",
        "datasetId": "billing_export",
        "role": "roles/bigquery.dataViewer",
        "member": member,
    }


@pytest.mark.parametrize("table", ["billing_export.gcp_billing_export_v1_01", "a..b", "p.d.t.x"])
def test_billing_dataset_refuses_a_table_without_project_and_dataset(table: str) -> None:
    with pytest.raises(ValueError, match=r"project\.dataset\.gcp_billing_export_v1_XXXX"):
        billing_dataset(table)


def test_billing_dataset_splits_project_and_dataset() -> None:
    assert billing_dataset(TABLE) == ("billing-admin-01", "billing_export")

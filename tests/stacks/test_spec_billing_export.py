"""``budget.billingExportTable``: the Cloud Billing export the GCP self-healing budget guard reads the stack's
month-to-date spend from. Optional; a table that is no billing export, or the field on another cloud, is
refused naming the field, the value and what is allowed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stacks.stackspec import SpecError, validate_spec_data
from tests.stacks.test_spec_self_healing_runner import AWS, GCP

TABLE = "billing-admin-01.billing_export.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9"


def _with(base: dict[str, Any], table: str) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data["budget"] = {"monthlyLimitUsd": 500, "billingExportTable": table}
    return data


def _refusal(data: dict[str, Any]) -> str:
    with pytest.raises(SpecError) as caught:
        validate_spec_data(data, "Pulumi.fraud-dev.yaml")
    return str(caught.value)


@pytest.mark.parametrize(
    "table", [TABLE, "fraud-dev-4411.costs.gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9"]
)
def test_a_standard_or_detailed_billing_export_is_accepted_on_gcp(table: str) -> None:
    spec = validate_spec_data(_with(GCP, table), "Pulumi.fraud-dev.yaml")
    assert spec.budget.billing_export_table == table


def test_the_field_is_optional() -> None:
    assert validate_spec_data(copy.deepcopy(GCP), "Pulumi.fraud-dev.yaml").budget.billing_export_table is None


@pytest.mark.parametrize(
    "table",
    [
        "billing_export.gcp_billing_export_v1_01A2B3",  # no project: the dataset may live in another one
        "billing-admin-01.billing_export.invoices",  # a table, but no billing export
        "billing-admin-01.billing_export.gcp_billing_export_v1_01; DROP TABLE x",
        "Billing-Admin.billing_export.gcp_billing_export_v1_01A2B3",  # no project id
    ],
)
def test_a_table_that_is_no_billing_export_is_refused_naming_field_value_and_form(table: str) -> None:
    message = _refusal(_with(GCP, table))
    assert "budget.billingExportTable" in message and table in message
    assert "project.dataset.gcp_billing_export_v1_" in message


def test_the_field_on_aws_is_refused_naming_the_cloud_it_belongs_to() -> None:
    message = _refusal(_with(AWS, TABLE))
    assert "budget.billingExportTable" in message and "cloud: gcp only" in message

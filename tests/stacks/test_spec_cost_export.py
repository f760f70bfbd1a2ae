"""``budget.costExportS3Uri``: the AWS cost export (AWS Data Exports in S3) the self-healing budget guard
reads the stack's month-to-date spend from when AWS Budgets cannot be reached from private subnets.
Optional; a value that is no S3 prefix, or the field on another cloud, is refused naming the field, the
value and what is allowed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from stacks.stackspec import SpecError, validate_spec_data
from tests.stacks.test_spec_self_healing_runner import AWS, GCP

URI = "s3://billing-exports-123456789012/cur/"


def _with(base: dict[str, Any], uri: str) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data["budget"] = {"monthlyLimitUsd": 500, "costExportS3Uri": uri}
    return data


def _refusal(data: dict[str, Any]) -> str:
    with pytest.raises(SpecError) as caught:
        validate_spec_data(data, "Pulumi.fraud-dev.yaml")
    return str(caught.value)


@pytest.mark.parametrize("uri", [URI, "s3://central.billing/exports/focus-1.0/"])
def test_an_s3_prefix_is_accepted_on_aws(uri: str) -> None:
    assert validate_spec_data(_with(AWS, uri), "Pulumi.fraud-dev.yaml").budget.cost_export_s3_uri == uri


def test_the_field_is_optional() -> None:
    assert validate_spec_data(copy.deepcopy(AWS), "Pulumi.fraud-dev.yaml").budget.cost_export_s3_uri is None


@pytest.mark.parametrize(
    "uri",
    [
        "s3://billing-exports/",  # no prefix: the grant would be the whole bucket
        "s3://billing-exports/cur",  # no trailing '/': 'cur' would also match 'cur-other/'
        "s3://billing-exports/cur*/",  # an IAM wildcard in the prefix
        "https://billing-exports.s3.amazonaws.com/cur/",
        "s3://Billing_Exports/cur/",  # no bucket name
    ],
)
def test_a_value_that_is_no_s3_prefix_is_refused_naming_field_value_and_form(uri: str) -> None:
    message = _refusal(_with(AWS, uri))
    assert "budget.costExportS3Uri" in message and uri in message
    assert "s3://<bucket>/<prefix>/" in message


def test_the_field_on_gcp_is_refused_naming_the_cloud_it_belongs_to() -> None:
    message = _refusal(_with(GCP, URI))
    assert "budget.costExportS3Uri" in message and "cloud: aws only" in message

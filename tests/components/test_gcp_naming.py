"""GCP naming rules: every generated name fits its service's length and character rules (issue 3)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.gcp._naming import NAME_RULES, endpoint_id, gcp_name, name_problem

prefixes = st.from_regex(r"[a-z][a-z0-9-]{0,40}-(dev|test|staging|prod)", fullmatch=True)
roles = st.from_regex(r"[a-z][a-z0-9-]{0,70}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(NAME_RULES)), prefix=prefixes, role=roles)
def test_gcp_name_always_fits_the_service_rule(kind: str, prefix: str, role: str) -> None:
    name = gcp_name(kind, prefix, role)
    assert name_problem(kind, name) is None, (kind, name)
    assert name == gcp_name(kind, prefix, role)  # deterministic: no random suffix


@settings(max_examples=100, deadline=None)
@given(prefix=prefixes, a=roles, b=roles)
def test_gcp_name_keeps_long_names_apart(prefix: str, a: str, b: str) -> None:
    # Names are shortened with a hash of the full name, so distinct roles never share a name.
    if a.strip("-") != b.strip("-"):
        assert gcp_name("cluster", prefix, a) != gcp_name("cluster", prefix, b)


@pytest.mark.parametrize(
    ("kind", "prefix", "role", "expected"),
    [
        ("bucket", "fraud-ml-prod-fraud-prod", "artifacts", "fraud-ml-prod-fraud-prod-artifacts"),
        ("bigquery", "fraud-prod", "features", "fraud_prod_features"),
        ("vertex_store", "fraud-prod", "online", "fraud_prod_online"),
        ("service_account", "fraud-prod", "data-scientist", "fraud-prod-data-scientist"),
        ("cluster", "fraud-prod", "training", "fraud-prod-training"),
    ],
)
def test_gcp_name_examples(kind: str, prefix: str, role: str, expected: str) -> None:
    assert gcp_name(kind, prefix, role) == expected


def test_gcp_name_shortens_with_a_hash_within_the_limit() -> None:
    name = gcp_name("service_account", "a-very-long-team-name-prod", "data-scientist")
    assert len(name) <= 30 and re.fullmatch(r"[a-z][a-z0-9-]*[a-z0-9]", name)
    assert name.startswith("a-very-long-team")


def test_gcp_name_pads_short_service_account_ids() -> None:
    assert len(gcp_name("service_account", "ab", "")) >= 6


@pytest.mark.parametrize(
    ("kind", "value", "needle"),
    [
        ("compute", "9-vpc", "starting with a letter"),
        ("service_account", "short", "6-30 characters"),
        ("bucket", "Upper-Case", "lowercase"),
        ("cluster", "x" * 41, "1-40 characters"),
    ],
)
def test_gcp_name_problem_names_the_rule(kind: str, value: str, needle: str) -> None:
    problem = name_problem(kind, value)
    assert problem is not None and needle in problem


@given(st.text(min_size=1, max_size=60))
def test_gcp_endpoint_id_is_a_ten_digit_number_without_leading_zero(name: str) -> None:
    value = endpoint_id(name)
    assert re.fullmatch(r"[1-9][0-9]{9}", value) and value == endpoint_id(name)

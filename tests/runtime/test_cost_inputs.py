"""Bad input: malformed states and usage files fail with the file, field and value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.cost import (
    USAGE_DEFAULTS,
    StateError,
    UsageError,
    load_state,
    load_usage,
    parse_state,
    parse_usage,
    usage_skeleton,
)

URN = "urn:pulumi:dev::mlkeel::aws:s3/bucket:Bucket::b"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], r"x.json: \(top level\): must be a JSON object"),
        ({"version": 3}, "x.json: deployment: is missing"),
        ({"version": "3", "deployment": {}}, "x.json: version = '3': must be the number 3"),
        ({"version": 2, "deployment": {}}, "x.json: version = 2: must be the number 3"),
        ({"deployment": {"resources": {}}}, r"x.json: deployment.resources = \{\}: must be a list"),
        ({"deployment": {"resources": [1]}}, r"x.json: deployment.resources\[0\] = 1: must be an object"),
        (
            {"deployment": {"resources": [{"urn": "u"}]}},
            r"x.json: deployment.resources\[0\].type: is missing",
        ),
        (
            {"deployment": {"resources": [{"urn": URN, "type": "t", "custom": True, "inputs": []}]}},
            r"x.json: deployment.resources\[0\].inputs = \[\]: must be an object",
        ),
        (
            {"deployment": {"resources": [{"urn": URN, "type": "t", "custom": True}] * 2}},
            r"deployment.resources\[1\].urn = .*appears twice \(first at deployment.resources\[0\]\)",
        ),
    ],
)
def test_state_malformed_names_field(document: Any, message: str) -> None:
    with pytest.raises(StateError, match=message):
        parse_state(document, "x.json")


def test_state_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(StateError, match=r"missing\.json: state file not found"):
        load_state(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(StateError, match=r"bad.json: is not valid JSON \(line 1"):
        load_state(bad)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "deployment",
                    "resources",
                    "urn",
                    "type",
                    "custom",
                    "inputs",
                    "outputs",
                    "provider",
                    "id",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_state_parser_accepts_or_names_the_file_for_arbitrary_json(document: Any) -> None:
    """Any JSON either parses or raises StateError naming the file; any other exception fails the test."""
    try:
        parse_state(document, "fuzzed.json")
    except StateError as exc:
        assert str(exc).startswith("fuzzed.json"), str(exc)


def test_usage_defaults_when_no_file() -> None:
    usage = load_usage(None)
    assert usage.value("aws:s3/bucket:Bucket", "storage_gb", "b") == (50.0, "default")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": "0.2"}, "usage.yml: version = '0.2': allowed: 0.1"),
        ({"version": True}, "usage.yml: version = True: allowed: 0.1"),
        ({"version": 0.1, "extra": 1}, "usage.yml: extra: is not allowed; allowed: version, "),
        ({"version": 0.1, 3: 1}, "usage.yml: 3: is not allowed"),
        (
            {"version": 0.1, "resource_type_default_usage": {"aws:nope/x:X": {}}},
            "not a usage-priced resource type",
        ),
        (
            {"version": 0.1, "resource_type_default_usage": {"aws:s3/bucket:Bucket": {"storage": 1}}},
            r"usage.yml: resource_type_default_usage.aws:s3/bucket:Bucket.storage: is not a usage key of "
            r"aws:s3/bucket:Bucket; allowed: monthly_tier1_requests",
        ),
        (
            {"version": 0.1, "resource_usage": {"b": {"storage_gb": "lots"}}},
            r"usage.yml: resource_usage.b.storage_gb = 'lots': a number from 0 to 1e\+15",
        ),
        (
            {"version": 0.1, "resource_usage": {"b": {"storage_gb": -5}}},
            r"resource_usage.b.storage_gb = -5: a number from 0 to 1e\+15$",
        ),
        (
            {"version": 0.1, "resource_usage": {"b": {"storage_gb": -1}}},
            r"resource_usage.b.storage_gb = -1: a number from 0 to 1e\+15$",
        ),
        (
            {"version": 0.1, "resource_type_default_usage": {"aws:eks/nodeGroup:NodeGroup": {"nodes": -2}}},
            r"nodes = -2: a number from 0 to 1e\+15, or -1 to take it from the state",
        ),
        (
            {"version": 0.1, "resource_usage": {"b": {"storage_gb": float("nan")}}},
            r"resource_usage.b.storage_gb = nan: a number from 0",
        ),
        (
            {"version": 0.1, "resource_usage": {"b": {"storage_gb": float("inf")}}},
            r"resource_usage.b.storage_gb = inf: a number from 0",
        ),
        (
            {"version": 0.1, "resource_usage": {"b": {"storage_gb": 10**400}}},
            r"storage_gb = 1000.*: a number",
        ),
        (
            {"version": 0.1, "resource_usage": {"b": {"storage_gb": 2e15}}},
            r"storage_gb = 2000000000000000.0: a number",
        ),
        ({"version": 0.1, "resource_usage": {"b": {"storage_gb": True}}}, r"storage_gb = True: a number"),
        (
            {"version": 0.1, "resource_usage": {"b": [1]}},
            r"usage.yml: resource_usage.b = \[1\]: a mapping of usage keys",
        ),
        (
            {"version": 0.1, "resource_usage": [1]},
            r"usage.yml: resource_usage = \[1\]: a mapping of resource names",
        ),
        ({"version": 0.1, "resource_usage": {5: {}}}, r"usage.yml: resource_usage.5: a resource is named by"),
        ([1, 2], r"usage.yml: \(top level\): is a list; expected a mapping"),
    ],
)
def test_usage_malformed_names_field_value_and_allowed(document: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_usage(document, "usage.yml")


def test_usage_file_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"nope\.yml: usage file not found"):
        load_usage(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("version: [unclosed")
    with pytest.raises(UsageError, match=r"bad\.yml: is not valid YAML"):
        load_usage(bad)


def test_usage_resource_beats_type_default_beats_builtin() -> None:
    usage = parse_usage(
        {
            "version": 0.1,
            "resource_type_default_usage": {"aws:s3/bucket:Bucket": {"storage_gb": 10}},
            "resource_usage": {"urn:pulumi:s::p::aws:s3/bucket:Bucket::a": {"storage_gb": 99}},
        }
    )
    assert (
        usage.value("aws:s3/bucket:Bucket", "storage_gb", "a", "urn:pulumi:s::p::aws:s3/bucket:Bucket::a")[0]
        == 99
    )
    assert usage.value("aws:s3/bucket:Bucket", "storage_gb", "b")[0] == 10
    assert usage.value("aws:s3/bucket:Bucket", "monthly_tier1_requests", "b") == (100_000.0, "default")


def test_usage_skeleton_round_trips_and_lists_every_key() -> None:
    text = usage_skeleton()
    usage = parse_usage(yaml.safe_load(text))
    for rtype, keys in USAGE_DEFAULTS.items():
        for key, (default, _meaning) in keys.items():
            assert usage.type_defaults[rtype][key] == default
            assert key in text


def test_usage_skeleton_is_valid_json_compatible() -> None:
    json.dumps(yaml.safe_load(usage_skeleton()))

"""Bad input: malformed states and usage files fail with the file, field and value."""

from __future__ import annotations

import contextlib
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


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], r"field '\(top level\)' must be a JSON object"),
        ({"version": 3}, "field 'deployment' must be an object"),
        ({"deployment": {"resources": {}}}, "field 'deployment.resources' must be a list"),
        ({"deployment": {"resources": [1]}}, r"field 'deployment.resources\[0\]' must be an object"),
        (
            {"deployment": {"resources": [{"urn": "u"}]}},
            r"field 'deployment.resources\[0\].type' must be a non-empty string",
        ),
        (
            {"deployment": {"resources": [{"urn": "u", "type": "t", "inputs": []}]}},
            r"resources\[0\].inputs' must be an object",
        ),
    ],
)
def test_state_malformed_names_field(document: Any, message: str) -> None:
    with pytest.raises(StateError, match=message):
        parse_state(document, "x.json")


def test_state_file_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="no such state file"):
        load_state(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(StateError, match=r"bad.json: not valid JSON \(line 1"):
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
def test_state_parser_never_crashes_on_arbitrary_json(document: Any) -> None:
    with contextlib.suppress(StateError):
        parse_state(document)


def test_usage_defaults_when_no_file() -> None:
    usage = load_usage(None)
    assert usage.value("aws:s3/bucket:Bucket", "storage_gb", "b") == (50.0, "default")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"version": "0.2"}, "field 'version' has bad value '0.2'; allowed: 0.1"),
        ({"version": 0.1, "extra": 1}, "field 'extra' is not allowed"),
        (
            {"version": 0.1, "resource_type_default_usage": {"aws:nope/x:X": {}}},
            "not a usage-priced resource type",
        ),
        (
            {"version": 0.1, "resource_type_default_usage": {"aws:s3/bucket:Bucket": {"storage": 1}}},
            r"field 'resource_type_default_usage.aws:s3/bucket:Bucket.storage' is not a usage key of aws:s3/bucket:Bucket; allowed: monthly_tier1_requests",
        ),
        (
            {"version": 0.1, "resource_usage": {"b": {"storage_gb": "lots"}}},
            r"field 'resource_usage.b.storage_gb' has bad value 'lots'",
        ),
        (
            {"version": 0.1, "resource_usage": {"b": {"storage_gb": -5}}},
            "has bad value -5; allowed: a number >= 0",
        ),
        ({"version": 0.1, "resource_usage": {"b": [1]}}, "must be a mapping of usage keys"),
        ([1, 2], "top level must be a mapping"),
    ],
)
def test_usage_malformed_names_field_value_and_allowed(document: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_usage(document, "usage.yml")


def test_usage_file_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no such usage file"):
        load_usage(tmp_path / "nope.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("version: [unclosed")
    with pytest.raises(UsageError, match=r"bad\.yml: not valid YAML"):
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

"""Reading states: any malformed input is a ``StateError`` naming the file; wire values keep their shape."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.analyzer import StateError, parse_state, wire_value
from policies.analyzer._state import SECRET_SIG, SECRET_SIG_KEY
from policies.rules import SECRET_PLACEHOLDER

from ._kit import STATES

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
RESOURCE = st.fixed_dictionaries(
    {},
    optional={
        "urn": st.sampled_from(["urn:pulumi:s::p::aws:s3/bucket:Bucket::b", "bad", 3]),
        "type": st.sampled_from(["aws:s3/bucket:Bucket", "aws:nope/x:X", "mlkeel:index:Platform", None]),
        "custom": st.sampled_from([True, False, "yes"]),
        "inputs": JSON,
        "provider": st.sampled_from(["urn:pulumi:s::p::pulumi:providers:aws::aws::id", 1]),
    },
)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        JSON,
        st.fixed_dictionaries(
            {
                "version": st.sampled_from([3, 2, "3"]),
                "deployment": st.fixed_dictionaries({"resources": st.lists(RESOURCE, max_size=3)}),
            }
        ),
    )
)
def test_state_parse_fails_only_with_state_error(data):
    try:
        state = parse_state(json.dumps(data), Path("fuzz.json"))
    except StateError as exc:
        assert str(exc).startswith("fuzz.json: ")
    else:
        assert all(r.urn.startswith("urn:pulumi:") for r in state.resources)


@given(JSON)
def test_state_wire_value_is_identity_without_secrets(value):
    assert wire_value(value) == value


def test_state_wire_value_turns_ciphertext_into_secret_placeholder():
    envelope = {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": "v1:abc"}
    assert wire_value({"a": [envelope]}) == {"a": [{SECRET_SIG_KEY: SECRET_SIG, "value": SECRET_PLACEHOLDER}]}
    shown = {SECRET_SIG_KEY: SECRET_SIG, "plaintext": json.dumps({"k": 1})}
    assert wire_value(shown) == {SECRET_SIG_KEY: SECRET_SIG, "value": {"k": 1}}


def test_state_fixture_resolves_providers_and_names():
    state = parse_state((STATES / "aws_good.json").read_text(), STATES / "aws_good.json")
    assert (state.stack, state.project) == ("fraud-dev", "mlkeel")
    bucket = next(r for r in state.resources if r.name == "fraud-dev-registry-artifacts")
    provider = state.provider_of(bucket)
    assert provider is not None and provider.type == "pulumi:providers:aws"

"""Usage files as users hand them over: every file either prices or fails naming the file, never crashes.

The fuzz tests go through ``load_usage`` and ``estimate_cost`` (what ``keel cost --usage`` calls), with
random bytes, random YAML built from the usage vocabulary, and mutations of a valid usage file.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlkeel.files import InputError
from runtime.cost import (
    MAX_USAGE_VALUE,
    USAGE_DEFAULTS,
    StackState,
    UsageError,
    check_usage_resources,
    estimate_cost,
    load_state,
    load_usage,
    parse_usage,
)
from runtime.pricing import load_catalog

FIXTURES = Path(__file__).parent / "fixtures" / "cost"
VALID = FIXTURES / "usage_fraud_dev.yml"


@pytest.fixture(scope="module")
def fraud() -> StackState:
    return load_state(FIXTURES / "aws_fraud_dev.json")


@pytest.fixture(scope="module")
def fraud_head() -> StackState:
    return load_state(FIXTURES / "aws_fraud_dev_head.json")


_STATE = load_state(FIXTURES / "aws_fraud_dev.json")
_CATALOG = load_catalog()


def _price_through_user_path(path: Path) -> None:
    """What ``keel cost STATE --usage PATH`` does with the file; returns only if pricing succeeded."""
    usage = load_usage(path)
    est = estimate_cost(_STATE, catalog=_CATALOG, usage=usage)
    for res in est.resources:
        for line in res.lines:
            assert math.isfinite(line.monthly) and line.monthly >= 0, (res.name, line)
            assert math.isfinite(line.high) and line.low <= line.monthly + 1e-6 <= line.high + 2e-6, (
                res.name,
                line,
            )


def _accepts_or_names_the_file(path: Path) -> None:
    try:
        _price_through_user_path(path)
    except UsageError as exc:
        assert isinstance(exc, InputError)
        assert str(exc).startswith(str(path)), str(exc)
        assert exc.file == str(path)


def test_valid_usage_file_prices_its_values(fraud: StackState) -> None:
    usage = load_usage(VALID)
    by = {r.name: r for r in estimate_cost(fraud, usage=usage).resources}
    bucket = [line.assumption for line in by["fraud-dev-registry-artifacts"].lines]
    assert bucket == [
        "storage_gb=12,000 (usage file (fraud-dev-registry-artifacts))",  # the resource's own value wins
        "monthly_tier1_requests=500,000 (usage file (type default))",
        "monthly_tier2_requests=1,000,000 (default)",
    ]
    assert by["fraud-dev-registry-images"].lines[0].quantity == 150.5
    assert "3 nodes (usage file (urn:pulumi:" in by["fraud-dev-training-gpu-spot"].lines[0].assumption


# -- fuzz ----------------------------------------------------------------------------------------------------
_KEYS = sorted({k for keys in USAGE_DEFAULTS.values() for k in keys} | {"version", "storage", ""})
_NAMES = [
    "version",
    "resource_usage",
    "resource_type_default_usage",
    "fraud-dev-registry-artifacts",
    "fraud-dev-training-gpu-spot",
    "fraud-dev-key",
    "aws:s3/bucket:Bucket",
    "aws:eks/nodeGroup:NodeGroup",
    "gcp:storage/bucket:Bucket",
    *_KEYS,
]
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["0.1", "lots", "-1", "1e400", ".nan", "2026-01-01"])
)
_documents = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(_NAMES) | st.integers(0, 3), children, max_size=4)
    ),
    max_leaves=15,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes_as_usage_file(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "usage.yml"
    path.write_bytes(data)
    _accepts_or_names_the_file(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_documents, version=st.booleans())
def test_fuzz_random_yaml_as_usage_file(
    tmp_path_factory: pytest.TempPathFactory, document: Any, version: bool
) -> None:
    if version and isinstance(document, dict):
        document = {"version": 0.1, **document}
    path = tmp_path_factory.mktemp("yaml") / "usage.yml"
    try:
        text = yaml.safe_dump(document, allow_unicode=True)
    except yaml.YAMLError:
        return
    path.write_text(text, encoding="utf-8")
    _accepts_or_names_the_file(path)


_mutation = st.tuples(
    st.sampled_from(["replace", "insert", "delete", "swap-lines", "duplicate-line"]),
    st.integers(0, 10_000),
    st.integers(1, 12),
    st.binary(min_size=1, max_size=8)
    | st.sampled_from([b"-", b"-1", b"nan", b".inf", b"e999", b":", b"  ", b"\t", b"&a", b"*a"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(_mutation, min_size=1, max_size=4))
def test_fuzz_mutated_valid_usage_file(
    tmp_path_factory: pytest.TempPathFactory, mutations: list[tuple[str, int, int, bytes]]
) -> None:
    data = bytearray(VALID.read_bytes())
    for kind, where, length, insert in mutations:
        at = where % (len(data) + 1)
        if kind == "replace":
            data[at : at + len(insert)] = insert
        elif kind == "insert":
            data[at:at] = insert
        elif kind == "delete":
            del data[at : at + length]
        else:
            lines = bytes(data).split(b"\n")
            i = where % len(lines)
            j = (where + length) % len(lines)
            if kind == "swap-lines":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.insert(j, lines[i])
            data = bytearray(b"\n".join(lines))
    path = tmp_path_factory.mktemp("mutated") / "usage.yml"
    path.write_bytes(bytes(data))
    _accepts_or_names_the_file(path)


@settings(max_examples=150, deadline=None)
@given(
    key=st.sampled_from(sorted({(t, k) for t, keys in USAGE_DEFAULTS.items() for k in keys})),
    value=st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**30), 10**30),
)
def test_usage_values_accepted_exactly_when_meaningful(key: tuple[str, str], value: float) -> None:
    """A value is accepted iff it is finite, within 0..MAX_USAGE_VALUE,
    or -1 where -1 means "from the state"."""
    rtype, name = key
    document = {"version": 0.1, "resource_type_default_usage": {rtype: {name: value}}}
    from_state = USAGE_DEFAULTS[rtype][name][0] == -1
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    meaningful = (math.isfinite(number) and 0 <= number <= MAX_USAGE_VALUE) or (from_state and number == -1)
    if meaningful:
        assert parse_usage(document, "u.yml").type_defaults[rtype][name] == number
    else:
        with pytest.raises(
            UsageError, match=f"^{re.escape(f'u.yml: resource_type_default_usage.{rtype}.{name} = ')}"
        ):
            parse_usage(document, "u.yml")


# -- unreadable files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"version: 0.1\n\xff\xfe"), "is not UTF-8 text (byte 13, line 2)"),
        (lambda p: p.symlink_to(p), "is a symbolic link loop; expected a usage file"),
        (lambda p: p.mkdir(), "is a folder; expected a usage file"),
        (lambda p: os.mkfifo(p), "is not a regular file"),
        (lambda p: p.write_text("a: 1\na: 2\n"), "is given twice"),
        (lambda p: p.write_text("version: 0.1\nresource_usage: !!binary aGVsbG8=\n"), "is !!binary data"),
        (lambda p: p.write_text("a: &a [*a, *a]\n"), "refers to itself"),
    ],
)
def test_unreadable_usage_file_is_a_usage_error_naming_it(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "usage.yml"
    make(path)
    with pytest.raises(UsageError, match=f"^{re.escape(str(path))}: ") as caught:
        load_usage(path)
    assert message in str(caught.value)


# -- resources the usage file names --------------------------------------------------------------------------
def test_usage_for_a_resource_no_state_has_is_refused_with_suggestions(fraud: StackState) -> None:
    usage = load_usage(FIXTURES / "usage_typo.yml")
    with pytest.raises(UsageError) as caught:
        estimate_cost(fraud, usage=usage)
    message = str(caught.value)
    assert message.startswith(f"{FIXTURES / 'usage_typo.yml'}: resource_usage.fraud-dev-registry-artifact: ")
    assert "names no resource of fraud-dev; did you mean 'fraud-dev-registry-artifacts'" in message


def test_usage_key_the_resource_type_does_not_use_is_refused(fraud: StackState) -> None:
    usage = parse_usage({"version": 0.1, "resource_usage": {"fraud-dev-key": {"storage_gb": 1}}}, "u.yml")
    with pytest.raises(
        UsageError,
        match=r"^u\.yml: resource_usage\.fraud-dev-key\.storage_gb: is not a usage key of aws:kms/key:Key",
    ):
        estimate_cost(fraud, usage=usage)


def test_minus_one_only_where_it_means_from_the_state(fraud: StackState) -> None:
    """``nodes: -1`` passes parsing (node groups take it)
    but not on a resource whose key means no such thing."""
    ok = parse_usage(
        {"version": 0.1, "resource_usage": {"fraud-dev-training-gpu-spot": {"nodes": -1}}}, "u.yml"
    )
    estimate_cost(fraud, usage=ok)
    with pytest.raises(UsageError, match="storage_gb = -1"):
        parse_usage(
            {"version": 0.1, "resource_usage": {"fraud-dev-registry-artifacts": {"storage_gb": -1}}}, "u.yml"
        )


def test_usage_names_checked_against_every_compared_state(fraud: StackState, fraud_head: StackState) -> None:
    """A resource only the head has is a fine usage target when both states are given,
    refused for the base alone."""
    usage = load_usage(FIXTURES / "usage_head_only.yml")
    check_usage_resources(usage, [fraud, fraud_head])
    with pytest.raises(UsageError, match=r"resource_usage\.scratch-untagged: names no resource of fraud-dev"):
        check_usage_resources(usage, [fraud])
    head = estimate_cost(fraud_head, usage=usage)
    scratch = next(r for r in head.resources if r.name == "scratch-untagged")
    assert scratch.lines[0].quantity == 800

"""The pack's fast paths (issue 19 throughput) must not change a single answer.

- ``struct_to_dict`` replaces ``json_format.MessageToDict`` for resource properties: same values, same
  types, same key order, same refusal of non-finite numbers;
- ``AnalyzeStack`` decodes a resource's properties when a stack policy first reads them: the value read
  is the eager decode's;
- the client sends ``Analyze`` over ``grpc.aio`` (or, inside a running event loop, one future per call)
  and ``AnalyzeStack`` before the resources: the findings, and their order, are the same either way.
"""

from __future__ import annotations

import asyncio
import json
import math

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi_policy.deserialize import deserialize_properties

from policies._server import _LazyPropsResource, struct_to_dict
from policies.analyzer import AnalyzerSession, check_states, parse_state
from policies.analyzer._state import wire_value
from policies.packs import pack_dir

from ._kit import BASE_STATES, STATES


def _structs() -> list[struct_pb2.Struct]:
    out = []
    for name in BASE_STATES:
        for resource in json.loads((STATES / name).read_text())["deployment"]["resources"]:
            for key in ("inputs", "outputs"):
                struct = struct_pb2.Struct()
                struct.update(wire_value(resource.get(key) or {}))
                out.append(struct)
    edge = struct_pb2.Struct()
    edge.update(
        {
            "empty": {},
            "none": None,
            "list": [1, 2.5, "x", True, None, [], {"a": [{}]}],
            "big": 2.0**60,
            "negative zero": -0.0,
            "text": "ünïcode ✓",
            "false": False,
        }
    )
    return [*out, edge]


def test_struct_to_dict_equals_message_to_dict_on_every_fixture_resource() -> None:
    for struct in _structs():
        expected = json_format.MessageToDict(struct)
        got = struct_to_dict(struct)
        # == alone would let 1 == 1.0 == True through: compare the JSON text and the key order as well
        assert json.dumps(got) == json.dumps(expected)
        assert got == expected


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_struct_to_dict_refuses_non_finite_numbers_like_message_to_dict(number: float) -> None:
    struct = struct_pb2.Struct()
    struct.fields["n"].number_value = number
    with pytest.raises(ValueError) as expected:
        json_format.MessageToDict(struct)
    with pytest.raises(ValueError, match="Fail to serialize") as got:
        struct_to_dict(struct)
    assert str(got.value) == str(expected.value)


def test_lazy_stack_resource_reads_the_eager_decode() -> None:
    struct = _structs()[3]
    resource = _LazyPropsResource(struct, "aws:s3/bucket:Bucket", "urn:x", "x", None, None)
    assert resource.parent is None and resource.dependencies == [] and resource.property_dependencies == {}
    eager = deserialize_properties(json_format.MessageToDict(struct))
    assert dict(resource.props) == eager
    assert resource.props is resource.props  # decoded once, then the same object


def _keys(findings) -> list[tuple]:
    return [(f.policy, f.urn, f.status, f.message) for f in findings]


def test_analyze_leaves_the_thread_able_to_get_an_event_loop() -> None:
    """Regression: ``asyncio.run`` in the client left the thread without a loop, and planning (the Pulumi
    SDK calls ``asyncio.get_event_loop``) failed in the same process after a check."""
    state = parse_state((STATES / "aws_good.json").read_text(), STATES / "aws_good.json")
    policy = asyncio.get_event_loop_policy()
    mine = asyncio.new_event_loop()
    policy.set_event_loop(mine)  # left in place: what get_event_loop would have made for later tests
    check_states([state], pack_dir("mlkeel"), workers=1)
    assert policy.get_event_loop() is mine


def test_findings_are_the_same_over_aio_and_over_futures() -> None:
    state = parse_state((STATES / "aws_good.json").read_text(), STATES / "aws_good.json")
    broken = json.loads((STATES / "aws_good.json").read_text())
    for resource in broken["deployment"]["resources"]:
        if resource["type"] == "aws:ecr/repository:Repository":
            for key in ("inputs", "outputs"):
                resource[key]["encryptionConfigurations"] = [{"encryptionType": "AES256"}]
    bad = parse_state(json.dumps(broken), STATES / "aws_good.json")
    with AnalyzerSession(pack_dir("mlkeel"), workers=2) as session:
        session.handshake(pack_dir("mlkeel").resolve())
        session.configure_stack(state)
        session.configure({}, "policy-config.json")
        for current in (state, bad):
            over_aio, count = session.analyze_resources(current)

            async def inside_a_loop(current=current):
                return session.analyze_resources(current)

            loop = asyncio.new_event_loop()  # not asyncio.run: it would leave this thread without a loop
            try:
                over_futures, count_futures = loop.run_until_complete(inside_a_loop())
            finally:
                loop.close()
            assert count == count_futures == len(current.resources) - 1
            assert _keys(over_aio) == _keys(over_futures)
        assert over_aio, "the unencrypted repositories must be found"


def test_stack_findings_come_after_the_resources_when_sent_first() -> None:
    broken = json.loads((STATES / "aws_good.json").read_text())
    resources = broken["deployment"]["resources"]
    broken["deployment"]["resources"] = [r for r in resources if r["type"] != "aws:budgets/budget:Budget"]
    for resource in broken["deployment"]["resources"]:
        if resource["type"] == "aws:ecr/repository:Repository":
            for key in ("inputs", "outputs"):
                resource[key]["encryptionConfigurations"] = [{"encryptionType": "AES256"}]
    state = parse_state(json.dumps(broken), STATES / "aws_good.json")
    result = check_states([state], pack_dir("mlkeel"), workers=2)
    with AnalyzerSession(pack_dir("mlkeel"), workers=1) as session:
        session.handshake(pack_dir("mlkeel").resolve())
        session.configure_stack(state)
        session.configure({}, "policy-config.json")
        resources, _ = session.analyze_resources(state)
        in_engine_order = resources + session.analyze_stack(state)
    assert _keys(result.findings) == _keys(in_engine_order)
    policies = [f.policy for f in result.findings]
    assert len(set(policies)) >= 2 and policies[-1] != policies[0], "needs resource and stack findings"

"""Engine scenarios run one after another in a fresh interpreter (see test_engine_fresh_process.py).

Each scenario plans a small program and checks its own result; ``python -m tests.stacks.engine_scenarios
late_output plain`` runs them in that order and exits non-zero on the first failure. Order and process
freshness matter here: the engine must keep no per-process state (event loops, callback servers,
settings) that makes one run depend on what ran before it.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

import pulumi
import pulumi_aws as aws

from stacks.engine import plan_config


def late_output() -> None:
    """A transform returns an Output the program's loop resolves only later (another resource's output).

    Deterministic version of "a transform returns another resource's output": the value is not ready when
    the transform runs, so the callback must wait on the program's own loop.
    """

    def program() -> None:
        loop = asyncio.get_event_loop()
        value: asyncio.Future[str] = loop.create_future()
        known: asyncio.Future[bool] = loop.create_future()
        secret: asyncio.Future[bool] = loop.create_future()
        loop.call_later(0.2, value.set_result, "resolved-later")
        loop.call_later(0.2, known.set_result, True)
        loop.call_later(0.2, secret.set_result, False)
        late = pulumi.Output(set(), value, known, secret)

        def rename(a: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
            return pulumi.ResourceTransformResult({**a.props, "displayName": late}, a.opts)

        aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(transforms=[rename]))

    result = plan_config({}, program=program)
    topic = result.by_type("aws:sns/topic:Topic")[0]
    assert topic["inputs"]["displayName"] == "resolved-later", topic["inputs"]


def other_resource_output() -> None:
    """The user's case: a transform returns the output of a resource registered just before."""

    def program() -> None:
        first = aws.s3.Bucket("first")

        def name_topic(a: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
            if a.type_ != "aws:sns/topic:Topic":
                return None
            return pulumi.ResourceTransformResult({**a.props, "displayName": first.bucket}, a.opts)

        aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(transforms=[name_topic]))

    result = plan_config({}, program=program)
    topic = result.by_type("aws:sns/topic:Topic")[0]
    assert topic["inputs"]["displayName"] == result.by_type("aws:s3/bucket:Bucket")[0]["outputs"]["bucket"]


def plain() -> None:
    """A program with no transforms and a secret config value."""

    def program() -> None:
        aws.s3.Bucket("data", tags={"team": pulumi.Config("mlkeel").require("team")})

    result = plan_config({"mlkeel:team": "fraud"}, program=program)
    assert result.by_type("aws:s3/bucket:Bucket")[0]["inputs"]["tags"] == {"team": "fraud"}


SCENARIOS: dict[str, Callable[[], None]] = {
    "late_output": late_output,
    "other_resource_output": other_resource_output,
    "plain": plain,
}


def main(names: list[str]) -> int:
    for name in names:
        SCENARIOS[name]()
        print(f"ok {name}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Fixtures of the self-healing tests: one moto server per worker, a fresh stack per test, fast backoff."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import botocore.loaders
import botocore.retries.standard
import botocore.session
import pytest

from runtime.self_healing import Clients, Controller, RunSummary
from tests.runtime.self_healing._moto import CREDENTIALS, REGION, MotoServer
from tests.runtime.self_healing._stack import Clock, Stack, new_reference_artifacts


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def reference() -> tuple[bytes, bytes, Any]:
    return new_reference_artifacts()


@pytest.fixture(autouse=True)
def fast_backoff() -> Iterator[None]:
    """botocore's real retry policy, with its backoff scaled down (loop-and-scale.md §1)."""
    scales = {"throttling_base_scale": 0.001, "non_throttling_base_scale": 0.001}
    with mock.patch.dict(botocore.retries.standard.ExponentialBackoff._DEFAULT_BACKOFF_CONFIG, scales):
        yield


@pytest.fixture
def stack(moto_server: MotoServer, reference: tuple[bytes, bytes, Any]) -> Stack:
    moto_server.reset()
    return Stack(moto_server.url, Clock(), reference).build()


@pytest.fixture(autouse=True)
def _runtime_clients(request: pytest.FixtureRequest) -> None:
    if "stack" in request.fixturenames:
        request.getfixturevalue("clients")


class Hooks:
    """botocore hooks of the current run (fault injection), registered once on the test's session."""

    def __init__(self) -> None:
        self.current: list[tuple[str, Any]] = []

    def before_send(self, **kw: Any) -> Any:
        for event, handler in list(self.current):
            if event == "before-send":
                response = handler(**kw)
                if response is not None:
                    return response
        return None

    def after_call(self, **kw: Any) -> None:
        for event, handler in list(self.current):
            if event == "after-call":
                handler(**kw)


#: One loader for every session: parsing the service models again for each test costs ~1 s.
_LOADER = botocore.loaders.create_loader()


@pytest.fixture
def clients(stack: Stack) -> tuple[Clients, Hooks]:
    """The controller's clients for one test (a fresh retry quota per test), with its hooks."""
    hooks = Hooks()
    core = botocore.session.get_session()
    core.register_component("data_loader", _LOADER)
    core.register("before-send", hooks.before_send)
    core.register("after-call", hooks.after_call)
    sess = boto3.Session(botocore_session=core, region_name=REGION, **CREDENTIALS)
    stack.runtime = (Clients(REGION, endpoint_url=stack.url, session=sess), hooks)
    return stack.runtime


def run(
    stack: Stack,
    config: Any = None,
    *,
    hooks: list[tuple[str, Any]] | tuple[()] = (),
    dry_run: bool = False,
    fresh: bool = False,
    **kw: Any,
) -> RunSummary:
    """One controller run against the stack (the ``clients`` fixture's clients, this run's hooks)."""
    runtime_clients, current = stack.runtime
    current.current = list(hooks)
    if fresh:  # as in a stack: new clients per run, so botocore's retry quota starts full
        runtime_clients = Clients(REGION, endpoint_url=stack.url, session=runtime_clients.session)
    controller = Controller(
        config or stack.config(),
        runtime_clients,
        clock=stack.clock,
        dry_run=dry_run,
        sleep=lambda s: None,
        **kw,
    )
    return controller.run()

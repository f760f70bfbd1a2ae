"""Prometheus on Kubernetes: a run pushes its figures to the configured Pushgateway (a receiver on 127.0.0.1
that stores what prometheus-client sends, as a Pushgateway does) and survives one that is down."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.runtime.self_healing._stack import ENDPOINT, Stack
from tests.runtime.self_healing.conftest import run


class Receiver:
    """TEST SUPPORT: accepts Pushgateway pushes (PUT/POST /metrics/job/...) and keeps them by path."""

    def __init__(self) -> None:
        self.pushes: list[tuple[str, str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _store(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                receiver.pushes.append((self.command, self.path, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_POST = _store

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def _samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def test_pushgateway_receives_the_runs_figures_grouped_by_stack_and_endpoint(
    stack: Stack, receiver: Receiver
) -> None:
    stack.capture("drifted")
    summary = run(stack, stack.config().model_copy(update={"pushgateway_url": receiver.url}))
    assert summary.status == "ok", summary
    ((method, path, body),) = receiver.pushes
    assert method == "PUT"  # replaces the endpoint's previous figures
    assert path == f"/metrics/job/mlkeel-self-healing/endpoint/{ENDPOINT}/stack/fraud-dev"
    judged = next(r for r in stack.audit() if r["step"] == "judge")
    samples = _samples(body)
    assert samples[("mlkeel_drift_share", (("endpoint", ENDPOINT),))] == pytest.approx(
        judged["figures"]["drift_share"]
    )
    assert samples[("mlkeel_accuracy", (("endpoint", ENDPOINT),))] == pytest.approx(
        judged["figures"]["accuracy"]
    )
    assert judged["pushgateway"] == {"samples": len(samples)}


def test_pushgateway_down_is_recorded_and_the_run_still_acts(stack: Stack) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    stack.capture("drifted")
    summary = run(stack, stack.config().model_copy(update={"pushgateway_url": closed}))
    assert summary.status == "ok" and summary.endpoints[ENDPOINT]["decision"] == "retrain", summary
    judged = next(r for r in stack.audit() if r["step"] == "judge")
    assert judged["pushgateway"]["samples"] == 0 and "error" in judged["pushgateway"]
    assert judged["metrics_published"] > 0  # CloudWatch still has them


def test_pushgateway_off_by_default_pushes_nothing(stack: Stack, receiver: Receiver) -> None:
    stack.capture("drifted")
    run(stack)
    assert receiver.pushes == []
    assert "pushgateway" not in next(r for r in stack.audit() if r["step"] == "judge")

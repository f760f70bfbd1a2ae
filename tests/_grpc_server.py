"""TEST SUPPORT ONLY: the lifecycle the local Google API servers share (Vertex AI, Cloud Monitoring).

Each server is a real gRPC server on 127.0.0.1 speaking the service's own protobuf types; a subclass says
which handlers it serves (``_handlers``) and keeps the service's state.
"""

from __future__ import annotations

from concurrent import futures
from typing import Self

import grpc


class LocalGrpcServer:
    """Start on a free port of 127.0.0.1, stop without grace; usable as a context manager."""

    #: Threads answering calls (a controller under test makes a few at once).
    WORKERS = 4

    def __init__(self) -> None:
        self._server: grpc.Server | None = None
        self.port = 0

    def _handlers(self) -> list[grpc.GenericRpcHandler]:
        raise NotImplementedError

    def start(self) -> Self:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=self.WORKERS), handlers=self._handlers())
        self.port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=None)
            self._server = None

    @property
    def address(self) -> str:
        """``127.0.0.1:<port>``: what a client's endpoint override takes."""
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

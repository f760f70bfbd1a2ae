"""TEST SUPPORT ONLY: faults between the controller and moto, as botocore event hooks on every client.

``Faults`` answers chosen operations with throttling, a 500 or a timeout before they reach moto, or sends
them and then times out (the call landed, the answer was lost: the ambiguous case idempotency is for).
``Crash`` kills a run (a ``BaseException`` nothing in the controller catches, like a killed process)
just before or just after the n-th call of an operation.
"""

from __future__ import annotations

import contextlib
import io
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError


class _Raw(io.BytesIO):
    def stream(self, **_: Any) -> Any:
        while chunk := self.read():
            yield chunk


class Crash(BaseException):
    """The process died here."""


def _operation(event_name: str) -> str:
    return event_name.rsplit(".", 1)[-1]


@dataclass
class Faults:
    """The first attempt of each call of ``operations`` fails with ``kind``; counts what it injected."""

    kind: str
    operations: set[str] | None = None  # None: every operation
    always: bool = False  # every attempt, not only the first of each call
    services: set[str] | None = None  # None: every service
    injected: Counter[str] = field(default_factory=Counter)
    _retrying: set[str] = field(default_factory=set)

    def __call__(self, request: Any, event_name: str, **_: Any) -> Any:
        op = _operation(event_name)
        if self.operations is not None and op not in self.operations:
            return None
        if self.services is not None and event_name.split(".")[1] not in self.services:
            return None
        if self.always:
            self.injected[op] += 1
            return self._fail(request, event_name)
        # one fault per call: calls are sequential, so the attempt after a fault is that call's retry
        if op in self._retrying:
            self._retrying.discard(op)
            return None
        self._retrying.add(op)
        self.injected[op] += 1
        return self._fail(request, event_name)

    def _fail(self, request: Any, event_name: str) -> Any:
        if self.kind == "throttle":
            # in the service's own protocol: awsJson services name the exception; the others get a bare 429
            service = event_name.split(".")[1]
            if service == "s3":
                body = (
                    b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                )
                return AWSResponse(request.url, 503, {}, _Raw(body))
            if service == "sns":
                body = (
                    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                    b"<Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>"
                )
                return AWSResponse(request.url, 400, {}, _Raw(body))
            body = b'{"__type":"ThrottlingException","message":"Rate exceeded"}'
            return AWSResponse(request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, _Raw(body))
        if self.kind == "500":
            return AWSResponse(request.url, 500, {}, _Raw(b""))
        if self.kind == "timeout":
            raise ReadTimeoutError(endpoint_url=request.url)
        if self.kind == "landed-timeout":
            body = request.body
            if isinstance(body, str):
                body = body.encode()
            elif body is not None and not isinstance(body, bytes):
                body = body.read()
                request.body.seek(0)
            sent = urllib.request.Request(
                request.url, data=body, headers=dict(request.headers), method=request.method
            )
            with contextlib.suppress(Exception):  # only the landing matters; its answer is "lost"
                urllib.request.urlopen(sent, timeout=30).read()
            raise ReadTimeoutError(endpoint_url=request.url)
        raise AssertionError(self.kind)


@dataclass
class CrashAt:
    """Raise :class:`Crash` ``when`` ("before"/"after") the ``occurrence``-th call of ``operation``."""

    operation: str
    occurrence: int
    when: str
    calls: int = 0
    fired: bool = False

    def before_send(self, request: Any, event_name: str, **_: Any) -> None:
        if self.when == "before" and _operation(event_name) == self.operation:
            self.calls += 1
            if self.calls == self.occurrence:
                self.fired = True
                raise Crash(f"before {self.operation} #{self.occurrence}")

    def after_call(self, event_name: str, **_: Any) -> None:
        if self.when == "after" and _operation(event_name) == self.operation:
            self.calls += 1
            if self.calls == self.occurrence:
                self.fired = True
                raise Crash(f"after {self.operation} #{self.occurrence}")

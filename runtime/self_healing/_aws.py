"""boto3 clients for one run, with bounded retries, and a retry loop for calls botocore must not retry.

Why two kinds of retry: botocore's ``standard`` mode already retries throttling, 5xx and timeouts with
exponential backoff and full jitter, bounded by ``total_max_attempts``; every idempotent call (reads,
conditional writes, writes under a deterministic name) uses it. A *create* that makes something new on
each call (``CreateModelPackage`` makes a new version every time) must not be resent blindly after a
timeout: the first attempt may have landed. Those calls go through :func:`retry_create`, which asks
"did it land?" before each new attempt.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError

__all__ = [
    "MAX_ATTEMPTS",
    "Clients",
    "error_code",
    "is_retryable",
    "retry_create",
]

#: Attempts per call (the first one included) for botocore's standard retry mode.
MAX_ATTEMPTS = 5

T = TypeVar("T")

_RETRYABLE_CODES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "SlowDown",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "500",
    "502",
    "503",
    "504",
}


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ``ClientError`` (``''`` for anything else)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def is_retryable(exc: BaseException) -> bool:
    """Throttling, a 5xx or a lost connection: worth another attempt after a pause."""
    if isinstance(exc, (ReadTimeoutError, ConnectionError)):
        return True
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error_code(exc) in _RETRYABLE_CODES or int(status or 0) >= 500
    return isinstance(exc, BotoCoreError) and "timeout" in type(exc).__name__.lower()


def retry_create(
    create: Callable[[], T],
    landed: Callable[[], T | None],
    *,
    attempts: int = MAX_ATTEMPTS,
    base_seconds: float = 0.2,
    cap_seconds: float = 20.0,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> T:
    """Call ``create`` at most ``attempts`` times, with full-jitter backoff between attempts.

    Before every attempt after the first, ``landed()`` looks for what an earlier attempt may have made
    (its result, or None): a timed-out create that did land is not made twice.
    """
    rng = rng or random.Random()
    for attempt in range(attempts):
        if attempt:
            sleep(rng.uniform(0, min(cap_seconds, base_seconds * 2**attempt)))
            found = landed()
            if found is not None:
                return found
        try:
            return create()
        except Exception as exc:
            if not is_retryable(exc) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class Clients:
    """The boto3 clients one run uses, built once: same region, endpoint, timeouts and retry policy.

    ``endpoint_url`` points every client at a stand-in (moto on 127.0.0.1 in the tests); None is AWS.
    """

    def __init__(
        self,
        region: str,
        *,
        endpoint_url: str | None = None,
        session: boto3.Session | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        read_timeout: float = 30.0,
    ) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self.session = session or boto3.Session()
        self._cache: dict[tuple[str, str, bool], Any] = {}
        self._retrying = Config(
            region_name=region,
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            connect_timeout=5,
            read_timeout=read_timeout,
        )
        self._single = self._retrying.merge(Config(retries={"mode": "standard", "total_max_attempts": 1}))

    def client(self, service: str, *, region: str | None = None, retry: bool = True) -> Any:
        """A client for ``service``; ``retry=False`` gives one attempt per call (for :func:`retry_create`)."""
        key = (service, region or self.region, retry)
        if key not in self._cache:
            config = self._retrying if retry else self._single
            if region and region != self.region:
                config = config.merge(Config(region_name=region))
            self._cache[key] = self.session.client(service, endpoint_url=self.endpoint_url, config=config)
        return self._cache[key]

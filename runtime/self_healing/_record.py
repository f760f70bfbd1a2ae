"""The append-only audit log and the loop's state, both in the stack's bucket.

Audit: one JSON object per record, ``self-healing/audit/YYYY/MM/DD/<run id>/<seq>.json``, written with
``If-None-Match: *`` so a record, once written, is never overwritten (a retried put that already landed
gets 412 and is taken as written). Each record is durable the moment its call returns: a run killed
between two steps loses nothing it recorded. Reading the log is listing the prefix in key order (run ids
start with the run's UTC start time, so keys sort by time).

State: ``self-healing/state/<endpoint>.json``, written with ``If-Match`` on the ETag read at the start,
so a run that lost its lease cannot overwrite a newer state.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from runtime.self_healing._aws import error_code

__all__ = ["AUDIT_PREFIX", "STATE_PREFIX", "AuditLog", "StateConflict", "StateStore", "read_audit"]

AUDIT_PREFIX = "self-healing/audit/"
STATE_PREFIX = "self-healing/state/"


def _dump(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":")).encode()


class AuditLog:
    """Writes one run's records; ``records`` keeps what was written, for the run's summary."""

    def __init__(self, s3: Any, bucket: str, run_id: str, started: datetime, kms_key_arn: str | None = None):
        self.s3 = s3
        self.bucket = bucket
        self.run_id = run_id
        self.prefix = f"{AUDIT_PREFIX}{started:%Y/%m/%d}/{run_id}/"
        self.kms_key_arn = kms_key_arn
        self.records: list[dict[str, Any]] = []

    def write(self, record: dict[str, Any]) -> dict[str, Any]:
        """Append ``record`` (with its sequence number and run id) to the log; returns it."""
        record = {"run_id": self.run_id, "seq": len(self.records), **record}
        key = f"{self.prefix}{record['seq']:05d}.json"
        extra: dict[str, Any] = {}
        if self.kms_key_arn:
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.kms_key_arn}
        try:
            self.s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=_dump(record),
                IfNoneMatch="*",
                ContentType="application/json",
                **extra,
            )
        except Exception as exc:
            if error_code(exc) not in ("PreconditionFailed", "412"):
                raise
        self.records.append(record)
        return record


def read_audit(s3: Any, bucket: str, prefix: str = AUDIT_PREFIX) -> list[dict[str, Any]]:
    """Every record under ``prefix``, oldest first (key order)."""
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return [json.loads(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in sorted(keys)]


class StateConflict(RuntimeError):
    """The state changed since this run read it: another run acted, so this one must stop."""


class StateStore:
    """Read and conditionally write one endpoint's loop state."""

    def __init__(self, s3: Any, bucket: str, endpoint: str, kms_key_arn: str | None = None):
        self.s3 = s3
        self.bucket = bucket
        self.key = f"{STATE_PREFIX}{endpoint}.json"
        self.kms_key_arn = kms_key_arn
        self.etag: str | None = None

    def load(self) -> dict[str, Any]:
        """The state, or ``{}`` for an endpoint the controller has not seen yet."""
        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=self.key)
        except Exception as exc:
            if error_code(exc) not in ("NoSuchKey", "404"):
                raise
            self.etag = None
            return {}
        self.etag = obj["ETag"]
        loaded: dict[str, Any] = json.loads(obj["Body"].read())
        return loaded

    def save(self, state: dict[str, Any]) -> None:
        """Write ``state`` if nobody else wrote since :meth:`load` (or our own retried write landed)."""
        body = _dump(state)
        cond: dict[str, Any] = {"IfMatch": self.etag} if self.etag else {"IfNoneMatch": "*"}
        if self.kms_key_arn:
            cond.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=self.kms_key_arn)
        try:
            response = self.s3.put_object(
                Bucket=self.bucket, Key=self.key, Body=body, ContentType="application/json", **cond
            )
            self.etag = response["ETag"]
        except Exception as exc:
            if error_code(exc) not in ("PreconditionFailed", "412"):
                raise
            current = self.s3.get_object(Bucket=self.bucket, Key=self.key)
            if current["Body"].read() != body:
                raise StateConflict(f"s3://{self.bucket}/{self.key} changed under this run") from None
            self.etag = current["ETag"]

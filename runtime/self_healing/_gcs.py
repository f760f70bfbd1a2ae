"""The loop's lease, state and audit log in the stack's GCS bucket, kept exact by generation preconditions.

Why generations: GCS has no conditional expression like DynamoDB's, but every write can carry
``ifGenerationMatch``: ``0`` means "only if the object does not exist", a number means "only if the object
is still the version I read". That is enough for all three records:

- **lease** (``self-healing/lease.json``, expiry inside the object): taken by creating the object with
  ``if_generation_match=0``; an expired lease is taken over by overwriting it with
  ``if_generation_match=<the generation seen>``, so of two runs that both saw it expired only one wins;
- **audit** records are created with ``if_generation_match=0``, so a record, once written, never changes (a
  retried create that already landed answers 412 and is taken as written);
- **state** is written with ``if_generation_match=<generation read>``, so a run that lost its lease cannot
  overwrite a newer state.

A 412 can also be the answer to our *own* retried write (the first attempt landed, the answer was lost):
every 412 is therefore settled by reading the object back and comparing it with what we wrote.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from runtime.self_healing._lease import LeaseHeld
from runtime.self_healing._record import AUDIT_PREFIX, STATE_PREFIX, StateConflict

__all__ = ["GCS_LEASE_KEY", "GcsAuditLog", "GcsBucket", "GcsLease", "GcsStateStore", "gcs_client"]

#: The one lease object per stack, in the stack's bucket.
GCS_LEASE_KEY = "self-healing/lease.json"


def _dump(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":")).encode()


def _precondition_failed(exc: BaseException) -> bool:
    from google.api_core import exceptions

    return isinstance(exc, exceptions.PreconditionFailed)


def gcs_client(project: str, *, api_endpoint: str | None = None) -> Any:
    """A storage client: Application Default Credentials on Google Cloud, anonymous against a stand-in."""
    from google.cloud import storage  # type: ignore[attr-defined]  # (the package ships no stubs)

    if api_endpoint is None:
        return storage.Client(project=project)
    from google.auth.credentials import AnonymousCredentials

    return storage.Client(
        project=project, credentials=AnonymousCredentials(), client_options={"api_endpoint": api_endpoint}
    )


class GcsBucket:
    """The few object operations the loop needs, on one bucket, every write encrypted with the stack's key."""

    def __init__(self, client: Any, bucket: str, kms_key: str | None = None) -> None:
        self.client = client
        self.name = bucket
        self.bucket = client.bucket(bucket)
        self.kms_key = kms_key

    def _blob(self, key: str) -> Any:
        return self.bucket.blob(key, kms_key_name=self.kms_key)

    def read(self, key: str) -> tuple[bytes, int] | None:
        """The object's bytes and generation, or None when it does not exist.

        The bytes are read pinned to the generation just seen, so the pair always belongs together.
        """
        from google.api_core import exceptions

        while True:
            blob = self.bucket.get_blob(key)
            if blob is None:
                return None
            try:
                data = blob.download_as_bytes(if_generation_match=blob.generation)
            except exceptions.NotFound:
                return None
            except exceptions.PreconditionFailed:
                continue  # replaced between the two calls: read the newer one
            return data, int(blob.generation)

    def write(self, key: str, body: bytes, *, if_generation_match: int | None = None) -> int:
        """Write ``body``; with ``if_generation_match`` only if the object is at that generation (0: absent).

        Returns the new generation; raises ``google.api_core.exceptions.PreconditionFailed`` otherwise.
        """
        blob = self._blob(key)
        blob.upload_from_string(
            body, content_type="application/json", if_generation_match=if_generation_match
        )
        return int(blob.generation)

    def keys(self, prefix: str) -> list[str]:
        return sorted(b.name for b in self.client.list_blobs(self.name, prefix=prefix))


class GcsLease:
    """The run's exclusive lease as a GCS object ``{"owner", "expires"}`` (as :class:`Lease`)."""

    def __init__(self, bucket: GcsBucket, owner: str, seconds: int, key: str = GCS_LEASE_KEY) -> None:
        self.bucket = bucket
        self.owner = owner
        self.seconds = seconds
        self.key = key

    def _write(self, now: float) -> None:
        body = _dump({"owner": self.owner, "expires": now + self.seconds})
        seen = self.bucket.read(self.key)
        if seen is None:
            generation = 0
        else:
            holder = json.loads(seen[0])
            if holder.get("owner") not in (None, self.owner) and float(holder.get("expires", 0)) > now:
                raise LeaseHeld(str(holder["owner"]), float(holder["expires"]))
            generation = seen[1]
        try:
            self.bucket.write(self.key, body, if_generation_match=generation)
        except Exception as exc:
            if not _precondition_failed(exc):
                raise
            # someone wrote since we looked; ours only if a retried write of this very body landed
            now_seen = self.bucket.read(self.key)
            if now_seen is not None and now_seen[0] == body:
                return
            holder = json.loads(now_seen[0]) if now_seen else {}
            raise LeaseHeld(str(holder.get("owner", "?")), float(holder.get("expires", 0))) from None

    def acquire(self, now: float) -> None:
        """Take the lease, or raise :class:`LeaseHeld` when another run holds an unexpired one."""
        self._write(now)

    def renew(self, now: float) -> None:
        """Extend the lease; raises :class:`LeaseHeld` when it expired and another run took it."""
        self._write(now)

    def release(self) -> None:
        """Mark the lease free if it is still ours (overwritten under the generation read)."""
        seen = self.bucket.read(self.key)
        if seen is None or json.loads(seen[0]).get("owner") != self.owner:
            return
        try:
            self.bucket.write(self.key, _dump({"owner": None, "expires": 0}), if_generation_match=seen[1])
        except Exception as exc:
            if not _precondition_failed(exc):
                raise


class GcsAuditLog:
    """One run's append-only audit records in GCS (same keys and records as :class:`AuditLog` in S3)."""

    def __init__(self, bucket: GcsBucket, run_id: str, started: datetime) -> None:
        self.bucket = bucket
        self.run_id = run_id
        self.prefix = f"{AUDIT_PREFIX}{started:%Y/%m/%d}/{run_id}/"
        self.records: list[dict[str, Any]] = []

    def write(self, record: dict[str, Any]) -> dict[str, Any]:
        record = {"run_id": self.run_id, "seq": len(self.records), **record}
        try:
            self.bucket.write(f"{self.prefix}{record['seq']:05d}.json", _dump(record), if_generation_match=0)
        except Exception as exc:
            if not _precondition_failed(exc):  # 412: an earlier attempt of this very write landed
                raise
        self.records.append(record)
        return record


def read_gcs_audit(bucket: GcsBucket, prefix: str = AUDIT_PREFIX) -> list[dict[str, Any]]:
    """Every audit record under ``prefix``, oldest first."""
    out = []
    for key in bucket.keys(prefix):
        seen = bucket.read(key)
        if seen is not None:
            out.append(json.loads(seen[0]))
    return out


class GcsStateStore:
    """One endpoint's loop state, written only over the generation this run read."""

    def __init__(self, bucket: GcsBucket, endpoint: str) -> None:
        self.bucket = bucket
        self.key = f"{STATE_PREFIX}{endpoint}.json"
        self.generation: int | None = None

    def load(self) -> dict[str, Any]:
        seen = self.bucket.read(self.key)
        if seen is None:
            self.generation = None
            return {}
        self.generation = seen[1]
        loaded: dict[str, Any] = json.loads(seen[0])
        return loaded

    def save(self, state: dict[str, Any]) -> None:
        body = _dump(state)
        try:
            self.generation = self.bucket.write(self.key, body, if_generation_match=self.generation or 0)
        except Exception as exc:
            if not _precondition_failed(exc):
                raise
            seen = self.bucket.read(self.key)
            if seen is None or seen[0] != body:
                raise StateConflict(f"gs://{self.bucket.name}/{self.key} changed under this run") from None
            self.generation = seen[1]

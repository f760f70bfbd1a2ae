"""The lease that makes a run exclusive: a DynamoDB item written with a condition, with an expiry.

Why a lease and not a lock: a run that dies holding a lock would block every later run; a lease simply
expires (``leaseSeconds``), and the next run takes it over and finishes the work from the recorded state.
The condition ``attribute_not_exists(lease) OR expires < :now OR owner = :me`` is evaluated by DynamoDB
atomically, so of two runs started together exactly one takes it. The holder renews it before every
action, so a run that outlived its lease (paused, partitioned) stops before acting twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runtime.self_healing._aws import error_code

__all__ = ["LEASE_KEY", "KubernetesLease", "Lease", "LeaseHeld", "lease_for"]

#: Partition key value of the one lease item per stack (key attribute ``lease``).
LEASE_KEY = "self-healing"


class LeaseHeld(RuntimeError):
    """Another run holds the lease; this one must not act."""

    def __init__(self, holder: str, expires: float) -> None:
        super().__init__(f"another run ({holder}) holds the lease until {expires:.0f} (epoch seconds)")
        self.holder = holder
        self.expires = expires


@dataclass
class Lease:
    """A lease on ``table`` for ``owner`` (the run id), valid ``seconds`` after each take or renewal."""

    client: Any
    table: str
    owner: str
    seconds: int
    key: str = LEASE_KEY

    def _write(self, now: float) -> None:
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"lease": {"S": self.key}},
                UpdateExpression="SET #owner = :me, #expires = :until",
                ConditionExpression="attribute_not_exists(#lease) OR #expires < :now OR #owner = :me",
                ExpressionAttributeNames={"#lease": "lease", "#owner": "owner", "#expires": "expires"},
                ExpressionAttributeValues={
                    ":me": {"S": self.owner},
                    ":now": {"N": repr(float(now))},
                    ":until": {"N": repr(float(now + self.seconds))},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            item = getattr(exc, "response", {}).get("Item", {})
            raise LeaseHeld(
                item.get("owner", {}).get("S", "?"), float(item.get("expires", {}).get("N", "0"))
            ) from None

    def acquire(self, now: float) -> None:
        """Take the lease, or raise :class:`LeaseHeld` when another run holds an unexpired one."""
        self._write(now)

    def renew(self, now: float) -> None:
        """Extend the lease; raises :class:`LeaseHeld` when it expired and another run took it."""
        self._write(now)

    def release(self) -> None:
        """Give the lease up (only if still ours), so the next scheduled run need not wait for expiry."""
        try:
            self.client.delete_item(
                TableName=self.table,
                Key={"lease": {"S": self.key}},
                ConditionExpression="#owner = :me",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":me": {"S": self.owner}},
            )
        except Exception as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise


#: Where a pod finds its service account's credentials (mounted by the kubelet; the token is rotated).
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
_MICRO = "%Y-%m-%dT%H:%M:%S.%fZ"


def _micro_time(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).strftime(_MICRO)


def _epoch(text: str | None) -> float:
    from datetime import UTC, datetime

    if not text:
        return 0.0
    for fmt in (_MICRO, "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    raise ValueError(f"Lease time {text!r} is not a Kubernetes MicroTime")


@dataclass
class KubernetesLease:
    """The same lease as a ``coordination.k8s.io/v1`` Lease object, for the CronJob on Kubernetes.

    Why not a client library: two calls (GET and PUT) over HTTPS with the pod's own token and CA; the
    ``kubernetes`` package would add ~30 MB to the image for them. Exclusivity comes from the API server's
    optimistic concurrency: the PUT carries the ``resourceVersion`` read by the GET, so of two runs that
    both saw a free or expired Lease, the second PUT is refused with 409 and that run backs off. Expiry is
    ``renewTime + leaseDurationSeconds``, as Kubernetes' own leader election reads it. The Lease exists
    before the first run (Pulumi creates it; the pod's Role has no ``create``).
    """

    api: str
    namespace: str
    name: str
    owner: str
    seconds: int
    token_file: str | None = f"{SERVICE_ACCOUNT_DIR}/token"
    ca_file: str | None = f"{SERVICE_ACCOUNT_DIR}/ca.crt"
    timeout: float = 10.0

    @property
    def url(self) -> str:
        path = f"/apis/coordination.k8s.io/v1/namespaces/{self.namespace}/leases/{self.name}"
        return self.api.rstrip("/") + path

    def _request(self, method: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        import json
        import ssl
        import urllib.error
        import urllib.request

        headers = {"Accept": "application/json"}
        if self.token_file:
            with open(self.token_file, encoding="utf-8") as handle:  # re-read: projected tokens rotate
                headers["Authorization"] = f"Bearer {handle.read().strip()}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url, data=data, method=method, headers=headers)
        context = ssl.create_default_context(cafile=self.ca_file) if self.url.startswith("https:") else None
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=context) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as err:
            payload = err.read()
            try:
                return err.code, json.loads(payload or b"{}")
            except ValueError:
                return err.code, {"message": payload.decode(errors="replace")}

    def _get(self) -> dict[str, Any]:
        status, lease = self._request("GET")
        if status != 200:
            raise RuntimeError(
                f"Lease {self.namespace}/{self.name}: GET answered {status}: {lease.get('message', lease)}"
                + (" (the stack creates it; is the self-healing layer deployed?)" if status == 404 else "")
            )
        return lease

    @staticmethod
    def _holder(lease: dict[str, Any]) -> tuple[str | None, float]:
        spec = lease.get("spec") or {}
        expires = _epoch(spec.get("renewTime")) + float(spec.get("leaseDurationSeconds") or 0)
        return spec.get("holderIdentity"), expires

    def _write(self, now: float) -> None:
        lease = self._get()
        holder, expires = self._holder(lease)
        if holder and holder != self.owner and expires > now:
            raise LeaseHeld(holder, expires)
        spec = dict(lease.get("spec") or {})
        if holder != self.owner:
            spec["acquireTime"] = _micro_time(now)
            spec["leaseTransitions"] = int(spec.get("leaseTransitions") or 0) + (1 if holder else 0)
        spec.update(holderIdentity=self.owner, renewTime=_micro_time(now), leaseDurationSeconds=self.seconds)
        status, answer = self._request("PUT", {**lease, "spec": spec})
        if status == 409:  # another run wrote the Lease since our GET: it holds it now
            holder, expires = self._holder(self._get())
            raise LeaseHeld(holder or "?", expires)
        if status != 200:
            raise RuntimeError(
                f"Lease {self.namespace}/{self.name}: PUT answered {status}: {answer.get('message', answer)}"
            )

    def acquire(self, now: float) -> None:
        """Take the Lease, or raise :class:`LeaseHeld` when another run holds an unexpired one."""
        self._write(now)

    def renew(self, now: float) -> None:
        """Extend the Lease; raises :class:`LeaseHeld` when it expired and another run took it."""
        self._write(now)

    def release(self) -> None:
        """Give the Lease up if still ours (a lost race on the write is fine: someone else holds it)."""
        lease = self._get()
        if self._holder(lease)[0] != self.owner:
            return
        spec = {
            k: v for k, v in (lease.get("spec") or {}).items() if k not in ("holderIdentity", "renewTime")
        }
        self._request("PUT", {**lease, "spec": spec})

    @classmethod
    def from_environment(cls, owner: str, seconds: int, env: Mapping[str, str]) -> KubernetesLease:
        """The Lease named by ``MLKEEL_LEASE_NAME``/``MLKEEL_LEASE_NAMESPACE``, on the in-cluster API server
        (``KUBERNETES_SERVICE_HOST``/``_PORT``, the service account's token and CA)."""
        from mlkeel.files import InputError

        missing = [v for v in ("MLKEEL_LEASE_NAME", "MLKEEL_LEASE_NAMESPACE") if not env.get(v)]
        host = env.get("KUBERNETES_SERVICE_HOST") or ""
        if not host:
            missing.append("KUBERNETES_SERVICE_HOST")
        if missing:
            raise InputError(
                f"MLKEEL_LEASE_BACKEND=kubernetes needs {', '.join(missing)} (set in the CronJob's pod)",
                file="environment",
                field=missing[0],
                value=None,
                allowed="the Lease's name and namespace, run inside a Kubernetes pod",
            )
        port = env.get("KUBERNETES_SERVICE_PORT", "443")
        host = f"[{host}]" if ":" in host else host
        return cls(
            f"https://{host}:{port}", env["MLKEEL_LEASE_NAMESPACE"], env["MLKEEL_LEASE_NAME"], owner, seconds
        )


def lease_for(
    owner: str, seconds: int, dynamodb: Any, table: str, env: Mapping[str, str]
) -> Lease | KubernetesLease:
    """The run's lease: DynamoDB by default, the Kubernetes Lease when ``MLKEEL_LEASE_BACKEND=kubernetes``."""
    from mlkeel.files import InputError

    backend = env.get("MLKEEL_LEASE_BACKEND", "dynamodb")
    if backend == "kubernetes":
        return KubernetesLease.from_environment(owner, seconds, env)
    if backend != "dynamodb":
        raise InputError(
            f"MLKEEL_LEASE_BACKEND={backend!r} is not a lease backend: dynamodb (default) or kubernetes",
            file="environment",
            field="MLKEEL_LEASE_BACKEND",
            value=backend,
            allowed="dynamodb (default) or kubernetes",
        )
    return Lease(dynamodb, table, owner, seconds)

"""TEST SUPPORT ONLY: a minimal Kubernetes API server for ``coordination.k8s.io/v1`` Leases on 127.0.0.1.

Not a Kubernetes: it serves GET and PUT of Lease objects over HTTPS (a self-signed certificate for
127.0.0.1, handed to the client as its CA, as a pod's service account CA is) with the API server's
optimistic concurrency: every write bumps ``metadata.resourceVersion``, and a PUT whose
``resourceVersion`` is not the stored one is refused with 409 Conflict, as the real API server does.
Requests without the expected bearer token get 401, unknown Leases 404. ``hold_gets(n)`` makes the next
``n`` GETs wait for each other, so ``n`` clients read the same version before any writes: the race the
resourceVersion check exists for.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TOKEN = "test-service-account-token"
PREFIX = "/apis/coordination.k8s.io/v1/namespaces/"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 (the certificate doubles as the client's CA file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes-test-api")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "ca.crt", directory / "tls.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


class LeaseApi:
    """The server: ``leases[(namespace, name)]`` is the stored object; ``writes`` counts accepted PUTs."""

    def __init__(self, directory: Path) -> None:
        self.ca_file, key_file = self_signed(directory)
        self.token_file = directory / "token"
        self.token_file.write_text(TOKEN + "\n", encoding="utf-8")
        self.leases: dict[tuple[str, str], dict[str, Any]] = {}
        self.version = 0
        self.writes = 0
        self.conflicts = 0
        self.lock = threading.Lock()
        self._gate: threading.Barrier | None = None
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _key(self) -> tuple[str, str] | None:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._send(401, {"kind": "Status", "code": 401, "message": "Unauthorized"})
                    return None
                rest = self.path[len(PREFIX) :].split("/") if self.path.startswith(PREFIX) else []
                if len(rest) != 3 or rest[1] != "leases" or (rest[0], rest[2]) not in api.leases:
                    self._send(404, {"kind": "Status", "code": 404, "message": f"{self.path} not found"})
                    return None
                return rest[0], rest[2]

            def do_GET(self) -> None:
                key = self._key()
                if key is None:
                    return
                gate = api._gate
                if gate is not None:
                    gate.wait(timeout=10)
                with api.lock:
                    self._send(200, copy.deepcopy(api.leases[key]))

            def do_PUT(self) -> None:
                key = self._key()
                if key is None:
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with api.lock:
                    stored = api.leases[key]
                    sent = body.get("metadata", {}).get("resourceVersion")
                    if sent != stored["metadata"]["resourceVersion"]:
                        api.conflicts += 1
                        self._send(
                            409,
                            {
                                "kind": "Status",
                                "code": 409,
                                "reason": "Conflict",
                                "message": 'Operation cannot be fulfilled on leases.coordination.k8s.io "'
                                f'{key[1]}": the object has been modified; please apply your changes to '
                                "the latest version and try again",
                            },
                        )
                        return
                    api.version += 1
                    body["metadata"] = {**stored["metadata"], "resourceVersion": str(api.version)}
                    api.leases[key] = body
                    api.writes += 1
                    self._send(200, copy.deepcopy(body))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, key_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    def create(self, namespace: str, name: str) -> None:
        """The Lease as Pulumi creates it (components/self_healing/kubernetes.py): no holder yet."""
        with self.lock:
            self.version += 1
            self.leases[(namespace, name)] = {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": name, "namespace": namespace, "resourceVersion": str(self.version)},
                "spec": {"leaseDurationSeconds": 900},
            }

    def lease(self, namespace: str, name: str) -> dict[str, Any]:
        with self.lock:
            return copy.deepcopy(self.leases[(namespace, name)])

    def hold_gets(self, parties: int) -> None:
        """The next GETs wait until ``parties`` of them arrived (then every later GET passes freely)."""
        self._gate = threading.Barrier(parties, action=self._open)

    def _open(self) -> None:
        self._gate = None

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

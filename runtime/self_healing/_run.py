"""Run once from a configuration: the function the container, the Lambda handler and ``keel watch`` share."""

from __future__ import annotations

import os
from typing import Any

from runtime.self_healing._aws import Clients
from runtime.self_healing._controller import Controller, RunSummary

__all__ = ["ENDPOINT_URL_ENV", "EXIT_CODES", "exit_code", "run_once"]

#: Points every client at a stand-in (moto in the tests); unset in a stack.
ENDPOINT_URL_ENV = "MLKEEL_AWS_ENDPOINT_URL"

#: Exit status per run status: 0 done, 1 ran but could not finish (endpoint left on a known-good
#: version), 75 (EX_TEMPFAIL) another run holds the lease or took it over. Bad configuration exits 2.
EXIT_CODES = {"ok": 0, "incomplete": 1, "lease-held": 75, "lease-lost": 75}


#: Point the GCP clients at stand-ins (tests); unset on Google Cloud.
GCS_ENDPOINT_ENV, VERTEX_ENDPOINT_ENV = "MLKEEL_GCS_ENDPOINT_URL", "MLKEEL_VERTEX_ENDPOINT"


def run_once(
    config: Any, *, dry_run: bool = False, endpoint_url: str | None = None, **controller: Any
) -> RunSummary:
    """One cycle with clients for the config's cloud and region."""
    if getattr(config, "cloud", "aws") == "gcp":
        from runtime.self_healing._gcp import GcpClients, GcpController

        gcp = GcpClients.connect(
            config,
            storage_endpoint=os.environ.get(GCS_ENDPOINT_ENV) or None,
            vertex_endpoint=os.environ.get(VERTEX_ENDPOINT_ENV) or None,
            query=controller.pop("query", None),
        )
        try:
            return GcpController(config, gcp, dry_run=dry_run, **controller).run()
        finally:
            gcp.vertex.close()
    clients = Clients(config.region, endpoint_url=endpoint_url or os.environ.get(ENDPOINT_URL_ENV) or None)
    return Controller(config, clients, dry_run=dry_run, **controller).run()


def exit_code(summary: RunSummary) -> int:
    return EXIT_CODES.get(summary.status, 1)

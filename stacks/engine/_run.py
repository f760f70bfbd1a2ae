"""Run the real Pulumi program offline and turn what the monitor recorded into a stack state.

The program is run the way the Python language host runs it (``run_in_stack``: a root ``Stack`` resource,
the program inside it, outputs registered when it returns, outstanding RPCs awaited, callbacks shut down),
against the SDK's mock runtime with the recording monitor in place of the engine.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PULUMI_ENGINE_VERSION = "v3.272.0"

_PROGRAMS_RUN = 0


def programs_run() -> int:
    """How many programs this process has run (a forked worker must not inherit their gRPC state)."""
    return _PROGRAMS_RUN


#: Where ``keel plan`` writes states unless told otherwise (relative to the project folder).
STATE_DIR = Path(".mlkeel") / "state"


@dataclass
class PlanResult:
    """The outcome of planning one stack: its state in ``pulumi stack export`` form."""

    project: str
    stack: str
    state: dict[str, Any]
    source: str = ""
    secret_keys: frozenset[str] = field(default_factory=frozenset)

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.state["deployment"]["resources"]

    @property
    def outputs(self) -> dict[str, Any]:
        """The stack's outputs (``pulumi stack output``), secrets as ciphertext envelopes."""
        return self.resources[0].get("outputs", {})

    def by_type(self, type_token: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] == type_token]

    def by_urn(self, urn: str) -> dict[str, Any]:
        for resource in self.resources:
            if resource["urn"] == urn:
                return resource
        raise KeyError(urn)

    def write(self, path: Path) -> Path:
        from mlkeel.files import atomic_write_text

        return atomic_write_text(path, json.dumps(self.state, indent=2, sort_keys=False) + "\n")


def _export(record: Mapping[str, Any]) -> dict[str, Any]:
    from ._monitor import ciphertext_envelopes

    out = dict(record)
    for key in ("inputs", "outputs"):
        if key in out:
            out[key] = ciphertext_envelopes(out[key])
    return out


def state_document(records: list[dict[str, Any]], *, time: str | None = None) -> dict[str, Any]:
    """Records in the ``pulumi stack export`` format (deployment version 3)."""
    return {
        "version": 3,
        "deployment": {
            "manifest": {
                "time": time or datetime.now(UTC).isoformat(),
                "magic": hashlib.sha256(PULUMI_ENGINE_VERSION.encode()).hexdigest(),
                "version": PULUMI_ENGINE_VERSION,
            },
            "secrets_providers": {
                "type": "passphrase",
                "state": {"salt": "v1:offline-plan:no-secrets-stored"},
            },
            "resources": [_export(record) for record in records],
        },
    }


def _default_program() -> None:
    from stacks.program import main

    main()


def run_program(
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: frozenset[str] | set[str] = frozenset(),
    program: Callable[[], None] | None = None,
    source: str = "",
) -> PlanResult:
    """Run ``program`` (default: the stacks program) for one stack and return its recorded state."""
    from google.protobuf import empty_pb2
    from pulumi.runtime import config as pulumi_config
    from pulumi.runtime import settings
    from pulumi.runtime.mocks import MockEngine, MockSettings
    from pulumi.runtime.stack import Stack, run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from stacks.stackspec import SpecError

    from ._monitor import RecordingMonitor
    from .mocks import PlatformMocks

    global _PROGRAMS_RUN
    _PROGRAMS_RUN += 1
    mocks = PlatformMocks(stack, config)
    monitor = RecordingMonitor(mocks, project, stack, config)
    settings.ROOT.set(None)
    settings.configure(
        MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures),
            engine=MockEngine(logging.getLogger("mlkeel.engine")),
            project=project,
            stack=stack,
            dry_run=False,
            organization="organization",
            callbacks=None,
        )
    )
    pulumi_config.set_all_config(dict(config), sorted(secret_keys))
    # As the language host's run_in_stack: a root Stack, the program inside it, the stack's outputs
    # registered when the program returns, then outstanding RPCs awaited and callbacks shut down. The Stack
    # is created before the event loop runs, as the SDK's own mock runtime (set_mocks) does: created inside
    # the loop, the SDK tracks every output across contexts and its final wait grows quadratic.
    root = Stack()
    body = program or _default_program

    def run() -> None:
        try:
            body()
        finally:
            root._finish()

    try:
        _sync_await(run_pulumi_func(run))
    except Exception as exc:
        cause: BaseException | None = exc
        seen: set[int] = set()
        while cause is not None and id(cause) not in seen:  # the SDK may chain an exception to itself
            if isinstance(cause, SpecError):
                raise cause from None
            seen.add(id(cause))
            cause = cause.__cause__ or cause.__context__
        raise
    finally:
        settings.ROOT.set(None)
        pulumi_config.set_all_config({}, [])
    return PlanResult(
        project=project,
        stack=stack,
        state=state_document(monitor.records),
        source=source,
        secret_keys=frozenset(secret_keys),
    )


def plan_stack_file(stack_file: Path | str, program: Callable[[], None] | None = None) -> PlanResult:
    """Plan the stack described by ``Pulumi.<stack>.yaml`` (its project's Pulumi.yaml supplies defaults)."""
    from ._config import load_stack_config

    config = load_stack_config(Path(stack_file))
    return run_program(
        config.project,
        config.stack,
        config.values,
        config.secret_keys,
        program=program,
        source=str(config.file),
    )


def plan_config(
    config: Mapping[str, Any],
    stack: str = "test",
    project: str = "mlkeel",
    secret_keys: frozenset[str] | set[str] = frozenset(),
    program: Callable[[], None] | None = None,
) -> PlanResult:
    """Plan a stack from a flat config map
    (values JSON-encoded where not strings, as the language host does)."""
    values = {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}
    return run_program(
        project, stack, values, frozenset(secret_keys), program=program, source=f"Pulumi.{stack}.yaml"
    )

"""Playing the Pulumi engine for a policy pack, offline, over the real analyzer gRPC protocol.

The pack is started exactly as the CLI starts a Python pack (``python -u -m pulumi.policy
<engine-address> <pack-dir>`` in the pack directory, with ``PULUMI_CONFIG``, ``PULUMI_PROJECT``,
``PULUMI_STACK``, ``PULUMI_ORGANIZATION`` and ``PULUMI_DRY_RUN`` set), its port is read from its first
line of output, and then the engine's calls follow in the engine's order: ``Handshake``,
``ConfigureStack``, ``GetAnalyzerInfo``, ``Configure``, ``Analyze`` for every resource with its
provider, ``AnalyzeStack`` with parents and dependencies (``check_states`` sends the stack call first, so
it runs alongside the resources' on another copy; its findings are still reported after theirs). Every
step has a timeout, and a pack that dies or hangs gives an error naming the pack and its last output,
not a hang.

The pack server is single-threaded Python, so throughput comes from running ``workers`` copies of the
pack (one per core by default) and keeping several ``Analyze`` calls in flight on each (over
``grpc.aio``, whose per-call cost on this client is lower than the sync API's futures).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from mlkeel.processes import python_module_command

from .._server import SERVER_LOG_PREFIX
from ..rules._base import EXEMPT_PREFIX, FORMERLY_TAG
from ._config import merge_policy_config
from ._results import (
    EXEMPTED,
    UNCHECKED,
    VIOLATION,
    CheckResult,
    Finding,
    PolicyInfo,
    StateSummary,
    display_path,
)
from ._state import StackState, StateResource, wire_value

#: Seconds a pack may take to print its port.
START_TIMEOUT = 60.0
#: Seconds one RPC may take.
RPC_TIMEOUT = 60.0
#: Analyze calls in flight per pack process.
IN_FLIGHT = 8
#: Seconds to wait for a pack to say which server it runs (it says so before printing its port).
SERVER_LINE_TIMEOUT = 5.0

_GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", 400 * 1024 * 1024),
    ("grpc.max_send_message_length", 400 * 1024 * 1024),
]

_LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}
_LEVEL_VALUES = {v: k for k, v in _LEVELS.items()}
_SEVERITIES = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "unspecified",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
_CANT_RUN = "can't run policy"


class PackError(RuntimeError):
    """The pack could not be started or stopped answering; the message says which pack and why."""


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


class PackProcess:
    """One running copy of a pack directory, started the way the Pulumi CLI starts a Python pack."""

    def __init__(
        self,
        pack_dir: Path,
        env: dict[str, str],
        python: str | None = None,
        start_timeout: float = START_TIMEOUT,
        connect: bool = True,
    ) -> None:
        """Start the pack; with ``connect`` (the default) also wait for its port and connect to it.

        ``AnalyzerSession`` starts every copy before connecting to any: a fork after gRPC has started its
        threads makes gRPC print a warning to the user's terminal.
        """
        self.pack_dir = Path(pack_dir).resolve()
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PackError(f"{self.pack_dir}: not a policy pack (no PulumiPolicy.yaml).")
        engine_address = (
            "127.0.0.1:1"  # nothing listens: the pack only logs to the engine, which we do not need
        )
        # The pack dies with this process even when it is killed outright (SIGKILL runs no clean-up).
        argv, child_env = python_module_command(
            python or sys.executable, "pulumi.policy", engine_address, str(self.pack_dir)
        )
        self.process = subprocess.Popen(
            argv,
            cwd=self.pack_dir,
            env={**os.environ, **env, **child_env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        #: Which server answers: ``mlkeel`` (decode once per request) or ``stock`` (the SDK's own).
        self.server = ""
        self._server_known = threading.Event()
        self._stderr: deque[str] = deque(maxlen=200)
        # Drained continuously: a pack that writes more than a pipe holds must not block mid-answer.
        self._stderr_reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_reader.start()
        if connect:
            self.connect(start_timeout)

    def connect(self, start_timeout: float = START_TIMEOUT) -> None:
        """Read the port the pack prints, connect, and learn which server it runs."""
        try:
            self.port = self._read_port(start_timeout)
            self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=_GRPC_OPTIONS)
            try:
                grpc.channel_ready_future(self.channel).result(timeout=start_timeout)
            except grpc.FutureTimeoutError:
                raise PackError(
                    f"{self.pack_dir}: pack printed port {self.port} but did not accept connections."
                ) from None
            self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
            self._server_known.wait(SERVER_LINE_TIMEOUT)
        except BaseException:  # a timeout, a bad pack, Ctrl-C or SIGTERM while starting: stop the pack
            self.close()
            raise

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        with contextlib.suppress(OSError, ValueError):  # ValueError: close() closed the stream
            for raw in iter(self.process.stderr.readline, b""):
                line = raw.decode(errors="replace").rstrip("\n")
                if not self.server and line.startswith(SERVER_LOG_PREFIX):
                    self.server = line.removeprefix(SERVER_LOG_PREFIX).strip()
                    self._server_known.set()
                else:
                    self._stderr.append(line)
        self._server_known.set()

    def _stderr_tail(self) -> str:
        if self.process.poll() is None:
            return ""
        self._stderr_reader.join(timeout=5)
        return "\n".join(self._stderr).strip()[-2000:]

    def _read_port(self, timeout: float) -> int:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PackError(f"{self.pack_dir}: pack did not print its port within {timeout:.0f}s.")
            ready, _, _ = select.select([self.process.stdout], [], [], min(remaining, 0.5))
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 64)
                if not chunk:
                    self.process.wait(timeout=5)
                    tail = self._stderr_tail()
                    raise PackError(
                        f"{self.pack_dir}: pack exited with code {self.process.returncode} before serving"
                        + (f":\n{tail}" if tail else ".")
                    )
                line += chunk
        try:
            return int(line.strip().splitlines()[0])
        except ValueError:
            raise PackError(f"{self.pack_dir}: pack printed {line[:200]!r} instead of its port.") from None

    def close(self) -> None:
        """Stop the pack (the CLI kills analyzers the same way when a run ends)."""
        channel = getattr(self, "channel", None)
        if channel is not None:
            channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._stderr_reader.join(timeout=5)  # the pack is gone: its stderr ends
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@dataclass
class _Request:
    state: StackState
    resource: StateResource
    message: analyzer_pb2.AnalyzeRequest


def _options(resource: StateResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(parent=resource.parent, protect=resource.protect)


def _provider(state: StackState, resource: StateResource) -> analyzer_pb2.AnalyzerProviderResource | None:
    """The provider message of ``resource`` (built once per provider and state: a stack has few)."""
    provider = state.provider_of(resource)
    if provider is None:
        return None
    cache: dict[str, analyzer_pb2.AnalyzerProviderResource] = state.__dict__.setdefault(
        "_provider_messages", {}
    )
    message = cache.get(provider.urn)
    if message is None:
        message = analyzer_pb2.AnalyzerProviderResource(
            type=provider.type,
            urn=provider.urn,
            name=provider.name,
            properties=_struct(wire_value(provider.inputs)),
        )
        cache[provider.urn] = message
    return message


def analyze_request(state: StackState, resource: StateResource) -> analyzer_pb2.AnalyzeRequest:
    """The ``Analyze`` call the engine makes for one resource: its inputs, options and provider."""
    provider = _provider(state, resource)
    return analyzer_pb2.AnalyzeRequest(
        type=resource.type,
        urn=resource.urn,
        name=resource.name,
        properties=_struct(wire_value(resource.inputs)),
        options=_options(resource),
        **({"provider": provider} if provider is not None else {}),
    )


def analyze_stack_request(state: StackState) -> analyzer_pb2.AnalyzeStackRequest:
    """The ``AnalyzeStack`` call:
    every resource's outputs (inputs when no outputs), parent and dependencies."""
    resources = []
    for r in state.resources:
        provider = _provider(state, r)
        resources.append(
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                urn=r.urn,
                name=r.name,
                properties=_struct(wire_value(r.outputs or r.inputs)),
                options=_options(r),
                parent=r.parent,
                dependencies=r.dependencies,
                propertyDependencies={
                    k: analyzer_pb2.AnalyzerPropertyDependencies(urns=v)
                    for k, v in r.property_dependencies.items()
                },
                **({"provider": provider} if provider is not None else {}),
            )
        )
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


def default_workers() -> int:
    """Pack processes to run: one core is left to this client, which builds and sends the requests."""
    return max(1, min((os.cpu_count() or 1) - 1, 4))


class AnalyzerSession:
    """One or more copies of a pack, configured once, analyzing any number of states."""

    def __init__(self, pack_dir: Path, workers: int = 0, env: dict[str, str] | None = None,
                 rpc_timeout: float = RPC_TIMEOUT, start_timeout: float = START_TIMEOUT) -> None:  # fmt: skip
        self.pack_dir = Path(pack_dir)
        self.rpc_timeout = rpc_timeout
        count = workers or default_workers()
        self.processes: list[PackProcess] = []
        try:
            for _ in range(count):
                self.processes.append(PackProcess(self.pack_dir, env or {}, connect=False))
            for process in self.processes:
                process.connect(start_timeout)
        except BaseException:
            self.close()
            raise
        self.info = self._call(self.processes[0], "GetAnalyzerInfo", empty_pb2.Empty())
        self.policies: dict[str, PolicyInfo] = {}
        self.notes: list[str] = []

    def _call(self, process: PackProcess, method: str, request: Any) -> Any:
        try:
            return getattr(process.stub, method)(request, timeout=self.rpc_timeout)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.UNIMPLEMENTED:  # type: ignore[attr-defined]
                return None
            raise PackError(
                f"{self.pack_dir}: {method} failed: {exc.code().name}: {exc.details()}"  # type: ignore[attr-defined]
            ) from None

    def __enter__(self) -> AnalyzerSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for process in self.processes:
            process.close()

    def plugin_version(self) -> str:
        info = self._call(self.processes[0], "GetPluginInfo", empty_pb2.Empty())
        return info.version if info is not None else ""

    def handshake(self, root_directory: Path) -> None:
        request = analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address="127.0.0.1:1",
            root_directory=str(root_directory),
            program_directory=str(root_directory),
        )
        for process in self.processes:
            self._call(process, "Handshake", request)  # Python packs answer UNIMPLEMENTED, as under the CLI

    def configure_stack(self, state: StackState, tags: dict[str, str] | None = None) -> None:
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=state.stack,
            project=state.project,
            organization="organization",
            dry_run=False,
            tags=tags or {},
        )
        for process in self.processes:
            self._call(process, "ConfigureStack", request)

    def configure(self, user_config: dict[str, Any], source: str = "policy config") -> None:
        """Merge defaults, the pack's initial config and ``user_config`` like the CLI, then ``Configure``."""
        policies: dict[str, dict[str, Any]] = {}
        aliases: dict[str, str] = {}
        for p in self.info.policies:
            schema = (
                json_format.MessageToDict(p.configSchema, preserving_proto_field_name=True)
                if p.HasField("configSchema")
                else {}
            )
            policies[p.name] = {"enforcementLevel": _LEVELS[p.enforcementLevel], "configSchema": schema}
            for tag in p.tags:
                if tag.startswith("MLK_"):
                    aliases[tag] = p.name
                elif tag.startswith(FORMERLY_TAG):
                    aliases[tag.removeprefix(FORMERLY_TAG)] = p.name
        self.notes = [
            f"{source}: {key!r} is the former name of policy {aliases[key]!r}; "
            f"it still works with keel check but is deprecated, "
            f"and pulumi preview --policy-pack-config knows only {aliases[key]!r}."
            for key in user_config
            if key in aliases and not key.startswith("MLK_")
        ]
        initial: dict[str, dict[str, Any]] = {}
        for name, config in self.info.initialConfig.items():
            layer = json_format.MessageToDict(config.properties) if config.HasField("properties") else {}
            if config.enforcementLevel != analyzer_pb2.ADVISORY or not layer:
                layer["enforcementLevel"] = _LEVELS[config.enforcementLevel]
            initial[name] = layer
        merged = merge_policy_config(policies, initial, user_config, aliases, source)
        request = analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                name: analyzer_pb2.PolicyConfig(
                    enforcementLevel=_LEVEL_VALUES[level], properties=_struct(props)
                )
                for name, (level, props) in merged.items()
            }
        )
        for process in self.processes:
            self._call(process, "Configure", request)
        for p in self.info.policies:
            rule_id = next((t for t in p.tags if t.startswith("MLK_")), p.name)
            framework = " ".join(
                x for x in (p.framework.name, p.framework.version, p.framework.reference) if x
            )
            self.policies[p.name] = PolicyInfo(
                name=p.name,
                rule_id=rule_id,
                title=p.description,
                severity=_SEVERITIES.get(p.severity, "unspecified"),
                enforcement=merged[p.name][0],
                kind="stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
                framework=framework,
                remediation=p.remediation_steps,
            )

    # ------------------------------------------------------------------------------------------ analysis

    def _finding(self, state: StackState, resource: StateResource | None, urn: str, policy: str, status: str,
                 message: str, enforcement: str) -> Finding:  # fmt: skip
        info = self.policies.get(policy)
        by_urn = resource if resource is not None and resource.urn == urn else state._by_urn.get(urn)
        return Finding(
            state=display_path(state.path),
            policy=policy,
            rule_id=info.rule_id if info else policy,
            title=info.title if info else policy,
            severity=info.severity if info else "unspecified",
            enforcement=enforcement,
            status=status,
            urn=urn,
            resource_type=by_urn.type if by_urn is not None else "pulumi:pulumi:Stack",
            resource_name=by_urn.name if by_urn is not None else state.stack,
            message=message,
        )

    def _findings(
        self, state: StackState, resource: StateResource | None, response: Any
    ) -> Iterable[Finding]:
        default_urn = resource.urn if resource is not None else ""
        for d in response.diagnostics:
            text = d.message
            if text.startswith(_CANT_RUN):
                reason = text.split(": ", 1)[1] if ": " in text else text
                yield self._finding(state, resource, d.urn or default_urn, d.policyName, UNCHECKED,
                                    f"could not be checked: {reason}",
                                    self._enforcement(d.policyName))  # fmt: skip
                continue
            if d.description and text.startswith(d.description):
                text = text[len(d.description) :].lstrip("\n") or d.description
            yield self._finding(
                state,
                resource,
                d.urn or default_urn,
                d.policyName,
                VIOLATION,
                text,
                _LEVELS[d.enforcementLevel],
            )
        for na in response.not_applicable:
            if na.reason.startswith(EXEMPT_PREFIX):
                yield self._finding(state, resource, default_urn, na.policy_name, EXEMPTED, na.reason,
                                    self._enforcement(na.policy_name))  # fmt: skip

    def _enforcement(self, policy: str) -> str:
        """The configured enforcement of ``policy`` (unchecked diagnostics arrive as advisory)."""
        info = self.policies.get(policy)
        return info.enforcement if info else "advisory"

    def analyze_resources(
        self, state: StackState, progress: Callable[[int], None] | None = None
    ) -> tuple[list[Finding], int]:
        """``Analyze`` every resource of ``state`` except the root stack, spread over the pack copies."""
        targets = [r for r in state.resources if r.type != "pulumi:pulumi:Stack"]
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            # A private loop, never made the thread's current one: ``asyncio.run`` would leave the thread
            # without a loop, and the Pulumi SDK (``keel plan`` in the same process) needs to get one.
            loop = asyncio.new_event_loop()
            try:
                responses = loop.run_until_complete(self._analyze_async(state, targets, progress))
            finally:
                loop.close()
        else:  # called from inside an event loop, which cannot be run again: one future per call
            responses = self._analyze_futures(state, targets, progress)
        findings: list[Finding] = []
        for resource, response in zip(targets, responses, strict=True):
            findings.extend(self._findings(state, resource, response))
        return findings, len(targets)

    def _failed(self, resource: StateResource, exc: grpc.RpcError) -> PackError:
        return PackError(
            f"{self.pack_dir}: Analyze of {resource.urn} failed: {exc.code().name}: {exc.details()}"  # type: ignore[attr-defined]
        )

    async def _analyze_async(
        self, state: StackState, targets: list[StateResource], progress: Callable[[int], None] | None
    ) -> list[Any]:
        """The calls over ``grpc.aio``: ``IN_FLIGHT`` callers per pack copy take resources from one queue.

        Why not ``stub.future``: with the pack answering faster than the client sends, each channel's
        calls in flight keep dropping to zero, and the sync API then stops and restarts its polling
        thread, once for every second call; that and the per-call futures made this client use more CPU
        than a pack copy, on the same cores. A copy that is busy (with ``AnalyzeStack``, say) simply
        takes fewer resources from the queue.
        """
        responses: list[Any] = [None] * len(targets)
        queue = iter(range(len(targets)))
        channels = [
            grpc.aio.insecure_channel(f"127.0.0.1:{process.port}", options=_GRPC_OPTIONS)
            for process in self.processes
        ]

        async def caller(stub: Any) -> None:
            for index in queue:  # one iterator shared by every caller on this loop
                resource = targets[index]
                try:
                    responses[index] = await stub.Analyze(
                        analyze_request(state, resource), timeout=self.rpc_timeout
                    )
                except grpc.RpcError as exc:
                    raise self._failed(resource, exc) from None
                if progress is not None:
                    progress(1)

        try:
            stubs = [analyzer_pb2_grpc.AnalyzerStub(channel) for channel in channels]
            await asyncio.gather(*(caller(stub) for stub in stubs for _ in range(IN_FLIGHT)))
        finally:
            for channel in channels:
                await channel.close()
        return responses

    def _analyze_futures(
        self, state: StackState, targets: list[StateResource], progress: Callable[[int], None] | None
    ) -> list[Any]:
        responses: list[Any] = []
        pending: deque[tuple[StateResource, Any]] = deque()
        limit = IN_FLIGHT * len(self.processes)

        def drain_one() -> None:
            resource, future = pending.popleft()
            try:
                responses.append(future.result())
            except grpc.RpcError as exc:
                raise self._failed(resource, exc) from None
            if progress is not None:
                progress(1)

        for index, resource in enumerate(targets):
            process = self.processes[index % len(self.processes)]
            future = process.stub.Analyze.future(analyze_request(state, resource), timeout=self.rpc_timeout)
            pending.append((resource, future))
            if len(pending) >= limit:
                drain_one()
        while pending:
            drain_one()
        return responses

    def analyze_stack(self, state: StackState) -> list[Finding]:
        return self.start_analyze_stack(state)()

    def start_analyze_stack(self, state: StackState) -> Callable[[], list[Finding]]:
        """Send ``AnalyzeStack`` now; the returned function waits for its findings.

        Why early: the stack call carries every resource and is the longest single call; sent before the
        ``Analyze`` calls, to the last pack copy, it runs alongside them instead of after them with the
        other copies idle. Its findings are still reported after the resources' (as the engine orders
        them), and the pack's answers do not depend on the order of the calls.
        """
        future = self.processes[-1].stub.AnalyzeStack.future(
            analyze_stack_request(state), timeout=self.rpc_timeout
        )

        def findings() -> list[Finding]:
            try:
                response = future.result()
            except grpc.RpcError as exc:
                if exc.code() == grpc.StatusCode.UNIMPLEMENTED:  # type: ignore[attr-defined]
                    response = None
                else:
                    raise PackError(
                        f"{self.pack_dir}: AnalyzeStack failed: {exc.code().name}: {exc.details()}"  # type: ignore[attr-defined]
                    ) from None
            return list(self._findings(state, None, response))

        return findings


def pack_version(pack_dir: Path) -> str:
    """The version in ``PulumiPolicy.yaml``, which the CLI prefers over what a Python pack reports."""
    import yaml

    try:
        data = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return ""
    return str(data.get("version") or "") if isinstance(data, dict) else ""


def check_states(
    states: Sequence[StackState],
    pack_dir: Path,
    user_config: dict[str, Any] | None = None,
    config_source: str = "policy config",
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
    rpc_timeout: float = RPC_TIMEOUT,
    start_timeout: float = START_TIMEOUT,
) -> CheckResult:
    """Run the pack at ``pack_dir`` over ``states`` the way ``pulumi preview --policy-pack`` would."""
    started = time.perf_counter()
    first = states[0] if states else None
    env = {
        "PULUMI_CONFIG": json.dumps({}),
        "PULUMI_PROJECT": first.project if first else "mlkeel",
        "PULUMI_STACK": first.stack if first else "check",
        "PULUMI_ORGANIZATION": "organization",
        "PULUMI_DRY_RUN": "true",
    }
    with AnalyzerSession(
        pack_dir, workers=workers, env=env, rpc_timeout=rpc_timeout, start_timeout=start_timeout
    ) as session:
        session.handshake(Path(pack_dir).resolve())
        if first is not None:
            session.configure_stack(first)
        session.configure(user_config or {}, config_source)
        result = CheckResult(
            pack=session.info.name,
            pack_version=pack_version(Path(pack_dir)) or session.info.version,
            policies=dict(session.policies),
            states=[],
            notes=list(session.notes),
        )
        analysis_started = time.perf_counter()
        for state in states:
            session.configure_stack(state)
            stack_findings = session.start_analyze_stack(state)
            findings, analyzed = session.analyze_resources(state, progress)
            findings.extend(stack_findings())
            result.findings.extend(findings)
            result.states.append(
                StateSummary(display_path(state.path), state.stack, len(state.resources), analyzed)
            )
        result.analysis_seconds = time.perf_counter() - analysis_started
    result.seconds = time.perf_counter() - started
    return result


__all__ = [
    "AnalyzerSession",
    "PackError",
    "PackProcess",
    "analyze_request",
    "analyze_stack_request",
    "check_states",
]

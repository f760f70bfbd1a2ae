"""A resource monitor that records the graph exactly as the Pulumi engine would.

The SDK's ``MockMonitor`` answers registrations but keeps little: its URNs drop all but the nearest
parent type, it runs no new-style transforms, and it forgets providers, dependencies and secrets. This
subclass plays the engine's part instead:

- URNs carry the full parent type chain (``sdk/go/common/resource/urn.go`` ``NewURN``);
- transforms run in the engine's order, the resource's own, then each ancestor's, then the stack's
  (``pkg/resource/deploy/source_eval.go``), invoked through the SDK's own callback servicer with the same
  ``TransformRequest`` bytes the engine sends over gRPC;
- resources without a provider get the engine's default provider (``pulumi:providers:aws::default_7_51_1``)
  configured from the stack's ``<package>:`` config;
- inputs, outputs, parents, dependencies and property dependencies are kept in the shape of
  ``pulumi stack export``, with secrets kept secret.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs
from pulumi.runtime.proto import resource_pb2

from mlkeel.state import SECRET_SIG
from mlkeel.state import SECRET_SIG_KEY as SIG_KEY

from .mocks import PlatformMocks

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"
TRANSFORM_TIMEOUT_SECONDS = 120


def to_python(value: Any) -> Any:
    """A protobuf Struct/Value as plain Python, special envelopes (secrets, resources) kept as dicts."""
    if isinstance(value, struct_pb2.Struct):
        return {key: to_python(item) for key, item in value.items()}
    if isinstance(value, struct_pb2.ListValue):
        return [to_python(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG and "value" in value


def contains_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return is_secret(value) or any(contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_secret(v) for v in value)
    return False


def reveal(value: Any) -> Any:
    """The value with every secret envelope opened, for the mocks (the provider sees plaintext too)."""
    if isinstance(value, dict):
        if is_secret(value):
            return reveal(value["value"])
        if SIG_KEY in value and "urn" in value:  # a resource reference: providers see its id
            return value.get("id") or value["urn"]
        return {key: reveal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [reveal(item) for item in value]
    return value


def _secret(value: Any) -> dict[str, Any]:
    return value if is_secret(value) else {SIG_KEY: SECRET_SIG, "value": value}


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(values)
    return out


class RecordingMonitor(MockMonitor):
    """Records every registration in ``pulumi stack export`` shape while answering like the engine."""

    def __init__(self, mocks: PlatformMocks, project: str, stack: str, config: Mapping[str, str]):
        super().__init__(mocks)
        self.project = project
        self.stack = stack
        self.config = dict(config)
        self.records: list[dict[str, Any]] = []
        self.by_urn: dict[str, dict[str, Any]] = {}
        self._own_transforms: dict[str, list[Any]] = {}
        self._parents: dict[str, str] = {}
        self._stack_transform_callbacks: list[Any] = []
        self._default_providers: dict[tuple[str, str], str] = {}
        self._servicers: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.platform_mocks = mocks

    # -- URNs --------------------------------------------------------------------------------------
    def make_urn(self, parent: str, type_: str, name: str) -> str:
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                qualified = f"{parent_type}${type_}"
        return f"urn:pulumi:{self.stack}::{self.project}::{qualified}::{name}"

    # -- transforms --------------------------------------------------------------------------------
    def RegisterStackTransform(self, request):
        self._stack_transform_callbacks.append(request)
        return super().RegisterStackTransform(request)

    def _servicer(self, target: str) -> Any:
        servicer = self._servicers.get(target)
        if servicer is None:
            for candidate in _CallbackServicer._servicers:
                if candidate._target == target:
                    servicer = self._servicers[target] = candidate
                    break
        if servicer is None:
            raise RuntimeError(f"no callback server listens on {target}")
        return servicer

    def _invoke(self, invoke: Any, payload: bytes, program_loop: asyncio.AbstractEventLoop) -> Any:
        """Run a callback coroutine on the program's event loop, as the engine's gRPC call-back is served.

        Registrations reach the monitor on executor threads, so the program's loop is free to serve the
        call. A callback must never start on another loop: a transform may await the program's outputs,
        and a coroutine that touched a future from the wrong loop cannot be retried on the right one
        (the future is left marked as awaited), which made the outcome depend on timing.
        """
        future = asyncio.run_coroutine_threadsafe(invoke(payload), program_loop)
        return future.result(TRANSFORM_TIMEOUT_SECONDS)

    def _transform_chain(self, request: Any) -> list[Any]:
        chain = list(request.transforms)
        parent = request.parent
        while parent:
            chain.extend(self._own_transforms.get(parent, ()))
            parent = self._parents.get(parent, "")
        chain.extend(self._stack_transform_callbacks)
        return chain

    def _run_transforms(self, request: Any, chain: list[Any]) -> Any:
        # The engine passes only explicit dependsOn here; property dependencies travel with the properties.
        property_deps = {urn for deps in request.propertyDependencies.values() for urn in deps.urns}
        options = resource_pb2.TransformResourceOptions(
            depends_on=[dep for dep in request.dependencies if dep not in property_deps],
            protect=request.protect,
            ignore_changes=list(request.ignoreChanges),
            replace_on_changes=list(request.replaceOnChanges),
            version=request.version,
            provider=request.provider,
            providers=dict(request.providers),
            plugin_download_url=request.pluginDownloadURL,
            retain_on_delete=request.retainOnDelete,
            deleted_with=request.deletedWith,
            additional_secret_outputs=list(request.additionalSecretOutputs),
            aliases=list(request.aliases),
        )
        if request.HasField("customTimeouts"):
            options.custom_timeouts.CopyFrom(request.customTimeouts)
        properties = request.object
        for callback in chain:
            servicer = self._servicer(callback.target)
            invoke = servicer._callbacks[callback.token]
            transform_request = resource_pb2.TransformRequest(
                type=request.type,
                name=request.name,
                custom=request.custom,
                parent=request.parent,
                properties=properties,
                options=options,
            )
            # The same bytes cross the wire both ways as with the engine.
            response = resource_pb2.TransformResponse.FromString(
                self._invoke(
                    invoke, transform_request.SerializeToString(), servicer._loop
                ).SerializeToString()
            )
            if response.HasField("properties"):
                properties = response.properties
            if response.HasField("options"):
                options = response.options
        updated = resource_pb2.RegisterResourceRequest()
        updated.CopyFrom(request)
        updated.object.CopyFrom(properties)
        updated.protect = options.protect
        del updated.ignoreChanges[:]
        updated.ignoreChanges.extend(options.ignore_changes)
        del updated.additionalSecretOutputs[:]
        updated.additionalSecretOutputs.extend(options.additional_secret_outputs)
        updated.retainOnDelete = options.retain_on_delete
        if options.provider:
            updated.provider = options.provider
        extra = [dep for dep in options.depends_on if dep not in updated.dependencies]
        updated.dependencies.extend(extra)
        return updated

    # -- providers ---------------------------------------------------------------------------------
    def _default_provider(self, package: str, version: str) -> str:
        key = (package, version)
        with self._lock:
            ref = self._default_providers.get(key)
            if ref is not None:
                return ref
            name = f"default_{version.replace('.', '_')}" if version else "default"
            urn = f"urn:pulumi:{self.stack}::{self.project}::{PROVIDER_PREFIX}{package}::{name}"
            inputs: dict[str, Any] = {
                key_.split(":", 1)[1]: value
                for key_, value in self.config.items()
                if key_.startswith(f"{package}:")
            }
            if version:
                inputs["version"] = version
            id_ = str(uuid.uuid5(uuid.NAMESPACE_URL, urn))
            ref = f"{urn}::{id_}"
            record = {
                "urn": urn,
                "custom": True,
                "id": id_,
                "type": f"{PROVIDER_PREFIX}{package}",
                "inputs": inputs,
                "outputs": dict(inputs),
            }
            self._append(record)
            self.platform_mocks.providers[ref] = inputs
            self._default_providers[key] = ref
            return ref

    def _append(self, record: dict[str, Any]) -> None:
        self.records.append(record)
        self.by_urn[record["urn"]] = record

    # -- registrations -----------------------------------------------------------------------------
    def RegisterResource(self, request):
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE:
            with self._lock:
                self._append({"urn": urn, "custom": False, "type": STACK_TYPE, "outputs": {}})
            return resource_pb2.RegisterResourceResponse(urn=urn)

        chain = self._transform_chain(request)
        if chain:
            request = self._run_transforms(request, chain)
        with self._lock:
            self._parents[urn] = request.parent
            if request.transforms:
                self._own_transforms[urn] = list(request.transforms)

        inputs = to_python(request.object)
        is_provider = request.type.startswith(PROVIDER_PREFIX)
        provider = request.provider
        if request.custom and not is_provider and not provider:
            provider = self._default_provider(request.type.split(":", 1)[0], request.version)

        id_: str | None = None
        outputs: dict[str, Any] = {}
        if request.custom:
            args = MockResourceArgs(
                typ=request.type,
                name=request.name,
                inputs=reveal(inputs),
                provider=provider,
                resource_id=request.importId,
                custom=True,
            )
            id_, state = self.mocks.new_resource(args)
            secret_keys = {key for key, value in inputs.items() if contains_secret(value)}
            secret_keys.update(request.additionalSecretOutputs)
            outputs = {key: (_secret(value) if key in secret_keys else value) for key, value in state.items()}
            if is_provider:
                self.platform_mocks.providers[f"{urn}::{id_}"] = reveal(inputs)

        record: dict[str, Any] = {"urn": urn, "custom": bool(request.custom)}
        if request.custom:
            record["id"] = id_ or ""
        record["type"] = request.type
        record["inputs"] = inputs
        record["outputs"] = outputs
        if request.parent:
            record["parent"] = request.parent
        if provider and not is_provider:
            record["provider"] = provider
        if request.protect:
            record["protect"] = True
        dependencies = list(dict.fromkeys(request.dependencies))
        if dependencies:
            record["dependencies"] = dependencies
        property_dependencies = {
            key: list(dict.fromkeys(deps.urns))
            for key, deps in request.propertyDependencies.items()
            if deps.urns
        }
        if property_dependencies:
            record["propertyDependencies"] = property_dependencies
        if request.additionalSecretOutputs:
            record["additionalSecretOutputs"] = list(request.additionalSecretOutputs)
        if request.remote:
            record["remote"] = True
        with self._lock:
            self._append(record)
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_ or "", reveal(outputs))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "", object=_struct(outputs))

    def RegisterResourceOutputs(self, request):
        outputs = to_python(request.outputs)
        with self._lock:
            record = self.by_urn.get(request.urn)
            if record is not None:
                record["outputs"] = outputs
        return empty_pb2.Empty()

    def ReadResource(self, request):
        response = super().ReadResource(request)
        properties = to_python(response.properties)
        with self._lock:
            self._append(
                {
                    "urn": response.urn,
                    "custom": True,
                    "id": request.id,
                    "type": request.type,
                    "external": True,
                    "inputs": {},
                    "outputs": properties,
                    **({"parent": request.parent} if request.parent else {}),
                }
            )
        return response


def ciphertext_envelopes(value: Any) -> Any:
    """Secrets as ``pulumi stack export`` prints them: a ciphertext envelope, never the plaintext."""
    if isinstance(value, dict):
        if is_secret(value):
            return {SIG_KEY: SECRET_SIG, "ciphertext": "v1:offline:not-encrypted-value-withheld"}
        return {key: ciphertext_envelopes(item) for key, item in value.items()}
    if isinstance(value, list):
        return [ciphertext_envelopes(item) for item in value]
    return value


def decode_provider_json(value: Any) -> Any:
    """Provider config values arrive JSON-encoded (``defaultTags``); decode where they are."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value

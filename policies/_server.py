"""Serving a pack: the stock ``pulumi_policy`` server, with properties decoded once per request.

The stock ``_PolicyAnalyzerServicer.Analyze`` converts the request's properties (and its provider's)
from protobuf, deserializes and proxies them once *per policy*; with three dozen rules that is most of
the time of an Analyze call (``benchmarks/check_scale.py`` measures both servers; figures in
``docs/performance.md``). ``_OncePerRequestServicer`` replaces ``Analyze``/``AnalyzeStack`` with copies
of the SDK's loops that decode once per request and hand every policy the same read-only view, configure
the runtime once per environment instead of once per call, and skip rules whose type filter
(``mlkeel_applies_to_type``, the same predicate their ``validate`` starts with) rules the resource out;
``AnalyzeStack`` decodes a resource's properties only when a stack policy reads them.
The loops keep the SDK's decisions (enforcement, remediate as mandatory, unknowns as an advisory "can't
run policy" diagnostic, not-applicable) and call the SDK's own helpers for policy config, violation
reports, resource options and providers; ``tests/policies/test_server.py`` checks both servers give
byte-identical answers for every fixture.

It is installed by swapping the class ``PolicyPack`` instantiates, so ``PolicyPack`` keeps doing the
argument checks, the gRPC server and the port handshake exactly as under ``pulumi preview``. It is used
only when the SDK still has the internals it reads (``_compatible``); set ``MLKEEL_POLICY_SERVER=stock``
to run the untouched SDK server. The pack names the server it runs on its first line of standard error
(``SERVER_LOG_PREFIX``), so a silent fallback to the stock server shows.
"""

from __future__ import annotations

import asyncio
import os
import sys
from inspect import isawaitable
from typing import Any

import pulumi_policy.policy as sdk
from google.protobuf import json_format
from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

_STOCK = sdk._PolicyAnalyzerServicer


def struct_to_dict(struct: Any) -> dict[str, Any]:
    """``json_format.MessageToDict(struct)`` for a ``google.protobuf.Struct``, about 1.4 times faster.

    Why: decoding the properties is, besides the rules, most of what the pack does per resource, and the
    generic printer looks up descriptors and field types for every value (34 against 49 us per fixture
    resource). Same values and types (numbers
    stay floats; an infinite or NaN number raises ``ValueError`` as the printer does);
    ``tests/policies/test_server_decode.py`` compares both on every fixture state.
    """
    return {key: _value(value) for key, value in struct.fields.items()}


def _value(value: Any) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return {key: _value(item) for key, item in value.struct_value.fields.items()}
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    if kind == "bool_value":
        return value.bool_value
    if kind == "number_value":
        number = value.number_value
        if number != number or number in (_INF, -_INF):
            return json_format.MessageToDict(value)  # the printer's own error, word for word
        return number
    return None


_INF = float("inf")

#: First line a pack writes to standard error: which server answers (``mlkeel`` or ``stock``), so a
#: silent fallback to the stock server is visible to the client and to tests.
SERVER_LOG_PREFIX = "mlkeel policy server: "
_RUNTIME_ENV = ("PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION")


class _OncePerRequestServicer(_STOCK):  # type: ignore[misc, valid-type]
    """The SDK servicer with ``Analyze`` decoding a request's properties once instead of once per policy."""

    _configured_for: tuple[str | None, ...] | None = None

    def _configure_runtime_settings(self) -> None:
        """The SDK re-reads the environment and rebuilds ``pulumi.runtime`` settings on every call (~0.1 ms,
        a fifth of an Analyze); the environment of a pack process does not change, so do it when it does."""
        key = tuple(os.environ.get(k) for k in _RUNTIME_ENV)
        if key != self._configured_for:
            super()._configure_runtime_settings()
            self._configured_for = key

    def _sdk(self, name: str) -> Any:
        """A private attribute of the SDK servicer (name-mangled ``__name``)."""
        return getattr(self, f"_PolicyAnalyzerServicer__{name}")

    def _level(self, policy: Any, kind: type) -> EnforcementLevel | None:
        """The level ``policy`` reports at, or None when it is disabled or not a ``kind`` policy.

        As the SDK decides it in both ``Analyze`` and ``AnalyzeStack``: a violation left after remediation
        (or from a stack policy, which cannot remediate) is reported as mandatory.
        """
        level = self._get_enforcement_level(policy)
        if level == EnforcementLevel.DISABLED or not isinstance(policy, kind):
            return None
        return EnforcementLevel.MANDATORY if level == EnforcementLevel.REMEDIATE else level

    def Analyze(self, request: Any, _context: Any) -> Any:
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        decoded: tuple[Any, Any, Any] | None = None
        for policy in self._sdk("policies"):
            applies = getattr(policy, "mlkeel_applies_to_type", None)
            if applies is not None and not applies(request.type):
                continue  # the rule's validate would return without a look at the resource
            level = self._level(policy, ResourceValidationPolicy)
            if level is None:
                continue
            if not policy.has_validation():
                response.not_applicable.append(
                    proto.PolicyNotApplicable(
                        policy_name=policy.name, reason="Policy does not implement validate"
                    )
                )
                continue
            if decoded is None:
                props = unknown_checking_proxy(deserialize_properties(struct_to_dict(request.properties)))
                decoded = (props, self._get_resource_options(request), self._get_provider_resource(request))
            props, opts, provider = decoded
            args = ResourceValidationArgs(
                request.type,
                props,
                request.urn,
                request.name,
                opts,
                provider,
                self._get_policy_config(policy.name),
                self._sdk("stack_tags"),
            )
            self._run_policy(policy, level, args, response)
        return response

    def AnalyzeStack(self, request: Any, _context: Any) -> Any:
        """The SDK's ``AnalyzeStack`` with the resource graph built once for all stack policies."""
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        resources: list[PolicyResource] | None = None
        for policy in self._sdk("policies"):
            level = self._level(policy, StackValidationPolicy)
            if level is None:
                continue
            if resources is None:
                resources = self._resource_graph(request)
            args = StackValidationArgs(
                resources, self._get_policy_config(policy.name), self._sdk("stack_tags")
            )
            self._run_policy(policy, level, args, response)
        return response

    def _run_policy(self, policy: Any, level: EnforcementLevel, args: Any, response: Any) -> None:
        """Validate one policy as the SDK does: unknowns become an advisory diagnostic, not a pass."""
        pack_name = self._sdk("policy_pack_name")
        pack_version = self._sdk("policy_pack_version")
        report_violation = self._create_report_violation(
            response, policy.name, policy.description, level, policy.severity
        )
        try:
            result = policy.validate(args, report_violation)
            if isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(asyncio.Task(result, loop=loop))  # type: ignore[arg-type]
                loop.close()
        except UnknownValueError as e:
            response.diagnostics.append(
                proto.AnalyzeDiagnostic(
                    policyName=policy.name,
                    policyPackName=pack_name,
                    policyPackVersion=pack_version,
                    message=(
                        f"can't run policy '{policy.name}' from policy pack "
                        f"'{pack_name}@v{pack_version}' during preview: {e.message}"
                    ),
                    urn="",
                    description=policy.description,
                    enforcementLevel=self._map_enforcement_level(EnforcementLevel.ADVISORY),
                )
            )
        except sdk._NotApplicableError as e:
            response.not_applicable.append(
                proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or "")
            )

    def _resource_graph(self, request: Any) -> list[PolicyResource]:
        """Resources with parents and dependencies linked, as the SDK builds them (once, not per policy)."""
        by_urn: dict[str, PolicyResource] = {}
        links = []
        providers: dict[bytes, Any] = {}
        for r in request.resources:
            key = r.provider.SerializeToString(deterministic=True) if r.HasField("provider") else b""
            if key not in providers:  # one provider object per distinct provider, as they are read-only
                providers[key] = self._get_provider_resource(r)
            resource = _LazyPropsResource(
                r.properties, r.type, r.urn, r.name, self._get_resource_options(r), providers[key]
            )
            by_urn[r.urn] = resource
            links.append(
                (
                    resource,
                    r.parent,
                    list(r.dependencies),
                    {k: list(v.urns) for k, v in r.propertyDependencies.items()},
                )
            )
        for resource, parent, dependencies, property_dependencies in links:
            if parent and parent in by_urn:
                resource.parent = by_urn[parent]
            resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
            for k, urns in property_dependencies.items():
                resource.property_dependencies[k] = [by_urn[d] for d in urns if d in by_urn]
        return list(by_urn.values())


_PENDING: Any = object()


class _LazyPropsResource(PolicyResource):
    """A ``PolicyResource`` whose properties are decoded when a stack policy first reads them.

    Why: ``AnalyzeStack`` carries every resource of the stack, and the stack policies read the properties
    of a few types only (buckets, budgets, trails, network policies); decoding all of them made
    ``AnalyzeStack`` the longest call of a check. The value read is the one the eager decode gave.
    """

    _props: Any

    def __init__(
        self, properties: Any, resource_type: str, urn: str, name: str, opts: Any, provider: Any
    ) -> None:
        self._properties = properties
        super().__init__(resource_type, _PENDING, urn, name, opts, provider, None, [], {})

    @property  # type: ignore[override]
    def props(self) -> Any:
        if self._props is _PENDING:
            self._props = unknown_checking_proxy(deserialize_properties(struct_to_dict(self._properties)))
            self._properties = None
        return self._props

    @props.setter
    def props(self, value: Any) -> None:
        self._props = value


def _compatible() -> bool:
    """The override reads SDK internals; use it only if they are what it was written against."""
    needed = ("_get_enforcement_level", "_create_report_violation", "_get_resource_options",
              "_get_provider_resource", "_get_policy_config", "_configure_runtime_settings",
              "_map_enforcement_level")  # fmt: skip
    return all(hasattr(_STOCK, name) for name in needed) and hasattr(sdk, "_NotApplicableError")


def serve(**pack_args: Any) -> None:
    """Start the pack server (prints the port, then serves until killed), as ``PolicyPack`` does."""
    if os.environ.get("MLKEEL_POLICY_SERVER", "").lower() != "stock" and _compatible():
        sdk._PolicyAnalyzerServicer = _OncePerRequestServicer  # type: ignore[misc]
    serving = "mlkeel" if sdk._PolicyAnalyzerServicer is _OncePerRequestServicer else "stock"
    print(f"{SERVER_LOG_PREFIX}{serving}", file=sys.stderr, flush=True)  # before the port: the client waits
    PolicyPack(**pack_args)

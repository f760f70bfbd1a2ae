"""The policy test kit: run one rule in-process on a state, exactly as the pack server would call it.

Unit tests and the benchmark's in-process floor use this; integration tests go through ``keel check``
and the analyzer protocol instead. Properties reach the rule the way the SDK server hands them over:
wire-converted (secrets -> placeholder), deserialized, and wrapped in the unknown-checking proxy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import PolicyCustomTimeouts, _NotApplicableError
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from .analyzer._state import StackState, StateResource, wire_value
from .rules._base import AbsRule, ResourceRule, StackRule

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


@dataclass
class Outcome:
    """What one rule reported:
    ``(urn, message)`` violations, unchecked resources and not-applicable reasons."""

    violations: list[tuple[str, str]] = field(default_factory=list)
    unchecked: list[tuple[str, str]] = field(default_factory=list)
    not_applicable: list[tuple[str, str]] = field(default_factory=list)

    def record(self, validate: Callable[[Any, ReportViolation], Any], args: Any, target: str = "") -> None:
        """Call ``validate`` as the pack server does and file what it reports.

        A violation is about ``target`` (the resource of a resource rule) or, for a stack rule, the URN it
        names; an unknown or encrypted value is "unchecked", never a pass.
        """

        def report(message: str, urn: str | None = None) -> None:
            self.violations.append((target or urn or "", message))

        try:
            validate(args, report)
        except UnknownValueError as exc:
            self.unchecked.append((target, exc.message))
        except _NotApplicableError as exc:
            self.not_applicable.append((target, exc.reason or ""))


def _props(values: Mapping[str, Any]) -> Any:
    return unknown_checking_proxy(deserialize_properties(copy.deepcopy(wire_value(values))))


def _opts(resource: StateResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        resource.protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], resource.parent or None
    )


def _provider(state: StackState, resource: StateResource) -> PolicyProviderResource | None:
    provider = state.provider_of(resource)
    if provider is None:
        return None
    return PolicyProviderResource(provider.type, _props(provider.inputs), provider.urn, provider.name)


def resource_args(
    state: StackState, resource: StateResource, config: Mapping[str, Any] | None = None
) -> ResourceValidationArgs:
    """The ``ResourceValidationArgs`` the pack server builds for one ``Analyze`` call."""
    return ResourceValidationArgs(
        resource.type, _props(resource.inputs), resource.urn, resource.name, _opts(resource),
        _provider(state, resource), dict(config) if config else None,
    )  # fmt: skip


def stack_args(state: StackState, config: Mapping[str, Any] | None = None) -> StackValidationArgs:
    """The ``StackValidationArgs`` of ``AnalyzeStack``: outputs, parents and dependencies resolved."""
    by_urn: dict[str, PolicyResource] = {}
    for r in state.resources:
        by_urn[r.urn] = PolicyResource(
            r.type, _props(r.outputs or r.inputs), r.urn, r.name, _opts(r), _provider(state, r), None, [], {}
        )
    for r in state.resources:
        policy_resource = by_urn[r.urn]
        policy_resource.parent = by_urn.get(r.parent)
        policy_resource.dependencies = [by_urn[d] for d in r.dependencies if d in by_urn]
        policy_resource.property_dependencies = {
            k: [by_urn[d] for d in v if d in by_urn] for k, v in r.property_dependencies.items()
        }
    return StackValidationArgs(list(by_urn.values()), dict(config) if config else None)


def run_rule(
    rule: AbsRule, state: StackState, config: Mapping[str, Any] | None = None, urn: str | None = None
) -> Outcome:
    """Run ``rule`` on every resource of ``state`` (or only ``urn``), or on the stack for stack rules."""
    outcome = Outcome()
    if isinstance(rule, StackRule):
        outcome.record(rule.policy().validate, stack_args(state, config))
        return outcome
    assert isinstance(rule, ResourceRule)
    for resource in state.resources:
        if resource.type == "pulumi:pulumi:Stack" or (urn is not None and resource.urn != urn):
            continue
        outcome.record(rule.validate, resource_args(state, resource, config), resource.urn)
    return outcome


def run_rules(rules: list[AbsRule], state: StackState) -> Outcome:
    """All ``rules`` on ``state`` in-process with each resource decoded once, as mlkeel's pack server does
    without the protocol: the floor the benchmark compares the protocol against."""
    outcome = Outcome()
    resource_rules = [r for r in rules if isinstance(r, ResourceRule)]
    for resource in state.resources:
        if resource.type == "pulumi:pulumi:Stack":
            continue
        applicable = [r for r in resource_rules if r.applies_to_type(resource.type)]
        if not applicable:
            continue
        args = resource_args(state, resource)
        for rule in applicable:
            outcome.record(rule.validate, args, resource.urn)
    graph = stack_args(state)
    for stack_rule in rules:
        if isinstance(stack_rule, StackRule):
            outcome.record(stack_rule.validate, graph)
    return outcome

"""The offline analyzer client: run a policy pack over stack states the way the Pulumi engine does."""

from __future__ import annotations

from ._client import (
    AnalyzerSession,
    PackError,
    PackProcess,
    analyze_request,
    analyze_stack_request,
    check_states,
)
from ._config import PolicyConfigError, load_policy_config, merge_policy_config
from ._results import EXEMPTED, UNCHECKED, VIOLATION, CheckResult, Finding, PolicyInfo, StateSummary
from ._state import StackState, StateError, StateResource, load_state, parse_state, wire_value

__all__ = [
    "EXEMPTED",
    "UNCHECKED",
    "VIOLATION",
    "AnalyzerSession",
    "CheckResult",
    "Finding",
    "PackError",
    "PackProcess",
    "PolicyConfigError",
    "PolicyInfo",
    "StackState",
    "StateError",
    "StateResource",
    "StateSummary",
    "analyze_request",
    "analyze_stack_request",
    "check_states",
    "load_policy_config",
    "load_state",
    "merge_policy_config",
    "parse_state",
    "wire_value",
]

"""The policy client's view of a stack state:
the shared reader (``mlkeel.state``) plus what only a check needs.

Parsing, validation, errors and secret markers live in ``mlkeel.state``. A check adds one rule: every
custom resource's type must be known to an installed provider SDK (a typo in a type token would otherwise
make every rule skip the resource silently), unless the user allows unknown types.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from mlkeel import state as _shared
from mlkeel.files import InputError, parse_json
from mlkeel.state import (
    SECRET_SIG,
    SECRET_SIG_KEY,
    SUPPORTED_VERSIONS,
    StackState,
    StateError,
    StateResource,
)
from mlkeel.taggable import PROVIDER_MODULES, known_type


def _refuse_unknown_types(state: StackState, path: str | os.PathLike[str]) -> None:
    unknown = sorted(
        {r.type for r in state.resources if r.custom and not r.is_provider and not known_type(r.type)}
    )
    if unknown:
        raise StateError.at(
            path, "deployment.resources", None,
            f"unknown resource types (not in the installed {', '.join(sorted(PROVIDER_MODULES))} SDKs): "
            + ", ".join(unknown)
            + ". Fix the type tokens, or pass --allow-unknown-types to check the other resources.",
        )  # fmt: skip


def parse_state(text: str, path: str | os.PathLike[str], allow_unknown_types: bool = False) -> StackState:
    """Parse and validate one exported state for checking."""
    state = _shared.parse_state(text, path)
    if not allow_unknown_types:
        _refuse_unknown_types(state, path)
    return state


def load_state(path: str | os.PathLike[str], allow_unknown_types: bool = False) -> StackState:
    """Read and validate the state file at ``path`` for checking."""
    state = _shared.load_state(path)
    if not allow_unknown_types:
        _refuse_unknown_types(state, path)
    return state


def wire_value(value: Any) -> Any:
    """A state value as the engine sends it to an analyzer.

    Secrets in an export are ciphertext envelopes the engine would decrypt; offline they become secret
    values holding a placeholder that rules report as "could not be checked" (``--show-secrets``
    exports carry ``plaintext``, which is used as is).
    """
    if isinstance(value, list):
        return [wire_value(v) for v in value]
    if isinstance(value, Mapping):
        if _shared.is_secret(value):
            if "plaintext" in value:
                try:
                    inner = parse_json(str(value["plaintext"]), "<secret plaintext>")
                except InputError:  # not JSON (or beyond the limits): the text itself is the value
                    inner = value["plaintext"]
            elif "value" in value:
                inner = value["value"]
            else:
                from ..rules._base import SECRET_PLACEHOLDER

                inner = SECRET_PLACEHOLDER
            return {SECRET_SIG_KEY: SECRET_SIG, "value": wire_value(inner)}
        return {str(k): wire_value(v) for k, v in value.items()}
    return value


__all__ = [
    "SECRET_SIG",
    "SECRET_SIG_KEY",
    "SUPPORTED_VERSIONS",
    "StackState",
    "StateError",
    "StateResource",
    "load_state",
    "parse_state",
    "wire_value",
]

"""Reading stack states in ``pulumi stack export`` format, with errors that name the file and field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._taggable import PROVIDER_MODULES, is_known_type

#: ``pulumi stack export`` versions this reader understands.
SUPPORTED_VERSIONS = (3,)

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


class StateError(ValueError):
    """A state file cannot be checked; the message names the file, the field and what is allowed."""


@dataclass
class StateResource:
    """One resource of a state, as the engine would describe it to an analyzer."""

    urn: str
    type: str
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str = ""
    parent: str = ""
    provider: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")


@dataclass
class StackState:
    """A loaded state: its file, stack and project (from the URNs) and resources in state order."""

    path: Path
    stack: str
    project: str
    resources: list[StateResource]

    def provider_of(self, resource: StateResource) -> StateResource | None:
        """The provider resource a ``provider`` reference (``<urn>::<id>``) points to."""
        if not resource.provider:
            return None
        urn = resource.provider.rsplit("::", 1)[0]
        return self._by_urn.get(urn)

    def __post_init__(self) -> None:
        self._by_urn = {r.urn: r for r in self.resources}


def _field(
    path: Path,
    where: str,
    data: Mapping[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    required: bool = True,
) -> Any:
    if key not in data:
        if required:
            raise StateError(
                f"{path}: {where} has no '{key}' field (a `pulumi stack export` state needs it)."
            )
        return None
    value = data[key]
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise StateError(
            f"{path}: {where}.{key} must be {names} (found {type(value).__name__}: {str(value)[:60]!r})."
        )
    return value


def _resource(path: Path, index: int, raw: Any) -> StateResource:
    where = f"deployment.resources[{index}]"
    if not isinstance(raw, Mapping):
        raise StateError(f"{path}: {where} must be an object (found {type(raw).__name__}).")
    urn = _field(path, where, raw, "urn", str)
    if not urn.startswith("urn:pulumi:") or urn.count("::") < 3:
        raise StateError(
            f"{path}: {where}.urn must look like urn:pulumi:<stack>::<project>::<type>::<name> (found {urn!r})."
        )
    where = f"{where} ({urn})"
    return StateResource(
        urn=urn,
        type=_field(path, where, raw, "type", str),
        custom=_field(path, where, raw, "custom", bool),
        inputs=dict(_field(path, where, raw, "inputs", dict, required=False) or {}),
        outputs=dict(_field(path, where, raw, "outputs", dict, required=False) or {}),
        id=str(raw.get("id") or ""),
        parent=str(_field(path, where, raw, "parent", str, required=False) or ""),
        provider=str(_field(path, where, raw, "provider", str, required=False) or ""),
        dependencies=list(_field(path, where, raw, "dependencies", list, required=False) or []),
        property_dependencies={
            str(k): list(v)
            for k, v in (_field(path, where, raw, "propertyDependencies", dict, required=False) or {}).items()
        },
        protect=bool(raw.get("protect", False)),
    )


def parse_state(text: str, path: Path, allow_unknown_types: bool = False) -> StackState:
    """Parse and validate one exported state."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise StateError(
            f"{path}: not JSON ({exc}); expected the output of `pulumi stack export` or `keel plan`."
        ) from None
    if not isinstance(data, Mapping):
        raise StateError(f"{path}: the top level must be an object with 'version' and 'deployment'.")
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise StateError(
            f"{path}: version must be one of {', '.join(map(str, SUPPORTED_VERSIONS))} (found {version!r}); "
            "export with a current Pulumi CLI."
        )
    deployment = _field(path, "the state", data, "deployment", dict)
    raw_resources = _field(path, "deployment", deployment, "resources", list, required=False) or []
    resources = [_resource(path, i, raw) for i, raw in enumerate(raw_resources)]
    seen: set[str] = set()
    for r in resources:
        if r.urn in seen:
            raise StateError(f"{path}: URN {r.urn} appears twice in deployment.resources.")
        seen.add(r.urn)
    unknown = sorted(
        {
            r.type
            for r in resources
            if r.custom
            and not r.is_provider
            and not (r.type.split(":", 1)[0] in PROVIDER_MODULES and is_known_type(r.type))
        }
    )
    if unknown and not allow_unknown_types:
        raise StateError(
            f"{path}: unknown resource types (not in the installed {', '.join(sorted(PROVIDER_MODULES))} SDKs): "
            + ", ".join(unknown)
            + ". Fix the type tokens, or pass --allow-unknown-types to check the other resources."
        )
    stack = StackState(path=path, stack="", project="", resources=resources)
    for r in resources:
        if r.provider and stack.provider_of(r) is None:
            raise StateError(f"{path}: {r.urn} names provider {r.provider!r}, which is not in the state.")
    first = resources[0].urn.split("::") if resources else ["urn:pulumi:unknown", "unknown"]
    stack.stack = first[0].removeprefix("urn:pulumi:")
    stack.project = first[1]
    return stack


def load_state(path: Path, allow_unknown_types: bool = False) -> StackState:
    """Read and validate the state file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise StateError(f"{path}: cannot read the state ({exc.strerror or exc}).") from None
    return parse_state(text, Path(path), allow_unknown_types)


def wire_value(value: Any) -> Any:
    """A state value as the engine sends it to an analyzer.

    Secrets in an export are ciphertext envelopes the engine would decrypt; offline they become secret
    values holding a placeholder that rules report as "could not be checked" (``--show-secrets``
    exports carry ``plaintext``, which is used as is).
    """
    if isinstance(value, list):
        return [wire_value(v) for v in value]
    if isinstance(value, Mapping):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            if "plaintext" in value:
                try:
                    inner = json.loads(value["plaintext"])
                except (TypeError, ValueError):
                    inner = value["plaintext"]
            elif "value" in value:
                inner = value["value"]
            else:
                from ..rules._base import SECRET_PLACEHOLDER

                inner = SECRET_PLACEHOLDER
            return {SECRET_SIG_KEY: SECRET_SIG, "value": wire_value(inner)}
        return {str(k): wire_value(v) for k, v in value.items()}
    return value

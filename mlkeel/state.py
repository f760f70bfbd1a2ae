"""The one reader of stack states (the ``pulumi stack export`` format),
shared by ``keel check`` and ``keel cost``.

Two readers of the same format drift apart: one accepted a string ``version`` the other refused, one
counted a duplicated URN twice. Here the file is read once through ``mlkeel.files`` (size limit, regular
files only, UTF-8, strict JSON, depth limit), validated once, and every problem is a ``StateError`` naming
the file, the JSON path, the bad value and what is allowed. The policy client and the cost estimator keep
their own *views* of a parsed state; parsing, validation, secrets and effective tags live here.

Plain JSON only: this module imports no Pulumi, so ``runtime`` can use it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlkeel.files import MAX_STATE_BYTES, InputError, parse_json, read_text
from mlkeel.taggable import tag_field

#: Pulumi's marker of a secret value:
#: ``{SECRET_SIG_KEY: SECRET_SIG, "ciphertext" | "plaintext" | "value": ...}``.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

#: ``pulumi stack export`` versions this reader understands.
SUPPORTED_VERSIONS = (3,)

#: What a state file is, for error messages.
STATE_FORMAT = "a state from `pulumi stack export` or `keel plan` (deployment version 3)"

#: Tag keys the clouds reserve for their own use; never cost tags.
RESERVED_TAG_PREFIXES = ("goog-", "aws:")


class StateError(InputError):
    """A state file cannot be used;
    the message names the file, the JSON path, the value and what is allowed."""


def _error(path: str | os.PathLike[str], where: str, value: Any, allowed: str) -> StateError:
    error = StateError.at(path, where, value, allowed)
    assert isinstance(error, StateError)  # ``at`` builds the class it is called on
    return error


@dataclass
class StateResource:
    """One resource of a state, as the engine recorded it."""

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

    @property
    def props(self) -> dict[str, Any]:
        """Inputs overlaid with outputs: planned states have only inputs, deployed ones both."""
        return {**self.inputs, **self.outputs}


@dataclass
class StackState:
    """A loaded state: its file, stack and project (from the URNs) and its resources in state order."""

    path: Path
    stack: str
    project: str
    resources: list[StateResource]

    def __post_init__(self) -> None:
        self._by_urn = {r.urn: r for r in self.resources}

    @property
    def by_urn(self) -> Mapping[str, StateResource]:
        return self._by_urn

    def provider_of(self, resource: StateResource) -> StateResource | None:
        """The provider resource a ``provider`` reference (``<urn>::<id>``) points to."""
        if not resource.provider:
            return None
        return self._by_urn.get(resource.provider.rsplit("::", 1)[0])

    def default_provider(self, package: str) -> StateResource | None:
        """The stack's default provider of ``package`` (``pulumi:providers:aws`` named ``default...``)."""
        for r in self.resources:
            if r.type == f"pulumi:providers:{package}" and r.name.startswith("default"):
                return r
        return None

    @property
    def outputs(self) -> dict[str, Any]:
        """The stack resource's outputs (``pulumi stack output``)."""
        root = next((r for r in self.resources if r.type == "pulumi:pulumi:Stack"), None)
        return dict(root.outputs) if root is not None else {}

    def effective_tags(self, resource: StateResource) -> dict[str, str]:
        """The cost tags billing sees on ``resource``:
        provider defaults overlaid by its own (secrets skipped)."""
        provider = self.provider_of(resource)
        if provider is None and not resource.provider:
            provider = self.default_provider(resource.type.split(":", 1)[0])
        return effective_tags(
            resource.type,
            resource.props,
            provider.type if provider is not None else "",
            provider.props if provider is not None else None,
        )


# -- secrets -------------------------------------------------------------------------------------------------
def is_secret(value: object) -> bool:
    """Whether ``value`` is a secret envelope (encrypted, ``--show-secrets`` plaintext, or engine-side)."""
    return isinstance(value, Mapping) and value.get(SECRET_SIG_KEY) == SECRET_SIG


# -- effective tags ------------------------------------------------------------------------------------------
SecretHandler = Callable[[str], None]


def _dig(props: Mapping[str, Any] | None, path: str) -> Any:
    current: Any = props
    for key in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def _tag_map(
    value: Any, where: str, secret: Callable[[Any], bool], on_secret: SecretHandler | None
) -> dict[str, str]:
    """A string map of tags; secret maps and values are reported to ``on_secret`` or skipped."""
    if secret(value):
        if on_secret is not None:
            on_secret(where)
        return {}
    if not isinstance(value, Mapping):
        return {}
    tags: dict[str, str] = {}
    for key in value:
        item = value[key]
        if secret(item):
            if on_secret is not None:
                on_secret(f"{where}.{key}")
            continue
        if isinstance(item, (str, int, float, bool)):
            tags[str(key)] = str(item)
    return tags


def provider_default_tags(
    provider_type: str,
    provider_props: Mapping[str, Any] | None,
    *,
    secret: Callable[[Any], bool] = is_secret,
    on_secret: SecretHandler | None = None,
) -> dict[str, str]:
    """AWS ``defaultTags.tags`` / GCP ``defaultLabels`` of a provider (a JSON string in states, or a map)."""
    key = {"pulumi:providers:aws": "defaultTags", "pulumi:providers:gcp": "defaultLabels"}.get(provider_type)
    if not provider_props or key is None or key not in provider_props:
        return {}
    value = provider_props[key]
    if secret(value):
        if on_secret is not None:
            on_secret(key)
        return {}
    if isinstance(value, str):
        value = _json_map(value)
    if provider_type == "pulumi:providers:aws":
        value = value.get("tags") if isinstance(value, Mapping) else None
        key = f"{key}.tags"
    return _tag_map(value, key, secret, on_secret)


@functools.lru_cache(maxsize=256)
def _json_map(text: str) -> Any:
    """Provider default tags arrive as a JSON string; every resource of a stack shares its provider's, so
    each distinct string is parsed once (the result is only read, never changed)."""
    try:
        return parse_json(text, "<provider default tags>")
    except InputError:  # not JSON, or beyond the limits: no default tags can be read from it
        return None


def effective_tags(
    resource_type: str,
    props: Mapping[str, Any],
    provider_type: str = "",
    provider_props: Mapping[str, Any] | None = None,
    *,
    secret: Callable[[Any], bool] = is_secret,
    on_secret: SecretHandler | None = None,
) -> dict[str, str]:
    """Provider default tags overlaid by the resource's own (own win), as the provider merges them.

    The resource's own tags are read where ``mlkeel.taggable`` says its type keeps them, and only there:
    Kubernetes node labels on an EKS node group or a GKE node pool's ``labels`` are not billing tags. The
    provider-computed ``tagsAll`` / ``effectiveLabels`` are not read: they are this same merge, done by
    the provider (and the engine may mark them secret). Keys the clouds reserve (``aws:``, ``goog-``) are
    left out. ``secret`` recognises a secret value (an envelope in a state, a placeholder in
    a policy pack); ``on_secret`` is told the property path of each one (the pack raises "could not be
    checked"), otherwise secrets are skipped.
    """
    tags: dict[str, str] = {}
    if provider_type.removeprefix("pulumi:providers:") == resource_type.split(":", 1)[0]:
        # A provider's defaults reach only its own resources (a Kubernetes object gets no GCP labels).
        tags = provider_default_tags(provider_type, provider_props, secret=secret, on_secret=on_secret)
    own = tag_field(resource_type)
    if own is not None:
        tags.update(_tag_map(_dig(props, own), own, secret, on_secret))
    return {k: v for k, v in tags.items() if not k.startswith(RESERVED_TAG_PREFIXES)}


# -- reading -------------------------------------------------------------------------------------------------
_KINDS: dict[type, str] = {str: "a string", bool: "true or false", dict: "an object", list: "a list"}


def _get(
    path: str | os.PathLike[str], where: str, data: Mapping[str, Any], key: str, kind: type, required: bool
) -> Any:
    """``data[key]`` of type ``kind``; a missing (or null) optional field is None."""
    value = data.get(key)
    if value is None:
        if required:
            raise _error(path, f"{where}.{key}" if where else key, None,
                         f"is missing; {STATE_FORMAT} has it")  # fmt: skip
        return None
    if not isinstance(value, kind):
        raise _error(
            path, f"{where}.{key}" if where else key, value, f"must be {_KINDS.get(kind, kind.__name__)}"
        )
    return value


def _resource(path: str | os.PathLike[str], index: int, raw: Any) -> StateResource:
    where = f"deployment.resources[{index}]"
    if not isinstance(raw, Mapping):
        raise _error(path, where, raw, "must be an object (one resource)")
    urn = _get(path, where, raw, "urn", str, True)
    rtype = _get(path, where, raw, "type", str, True)
    if not rtype:
        raise _error(
            path, f"{where}.type", rtype, "must be a resource type token such as aws:s3/bucket:Bucket"
        )
    if not urn.startswith("urn:pulumi:") or urn.count("::") < 3:
        raise _error(
            path, f"{where}.urn", urn, "must look like urn:pulumi:<stack>::<project>::<type>::<name>"
        )
    dependencies = _get(path, where, raw, "dependencies", list, False) or []
    for i, dep in enumerate(dependencies):
        if not isinstance(dep, str):
            raise _error(path, f"{where}.dependencies[{i}]", dep, "must be a URN string")
    property_dependencies: dict[str, list[str]] = {}
    for key, urns in (_get(path, where, raw, "propertyDependencies", dict, False) or {}).items():
        if not isinstance(urns, list) or not all(isinstance(u, str) for u in urns):
            raise _error(path, f"{where}.propertyDependencies.{key}", urns, "must be a list of URN strings")
        property_dependencies[str(key)] = list(urns)
    raw_id = raw.get("id")
    if raw_id is not None and not isinstance(raw_id, str):
        raise _error(path, f"{where}.id", raw_id, "must be a string")
    return StateResource(
        urn=urn,
        type=rtype,
        custom=_get(path, where, raw, "custom", bool, True),
        inputs=dict(_get(path, where, raw, "inputs", dict, False) or {}),
        outputs=dict(_get(path, where, raw, "outputs", dict, False) or {}),
        id=str(raw_id or ""),
        parent=_get(path, where, raw, "parent", str, False) or "",
        provider=_get(path, where, raw, "provider", str, False) or "",
        dependencies=list(dependencies),
        property_dependencies=property_dependencies,
        protect=bool(_get(path, where, raw, "protect", bool, False)),
    )


def from_document(document: Any, path: str | os.PathLike[str], *, require_version: bool = True) -> StackState:
    """Validate a decoded state document.

    ``require_version=False`` is for documents built in memory (the policy pack's resources handed to the
    cost estimator), which carry no ``version``; a version that *is* present must still be supported.
    """
    if not isinstance(document, Mapping):
        raise _error(path, "(top level)", None, f"must be a JSON object; expected {STATE_FORMAT}")
    versions = ", ".join(map(str, SUPPORTED_VERSIONS))
    if "version" in document or require_version:
        version = document.get("version")
        if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
            raise _error(path, "version", version,
                         f"must be the number {versions}; export with a current Pulumi CLI")  # fmt: skip
    deployment = _get(path, "", document, "deployment", dict, True)
    raw_resources = _get(path, "deployment", deployment, "resources", list, False) or []
    resources = [_resource(path, i, raw) for i, raw in enumerate(raw_resources)]
    first_index: dict[str, int] = {}
    for i, r in enumerate(resources):
        if r.urn in first_index:
            raise _error(path, f"deployment.resources[{i}].urn", r.urn,
                         f"appears twice (first at deployment.resources[{first_index[r.urn]}]); "
                         "each URN once")  # fmt: skip
        first_index[r.urn] = i
    state = StackState(path=Path(path), stack="", project="", resources=resources)
    for i, r in enumerate(resources):
        if r.provider and state.provider_of(r) is None:
            raise _error(path, f"deployment.resources[{i}].provider", r.provider,
                         "must name a provider resource of this state (<provider urn>::<id>)")  # fmt: skip
    first = resources[0].urn.split("::") if resources else ["urn:pulumi:unknown", "unknown"]
    state.stack = first[0].removeprefix("urn:pulumi:")
    state.project = first[1]
    return state


def parse_state(text: str, path: str | os.PathLike[str]) -> StackState:
    """Parse and validate the text of one exported state."""
    try:
        document = parse_json(text, path, what="state")
    except StateError:
        raise
    except InputError as exc:
        raise StateError(
            str(exc), file=exc.file, field=exc.field, value=exc.value, allowed=exc.allowed
        ) from None
    return from_document(document, path)


def load_state(path: str | os.PathLike[str]) -> StackState:
    """Read and validate the state file at ``path`` (at most ``MAX_STATE_BYTES``)."""
    try:
        text = read_text(path, what="state file", max_bytes=MAX_STATE_BYTES)
    except InputError as exc:
        raise StateError(
            str(exc), file=exc.file, field=exc.field, value=exc.value, allowed=exc.allowed
        ) from None
    return parse_state(text, path)


__all__ = [
    "RESERVED_TAG_PREFIXES",
    "SECRET_SIG",
    "SECRET_SIG_KEY",
    "STATE_FORMAT",
    "SUPPORTED_VERSIONS",
    "StackState",
    "StateError",
    "StateResource",
    "effective_tags",
    "from_document",
    "is_secret",
    "load_state",
    "parse_state",
    "provider_default_tags",
]

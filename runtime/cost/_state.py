"""Pricing's view of a stack state; reading, validation, errors and tags are the shared ``mlkeel.state``.

Pricing needs, per custom resource: its type, name, merged properties (inputs overlaid with outputs, since
planned states only have inputs and deployed ones have both), its region (the resource's own ``region`` /
``location`` input, else its provider's) and its cost tags (``mlkeel.state.effective_tags``: provider
default tags merged with the resource's own). Malformed states fail with ``StateError`` naming the file, the
JSON path, the value and what is allowed, exactly as ``keel check`` reports them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlkeel import state as _shared
from mlkeel.state import StateError, effective_tags

__all__ = ["StackState", "StateError", "StateResource", "load_state", "parse_state"]


@dataclass(frozen=True, slots=True)
class StateResource:
    """One custom resource of a state, as pricing sees it."""

    urn: str
    type: str
    name: str
    id: str
    props: Mapping[str, Any]
    cloud: str | None
    region: str | None
    tags: Mapping[str, str]
    dependencies: tuple[str, ...] = ()
    provider_region: str | None = None


@dataclass
class StackState:
    """The custom resources of one stack plus the stack resource's outputs."""

    stack: str
    resources: list[StateResource]
    outputs: Mapping[str, Any] = field(default_factory=dict)
    path: str = "<memory>"
    skipped_unknown: int = 0


def _cloud_of(type_token: str) -> str | None:
    prefix = type_token.split(":", 1)[0]
    return prefix if prefix in {"aws", "gcp", "kubernetes"} else None


def _region_of_location(location: str) -> str:
    """GCP zone ``europe-west4-a`` -> region ``europe-west4``; regions and multi-regions unchanged."""
    parts = location.split("-")
    if len(parts) == 3 and len(parts[2]) == 1 and parts[1][-1].isdigit():
        return "-".join(parts[:2])
    return location


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _view(shared: _shared.StackState, path: str) -> StackState:
    root = next((r for r in shared.resources if r.type == "pulumi:pulumi:Stack"), None)
    resources: list[StateResource] = []
    for res in shared.resources:
        if not res.custom or res.type.startswith(("pulumi:providers:", "pulumi:pulumi:")):
            continue
        cloud = _cloud_of(res.type)
        provider = shared.provider_of(res)
        if provider is None and cloud is not None:
            provider = shared.default_provider(cloud)
        pprops = provider.props if provider is not None else {}
        props = res.props
        region = _text(props.get("region"))
        if cloud == "gcp" and not region:
            region = _text(props.get("location"))
        if not region:
            region = _text(pprops.get("region"))
            if cloud == "gcp" and not region:
                region = _text(pprops.get("zone"))
        if cloud == "gcp" and region:
            region = _region_of_location(region)
        resources.append(
            StateResource(
                urn=res.urn,
                type=res.type,
                name=res.name,
                id=res.id,
                props=props,
                cloud=cloud,
                region=region,
                tags=effective_tags(res.type, props, provider.type if provider else "", pprops),
                dependencies=tuple(res.dependencies),
                provider_region=_text(pprops.get("region")),
            )
        )
    stack = root.urn.split("::")[0].removeprefix("urn:pulumi:") if root is not None else ""
    return StackState(stack=stack, resources=resources, outputs=dict(root.outputs) if root else {}, path=path)


def parse_state(document: object, path: str | os.PathLike[str] = "<memory>") -> StackState:
    """Pricing's view of a decoded state document; :class:`StateError` names the field when it is malformed.

    A document built in memory (the policy pack's resources) may leave out ``version``; files may not.
    """
    return _view(_shared.from_document(document, path, require_version=False), str(path))


def load_state(path: str | os.PathLike[str]) -> StackState:
    """Read and parse a state file through the shared reader (the checks ``keel check`` makes)."""
    return _view(_shared.load_state(Path(path)), str(path))

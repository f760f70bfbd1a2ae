"""Reading a stack state (the ``pulumi stack export`` format) into what pricing needs.

Pricing needs, per custom resource: its type, name, merged properties (inputs overlaid with outputs, since
planned states only have inputs and deployed ones have both), its region (the resource's own ``region`` /
``location`` input, else its provider's) and its cost tags (provider default tags merged with the
resource's own tags or labels). Malformed states fail with the file, the JSON path and what was expected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

_SECRET_SIG = "4dabf18193072939515e22adb298388d"


class StateError(ValueError):
    """A state file is unreadable or not in the ``pulumi stack export`` format."""


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


def _is_secret(value: object) -> bool:
    return isinstance(value, dict) and _SECRET_SIG in value


def _json_map(value: object) -> dict[str, Any]:
    """Provider ``defaultTags`` / ``defaultLabels`` arrive as JSON strings (or already decoded maps)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return value if isinstance(value, dict) else {}


def _string_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {
        str(k): str(v)
        for k, v in value.items()
        if isinstance(v, (str, int, float, bool)) and not _is_secret(v)
    }


_TAG_PATHS: tuple[tuple[str, ...], ...] = (
    ("tags",),
    ("labels",),
    ("resourceLabels",),
    ("nodeConfig", "resourceLabels"),
    ("metadata", "labels"),
    ("effectiveLabels",),
    ("tagsAll",),
)


def _dig(props: Mapping[str, Any], path: tuple[str, ...]) -> object:
    cur: object = props
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def resource_tags(props: Mapping[str, Any], provider_defaults: Mapping[str, str]) -> dict[str, str]:
    """Provider default tags overlaid by the resource's own tags/labels (all places providers keep them).

    GCP ``effectiveLabels`` and AWS ``tagsAll`` already include provider defaults; reading them last keeps
    whatever the provider computed.
    """
    tags = dict(provider_defaults)
    for path in _TAG_PATHS:
        tags.update(_string_map(_dig(props, path)))
    return {k: v for k, v in tags.items() if not k.startswith(("goog-", "aws:"))}


def _cloud_of(type_token: str) -> str | None:
    prefix = type_token.split(":", 1)[0]
    return prefix if prefix in {"aws", "gcp", "kubernetes"} else None


def _region_of_location(location: str) -> str:
    """GCP zone ``europe-west4-a`` -> region ``europe-west4``; regions and multi-regions unchanged."""
    parts = location.split("-")
    if len(parts) == 3 and len(parts[2]) == 1 and parts[1][-1].isdigit():
        return "-".join(parts[:2])
    return location


def _require(condition: bool, path: str, where: str, expected: str) -> None:
    if not condition:
        raise StateError(
            f"{path}: field '{where}' {expected} (is this a `pulumi stack export` / `keel plan` state?)"
        )


def parse_state(document: object, path: str = "<memory>") -> StackState:
    """Parse a decoded state document; raise :class:`StateError` naming the field when it is malformed."""
    _require(isinstance(document, dict), path, "(top level)", "must be a JSON object")
    assert isinstance(document, dict)
    deployment = document.get("deployment")
    _require(isinstance(deployment, dict), path, "deployment", "must be an object")
    assert isinstance(deployment, dict)
    raw_resources = deployment.get("resources", [])
    _require(isinstance(raw_resources, list), path, "deployment.resources", "must be a list")

    providers: dict[str, dict[str, Any]] = {}
    default_providers: dict[str, dict[str, Any]] = {}
    stack_name, outputs = "", cast(dict[str, Any], {})
    for index, raw in enumerate(raw_resources):
        if not isinstance(raw, dict):
            _require(False, path, f"deployment.resources[{index}]", "must be an object")
        rtype, urn = raw.get("type"), raw.get("urn")
        if not (isinstance(urn, str) and urn and isinstance(rtype, str) and rtype):
            key = "urn" if not (isinstance(urn, str) and urn) else "type"
            _require(False, path, f"deployment.resources[{index}].{key}", "must be a non-empty string")
        for key in ("inputs", "outputs"):
            value = raw.get(key)
            if value is not None and not isinstance(value, dict):
                _require(False, path, f"deployment.resources[{index}].{key}", "must be an object")
        if rtype == "pulumi:pulumi:Stack":
            outputs = raw.get("outputs") or {}
            stack_name = urn.split("::")[0].removeprefix("urn:pulumi:")
        elif rtype.startswith("pulumi:providers:"):
            pprops = {**(raw.get("inputs") or {}), **(raw.get("outputs") or {})}
            ref = f"{urn}::{raw.get('id', '')}"
            providers[ref] = pprops
            providers[urn] = pprops
            if urn.rsplit("::", 1)[-1].startswith("default"):
                default_providers[rtype.removeprefix("pulumi:providers:")] = pprops

    resources: list[StateResource] = []
    defaults_cache: dict[tuple[int, str | None], dict[str, str]] = {}
    for raw in raw_resources:
        rtype, urn = raw["type"], raw["urn"]
        if not raw.get("custom", False) or rtype.startswith(("pulumi:providers:", "pulumi:pulumi:")):
            continue
        props: dict[str, Any] = {**(raw.get("inputs") or {}), **(raw.get("outputs") or {})}
        cloud = _cloud_of(rtype)
        provider_ref = raw.get("provider")
        prov = providers.get(provider_ref or "") or providers.get((provider_ref or "").rsplit("::", 1)[0])
        if prov is None and cloud is not None:
            prov = default_providers.get(cloud, {})
        prov = prov or {}
        cache_key = (id(prov), cloud)
        defaults = defaults_cache.get(cache_key)
        if defaults is None:  # provider default tags are a JSON string: decode once per provider
            if cloud == "aws":
                defaults = _string_map(_json_map(prov.get("defaultTags")).get("tags"))
            elif cloud == "gcp":
                defaults = _string_map(_json_map(prov.get("defaultLabels")))
            else:
                defaults = {}
            defaults_cache[cache_key] = defaults
        region = props.get("region") if isinstance(props.get("region"), str) else None
        if cloud == "gcp" and not region and isinstance(props.get("location"), str):
            region = props["location"]
        if not region:
            region = prov.get("region") if isinstance(prov.get("region"), str) else None
            if cloud == "gcp" and not region and isinstance(prov.get("zone"), str):
                region = prov["zone"]
        prov_region = prov.get("region") if isinstance(prov.get("region"), str) else None
        if cloud == "gcp" and region:
            region = _region_of_location(region)
        deps = raw.get("dependencies") or []
        resources.append(
            StateResource(
                urn=urn,
                type=rtype,
                name=urn.rsplit("::", 1)[-1],
                id=str(raw.get("id") or ""),
                props=props,
                cloud=cloud,
                region=region,
                tags=resource_tags(props, defaults),
                dependencies=tuple(d for d in deps if isinstance(d, str)),
                provider_region=prov_region,
            )
        )
    return StackState(stack=stack_name, resources=resources, outputs=outputs, path=path)


def load_state(path: str | Path) -> StackState:
    """Read and parse a state file; :class:`StateError` names the file when it is not a state."""
    p = Path(path)
    try:
        document = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StateError(f"{p}: no such state file") from None
    except json.JSONDecodeError as exc:
        raise StateError(f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return parse_state(document, str(p))

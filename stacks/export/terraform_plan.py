"""A stack state as Terraform plan JSON (``terraform show -json`` of a plan, format 1.2).

Checkov, Trivy and OPA/conftest read Terraform plans, not Pulumi states. pulumi-aws and pulumi-gcp are
bridged from the Terraform providers, so each resource maps back: its type token to the Terraform type,
camelCase properties to snake_case, Pulumi's flattened single nested blocks (MaxItems=1) back to a list of
one object, Pulumi's pluralised block lists (``rules``) back to the block name (``rule``). Every name and
shape comes from ``terraform-schema.json`` (``scripts/terraform_schema.py``); what it cannot map is
reported, never guessed:

* types with no Terraform resource (mlkeel components, providers, the stack, beta-only GCP resources) are
  listed in ``mlkeel_unmapped`` and left out;
* properties with no Terraform attribute are listed in ``mlkeel_unknown_properties`` and left out.

Secrets never reach the output: a Pulumi secret anywhere in a value, and every attribute the schema marks
sensitive, is left out of ``values`` and marked in ``sensitive_values``. Property dependencies become
``configuration`` references, so graph checks connect a bucket to its public-access block, a VPC to its
flow log, a key to what it encrypts.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlkeel.files import InputError, parse_json, read_text
from mlkeel.state import StackState, StateResource, is_secret
from stacks.export.names import PACKAGES, PROPERTY_RENAMES, singular_forms, snake, terraform_type

SCHEMA_PATH = Path(__file__).resolve().parent / "terraform-schema.json"

#: The plan JSON format written, and the Terraform version claimed (no Terraform ran; scanners require one).
FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.0"

#: Pulumi's marker of a value not known until apply (previews); exported as ``after_unknown``.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

#: Kinds of attribute in the schema: how a Pulumi value is reshaped for Terraform.
BLOCK_KINDS = {"block", "block_list", "block_set", "object", "object_list", "object_set"}
LIST_KINDS = {"list", "set", "block_list", "block_set", "object_list", "object_set"}

_OMIT = object()


@dataclass(frozen=True)
class TerraformSchema:
    """Terraform names and shapes per resource type, and which Pulumi tokens map to which type."""

    resources: Mapping[str, Any]
    providers: Mapping[str, Any]

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self.resources)


@functools.lru_cache(maxsize=4)
def load_schema(path: Path = SCHEMA_PATH) -> TerraformSchema:
    """Read the committed schema (``InputError`` naming the file if it is missing or malformed)."""
    document = parse_json(read_text(path, what="Terraform schema", max_bytes=8 * 1024 * 1024), path)
    if not isinstance(document, Mapping) or not isinstance(document.get("resources"), Mapping):
        raise InputError.at(
            path,
            "resources",
            None,
            "must be an object of Terraform types; regenerate with scripts/terraform_schema.py",
        )
    return TerraformSchema(resources=document["resources"], providers=document.get("providers") or {})


@dataclass
class ExportResult:
    """The plan document and what could not be exported."""

    document: dict[str, Any]
    exported: int
    unmapped: Counter[str] = field(default_factory=Counter)
    unknown_properties: list[str] = field(default_factory=list)

    def summary(self, path: Path | str) -> str:
        """One line for standard error: what was exported, what was not and why."""
        cloud = {t: n for t, n in self.unmapped.items() if t.split(":", 1)[0] in PACKAGES}
        others = sum(n for t, n in self.unmapped.items() if t not in cloud)
        line = f"{path}: exported {self.exported} resources as Terraform plan JSON"
        line += f"; left out {others} components, providers and stacks (mlkeel_unmapped)"
        if cloud:
            line += "; no Terraform type for " + ", ".join(f"{t} x{n}" for t, n in sorted(cloud.items()))
        if self.unknown_properties:
            count = len(self.unknown_properties)
            line += f"; {count} properties with no Terraform attribute (mlkeel_unknown_properties)"
        return line


# -- values --------------------------------------------------------------------------------------------------
def _scrub(value: Any) -> tuple[Any, Any]:
    """A value with no secrets left, and its ``sensitive_values`` marker (True, a nested marker or None)."""
    if is_secret(value):
        return _OMIT, True
    if value == UNKNOWN:
        return _OMIT, None
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        marks: dict[str, Any] = {}
        for key, item in value.items():
            clean, mark = _scrub(item)
            if clean is not _OMIT:
                out[str(key)] = clean
            if mark is not None:
                marks[str(key)] = mark
        return out, marks or None
    if isinstance(value, list):
        items: list[Any] = []
        item_marks: list[Any] = []
        for item in value:
            clean, mark = _scrub(item)
            items.append(None if clean is _OMIT else clean)
            item_marks.append(mark if mark is not None else False)
        return items, item_marks if any(m is not False for m in item_marks) else None
    return value, None


class _Converter:
    """Converts one resource's properties; collects the property paths the schema does not know."""

    def __init__(self, address: str, tf_type: str) -> None:
        self.address = address
        self.renames = PROPERTY_RENAMES.get(tf_type, {})
        self.unknown: list[str] = []

    def name_of(self, key: str, attrs: Mapping[str, Any], top: bool = True) -> str | None:
        """The Terraform attribute a Pulumi property stands for, or None."""
        if top and key in self.renames:
            return self.renames[key]
        name = snake(key)
        if name in attrs:
            return name
        for form in singular_forms(name):
            if form in attrs and attrs[form]["kind"] in LIST_KINDS:
                return form
        return None

    def obj(
        self, props: Mapping[str, Any], attrs: Mapping[str, Any], where: str
    ) -> tuple[dict[str, Any], Any]:
        out: dict[str, Any] = {}
        marks: dict[str, Any] = {}
        for key, value in props.items():
            name = self.name_of(str(key), attrs, top=not where)
            if name is None:
                self.unknown.append(f"{self.address}: {where}{key}")
                continue
            if is_secret(value):
                marks[name] = True
                continue
            clean, mark = self.value(value, attrs[name], f"{where}{key}.")
            if clean is not _OMIT:
                out[name] = clean
            if mark is not None:
                marks[name] = mark
        return out, marks or None

    def value(self, value: Any, spec: Mapping[str, Any], where: str) -> tuple[Any, Any]:
        kind = spec["kind"]
        if kind not in BLOCK_KINDS or value is None:
            return _scrub(value)
        nested = spec.get("attributes") or {}
        if kind == "object":
            if isinstance(value, Mapping):
                return self.obj(value, nested, where)
            return _scrub(value)
        elements = [value] if isinstance(value, Mapping) else value
        if not isinstance(elements, list):
            return _scrub(value)
        out: list[Any] = []
        marks: list[Any] = []
        for i, element in enumerate(elements):
            if is_secret(element):
                out.append(None)
                marks.append(True)
            elif isinstance(element, Mapping):
                clean, mark = self.obj(element, nested, f"{where}[{i}].")
                out.append(clean)
                marks.append(mark or {})
            else:
                clean, mark = _scrub(element)
                out.append(None if clean is _OMIT else clean)
                marks.append(mark if mark is not None else False)
        return out, marks if any(m not in (False, {}) for m in marks) else None


# -- addresses -----------------------------------------------------------------------------------------------
_INVALID = re.compile(r"[^A-Za-z0-9_]")


def _identifier(logical_name: str) -> str:
    """A Terraform identifier (letters, digits, underscores; not starting with a digit) for a logical name."""
    name = _INVALID.sub("_", logical_name) or "_"
    return name if not name[0].isdigit() else f"_{name}"


def export_state(state: StackState, schema: TerraformSchema | None = None) -> ExportResult:
    """The Terraform plan JSON of ``state``: every resource the schema maps is planned for creation."""
    schema = schema or load_schema()
    types = schema.types
    addresses: dict[str, str] = {}
    used: set[str] = set()
    mapped: list[tuple[StateResource, str, str]] = []
    unmapped: Counter[str] = Counter()
    for resource in state.resources:
        tf_type = terraform_type(resource.type, types) if resource.custom else None
        if tf_type is None:
            unmapped[resource.type] += 1
            continue
        name = base = _identifier(resource.name)
        n = 1
        while f"{tf_type}.{name}" in used:
            n += 1
            name = f"{base}_{n}"
        address = f"{tf_type}.{name}"
        used.add(address)
        addresses[resource.urn] = address
        mapped.append((resource, tf_type, name))

    planned: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    unknown: list[str] = []
    for resource, tf_type, name in mapped:
        address = addresses[resource.urn]
        package = resource.type.split(":", 1)[0]
        provider = PACKAGES[package][1]
        spec = schema.resources[tf_type]
        attrs = spec["attributes"]
        sensitive = set(spec.get("sensitive") or ())
        converter = _Converter(address, tf_type)
        props = resource.outputs or resource.inputs
        visible = {k: v for k, v in props.items() if snake(str(k)) not in sensitive}
        values, marks = converter.obj(visible, attrs, "")
        marks = dict(marks or {})
        for key in props:
            if snake(str(key)) in sensitive and snake(str(key)) in attrs:
                marks[snake(str(key))] = True
        if resource.id and "id" in attrs and "id" not in values and "id" not in marks:
            values["id"] = resource.id
        unknown.extend(converter.unknown)
        after_unknown = {
            tf_name: True
            for k, v in props.items()
            if v == UNKNOWN and (tf_name := converter.name_of(str(k), attrs))
        }
        planned.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_name": provider,
                "schema_version": 0,
                "values": values,
                "sensitive_values": marks,
            }
        )
        changes.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_name": provider,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": after_unknown,
                    "before_sensitive": False,
                    "after_sensitive": marks,
                },
            }
        )
        configured.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_config_key": PACKAGES[package][0],
                "expressions": _expressions(resource, values, attrs, addresses, converter),
                "schema_version": 0,
            }
        )
    document = {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                prefix: {"name": prefix, "full_name": provider} for prefix, provider in PACKAGES.values()
            },
            "root_module": {"resources": configured},
        },
        "mlkeel_source": {"stack": state.stack, "project": state.project},
        "mlkeel_unmapped": dict(sorted(unmapped.items())),
        "mlkeel_unknown_properties": unknown,
    }
    return ExportResult(
        document=document, exported=len(planned), unmapped=unmapped, unknown_properties=unknown
    )


def _expressions(
    resource: StateResource,
    values: Mapping[str, Any],
    attrs: Mapping[str, Any],
    addresses: Mapping[str, str],
    converter: _Converter,
) -> dict[str, Any]:
    """References for properties that depend on other resources; constants for the rest (top level)."""
    expressions: dict[str, Any] = {}
    for key, urns in resource.property_dependencies.items():
        name = converter.name_of(key, attrs)
        refs = [ref for urn in urns if (a := addresses.get(urn)) for ref in (f"{a}.id", a)]
        if name is not None and refs:
            expressions[name] = {"references": refs}
    for name, value in values.items():
        if name not in expressions and attrs.get(name, {}).get("kind") not in BLOCK_KINDS:
            expressions[name] = {"constant_value": value}
    return expressions


def render(result: ExportResult) -> str:
    """The plan as indented JSON (Checkov reports line numbers, so each resource gets its own lines)."""
    return json.dumps(result.document, indent=2) + "\n"

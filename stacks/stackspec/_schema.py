"""The published JSON schemas, generated from the ``StackSpec`` so that editors check what ``keel`` checks.

Two shapes are published. ``stack-spec.schema.json`` is the spec itself (the ``mlkeel`` namespace with the
prefix taken off, as ``validate_spec_data`` reads it). ``stack-file.schema.json`` is what a person edits:
a ``Pulumi.<stack>.yaml`` whose ``config:`` holds the same keys prefixed ``mlkeel:``, the providers' own
keys (``aws:region``, ``gcp:project``), and ``secure:`` ciphertext wherever the spec takes a secret. Both
come from the one model, so neither can drift from it (a test regenerates and compares them).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ._load import NAMESPACE
from ._model import StackSpec

HERE = Path(__file__).resolve().parent
#: The spec's own schema (keys without the namespace).
SPEC_SCHEMA_FILE = HERE / "stack-spec.schema.json"
#: The schema of a whole stack file; ``keel new-team`` points new stack files at it.
STACK_FILE_SCHEMA_FILE = HERE / "stack-file.schema.json"

#: What ``pulumi config set --secret`` writes in place of a value.
SECURE_VALUE: dict[str, Any] = {
    "type": "object",
    "description": "a secret, encrypted by Pulumi (`pulumi config set --secret`)",
    "properties": {"secure": {"type": "string", "minLength": 1}},
    "required": ["secure"],
    "additionalProperties": False,
}
#: The top-level keys of a stack file besides ``config`` (the engine refuses any other).
_STACK_FILE_KEYS: dict[str, Any] = {
    "encryptionsalt": {"type": "string"},
    "secretsprovider": {"type": "string"},
    "encryptedkey": {"type": "string"},
    "environment": {"description": "Pulumi ESC environments the stack imports"},
}
#: Any other namespace's key (``aws:region``, ``gcp:project``): the provider reads it, not mlkeel.
_OTHER_NAMESPACE = rf"^(?!{NAMESPACE}:)[A-Za-z0-9_.-]+:.+$"


def spec_schema() -> dict[str, Any]:
    """The ``StackSpec`` schema, keys as in the ``mlkeel`` namespace without the prefix."""
    return StackSpec.model_json_schema(by_alias=True)


def _allow_secure(node: Any) -> Any:
    """``node`` with every secret string (pydantic's ``format: password``) also accepting ``secure:``."""
    if isinstance(node, list):
        return [_allow_secure(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("format") == "password":
        return {"anyOf": [node, SECURE_VALUE]}
    return {key: _allow_secure(value) for key, value in node.items()}


#: A scalar Pulumi hands the program as text (``mlkeel:team: 2024`` reads as ``"2024"``).
_SCALAR_AS_TEXT: dict[str, Any] = {
    "type": ["number", "boolean"],
    "description": "Pulumi passes a top-level scalar to the program as text",
}


#: An object written as JSON text, as ``pulumi new`` writes the structured keys a template prompts for;
#: the program decodes text starting with ``{`` or ``[`` (``contentSchema`` tells editors what is inside).
_JSON_TEXT: dict[str, Any] = {"type": "string", "pattern": r"^[{\[]", "contentMediaType": "application/json"}


def _top_level(node: dict[str, Any]) -> dict[str, Any]:
    """A top-level key's schema as a stack file may write it.

    Pulumi turns a top-level scalar into text before the program sees it, so ``keel`` accepts a free-text
    key written as a number or a boolean; the schema must not flag what ``keel`` accepts. Keys with a fixed
    set of values or a pattern keep their string-only schema: no number or boolean could pass those. An
    object key may also be JSON text (what ``pulumi new`` writes).
    """
    if node.get("type") == "string" and not {"enum", "const", "pattern"} & set(node):
        return {"anyOf": [node, _SCALAR_AS_TEXT]}
    if "$ref" in node or node.get("type") == "object":
        return {"anyOf": [node, {**_JSON_TEXT, "contentSchema": node}]}
    refs = [option for option in node.get("anyOf", []) if "$ref" in option]
    if len(refs) == 1:  # an optional section (``kubernetes``): the object, null, or the object as JSON text
        return {**node, "anyOf": [*node["anyOf"], {**_JSON_TEXT, "contentSchema": refs[0]}]}
    return node


def stack_file_schema() -> dict[str, Any]:
    """The schema of a ``Pulumi.<stack>.yaml``: ``config:`` with ``mlkeel:``-prefixed spec keys."""
    spec = _allow_secure(copy.deepcopy(spec_schema()))
    config = {
        "type": "object",
        "description": f"Pulumi config: the `{NAMESPACE}:` keys are the StackSpec (docs/spec.md); other "
        "namespaces belong to the providers",
        "properties": {f"{NAMESPACE}:{key}": _top_level(value) for key, value in spec["properties"].items()},
        "required": [f"{NAMESPACE}:{key}" for key in spec.get("required", [])],
        "patternProperties": {_OTHER_NAMESPACE: {"anyOf": [{"type": "string"}, SECURE_VALUE]}},
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "mlkeel stack file (Pulumi.<stack>.yaml)",
        "description": spec.get("description", ""),
        "type": "object",
        "properties": {"config": config, **_STACK_FILE_KEYS},
        "required": ["config"],
        "additionalProperties": False,
        "$defs": spec.get("$defs", {}),
    }

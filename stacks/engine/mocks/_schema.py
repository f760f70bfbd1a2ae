"""Input property names of provider resource types, read from the generated SDK signatures."""

from __future__ import annotations

import importlib
import inspect
from functools import cache

from mlkeel.taggable import _registry


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@cache
def input_names(type_token: str) -> frozenset[str]:
    """The engine (camelCase) names of ``type_token``'s inputs; empty if the type is unknown."""
    entry = _registry(type_token.split(":", 1)[0]).get(type_token)
    if entry is None:
        return frozenset()
    cls = getattr(importlib.import_module(entry[0]), entry[1], None)
    init = getattr(cls, "_internal_init", None)
    if init is None:
        return frozenset()
    skip = {"__self__", "resource_name", "opts", "__props__"}
    return frozenset(_camel(p) for p in inspect.signature(init).parameters if p not in skip)


@cache
def output_names(type_token: str) -> frozenset[str]:
    """The engine (camelCase) names of ``type_token``'s outputs (the class's output properties)."""
    entry = _registry(type_token.split(":", 1)[0]).get(type_token)
    if entry is None:
        return frozenset()
    cls = getattr(importlib.import_module(entry[0]), entry[1], None)
    if cls is None:
        return frozenset()
    return frozenset(
        _camel(name)
        for klass in cls.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, property)
    )

"""Turn a stack's Pulumi config into a validated ``StackSpec``, or a ``SpecError`` listing every problem."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ._errors import MISSING, Problem, SpecError
from ._model import StackSpec, cross_field_problems
from ._regions import pricing_cloud, region_problems
from .rules import cloud_problems

#: The config namespace of mlkeel's keys (the Pulumi project name).
NAMESPACE = "mlkeel"


def _decode(value: Any) -> Any:
    """Config values arrive as the language host gives them: strings, with objects and arrays JSON-encoded."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def spec_data_from_config(config: Mapping[str, Any], namespace: str = NAMESPACE) -> dict[str, Any]:
    """The ``namespace:`` keys of a flat Pulumi config map, without the prefix, values decoded."""
    prefix = f"{namespace}:"
    return {key[len(prefix) :]: _decode(value) for key, value in config.items() if key.startswith(prefix)}


def _field_for(model: type[BaseModel], alias: str) -> Any:
    for name, info in model.model_fields.items():
        if (info.alias or name) == alias:
            return info
    return None


def _model_at(loc: Iterable[Any]) -> type[BaseModel] | None:
    """The spec model found at an error location, to list the keys allowed there."""
    import typing

    model: Any = StackSpec
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        info = _field_for(model, str(part))
        if info is None:
            return None
        annotation = info.annotation
        # unwrap Optional[...] and list[...]
        for _ in range(3):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                break
            if args:
                annotation = args[-1] if typing.get_origin(annotation) is dict else args[0]
        model = annotation
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _path(loc: tuple[Any, ...], namespace: str) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for "the key itself", not a key called that
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = f"{namespace}:{part}"
    return out


def _plural(count: Any, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _shape_name(loc: tuple[Any, ...]) -> str:
    model = _model_at(loc)
    if model is None:
        return "a mapping of keys to values"
    return f"a mapping of {model.__name__} keys (see docs/spec.md#{model.__name__.lower()})"


def _message(error: Mapping[str, Any]) -> str:
    """A sentence saying what is allowed, in the spec's words rather than pydantic's."""
    kind = error["type"]
    loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = sorted((info.alias or name) for name, info in parent.model_fields.items()) if parent else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return f"unknown key.{hint} Allowed here: {', '.join(allowed)}"
    simple = {
        "missing": "is required",
        "string_type": "must be text (a string)",
        "int_type": "must be a whole number (not true/false, not text)",
        "int_from_float": "must be a whole number",
        "int_parsing": "must be a whole number",
        "float_type": "must be a number (not true/false, not text)",
        "float_parsing": "must be a number",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "finite_number": "must be a finite number (not inf or nan)",
        "list_type": "must be a list",
        "dict_type": "must be a mapping of keys to values",
        "model_type": f"must be {_shape_name(loc)}",
        "model_attributes_type": f"must be {_shape_name(loc)}",
    }
    if kind in simple:
        return simple[kind]
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the documented values')}"
    bounds = {
        "greater_than": ("gt", "must be greater than {}"),
        "greater_than_equal": ("ge", "must be at least {}"),
        "less_than": ("lt", "must be less than {}"),
        "less_than_equal": ("le", "must be at most {}"),
    }
    if kind in bounds:
        key, text = bounds[kind]
        return text.format(ctx.get(key))
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "must not be empty" if n == 1 else f"must be at least {_plural(n, 'character')}"
    if kind == "string_too_long":
        return f"must be at most {_plural(ctx.get('max_length'), 'character')}"
    if kind == "too_short":
        return f"must have at least {_plural(ctx.get('min_length'), 'item')}"
    if kind == "too_long":
        return f"must have at most {_plural(ctx.get('max_length'), 'item')}"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message.replace("Input should be", "must be")


def _issues_from_validation(exc: ValidationError, file: str, namespace: str) -> list[Problem]:
    issues = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        value = MISSING if error["type"] == "missing" else error.get("input", MISSING)
        if error["type"] == "extra_forbidden":
            value = MISSING
        issues.append(Problem(_path(loc, namespace), value, _message(error), file=file))
    return issues


def _catalog_regions(cloud: str) -> list[str]:
    from runtime.pricing import load_catalog

    return load_catalog().regions(cloud)


def validate_spec_data(data: Mapping[str, Any], file: str, namespace: str = NAMESPACE) -> StackSpec:
    """Validate decoded spec data completely; raise ``SpecError`` with every problem found."""
    if not isinstance(data, Mapping):
        raise SpecError([Problem(namespace, data, "the stack config must be a mapping of keys", file=file)])
    try:
        spec = StackSpec.model_validate(dict(data))
    except ValidationError as exc:
        raise SpecError(_issues_from_validation(exc, file, namespace)) from None
    region = region_problems(spec, cloud_problems, lambda: _catalog_regions(pricing_cloud(spec)))
    cloud = cloud_problems(spec)
    if region:  # the cloud rules' own region complaint would repeat it without the suggestions
        cloud = [problem for problem in cloud if problem.path != "region"]
    problems = region + cross_field_problems(spec) + cloud
    if problems:
        raise SpecError([problem.placed(file, namespace) for problem in problems])
    return spec


def spec_from_config(config: Mapping[str, Any], file: str, namespace: str = NAMESPACE) -> StackSpec:
    """Validate the ``mlkeel:`` keys of a flat Pulumi config map (as the language host provides it)."""
    return validate_spec_data(spec_data_from_config(config, namespace), file, namespace)

"""The stack-file reference in docs/spec.md, generated from the models so it cannot drift from them."""

from __future__ import annotations

import typing

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ._model import StackSpec


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is type(None):
        return "null"
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is typing.Annotated:
        rules = [
            m.description for m in getattr(annotation, "__metadata__", ()) if getattr(m, "description", None)
        ]
        return _type_name(args[0]) + "".join(f" ({rule})" for rule in rules)
    if origin in (list, typing.List):  # noqa: UP006
        return f"list of {_type_name(args[0])}"
    if origin in (dict, typing.Dict):  # noqa: UP006
        return f"map {_type_name(args[0])} → {_type_name(args[1])}"
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " or ".join(_type_name(a) for a in args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return getattr(annotation, "__name__", str(annotation)).replace("SecretStr", "secret string")


def _models(model: type[BaseModel], seen: list[type[BaseModel]]) -> list[type[BaseModel]]:
    if model in seen:
        return seen
    seen.append(model)
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                _models(annotation, seen)
            stack.extend(typing.get_args(annotation))
    return seen


def _constraints(info: typing.Any) -> str:
    parts = [info.description] if info.description else []
    for item in info.metadata:
        for name, symbol in (
            ("ge", "≥"),
            ("gt", ">"),
            ("le", "≤"),
            ("lt", "<"),
            ("min_length", "min length"),
            ("max_length", "max length"),
            ("pattern", "pattern"),
        ):
            value = getattr(item, name, None)
            if value is not None:
                parts.append(f"{symbol} `{value}`" if name == "pattern" else f"{symbol} {value}")
    return ", ".join(parts)


def reference_markdown() -> str:
    """One table per spec model: key, type, default, constraints, meaning."""
    lines: list[str] = []
    for model in _models(StackSpec, []):
        lines += [f"### {model.__name__}", "", (model.__doc__ or "").strip().split("\n")[0], ""]
        lines += ["| key | type | default | constraints |", "|---|---|---|---|"]
        for name, info in model.model_fields.items():
            if info.is_required():
                default = "**required**"
            elif info.default_factory is not None:
                default = "(see below)" if isinstance(info.default_factory, type) else "(computed)"
                try:
                    value = info.default_factory()  # type: ignore[call-arg]
                    if not isinstance(value, BaseModel):
                        default = f"`{value}`"
                except TypeError:
                    pass
            elif info.default is PydanticUndefined:
                default = ""
            else:
                default = f"`{info.default}`"
            lines.append(
                f"| `{info.alias or name}` | {_type_name(info.annotation)} "
                f"| {default} | {_constraints(info)} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

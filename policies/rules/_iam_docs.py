"""Reading IAM-style JSON policy documents (IAM policies, bucket policies, key policies)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ._base import as_list


def statements(document: Any) -> Iterator[Mapping[str, Any]]:
    """Each statement of a parsed policy document (``Statement`` may be one object or a list)."""
    if not isinstance(document, Mapping):
        return
    for statement in as_list(document.get("Statement")):
        if isinstance(statement, Mapping):
            yield statement


def principals(statement: Mapping[str, Any]) -> list[str]:
    """Principal values of a statement: ``"*"``, ``{"AWS": [...]}``, ``{"Service": ...}``."""
    principal = statement.get("Principal")
    if principal is None:
        return []
    if isinstance(principal, str):
        return [principal]
    if isinstance(principal, Mapping):
        values: list[str] = []
        for key in principal:
            values.extend(str(v) for v in as_list(principal[key]))
        return values
    return [str(p) for p in as_list(principal)]


def is_public_principal(statement: Mapping[str, Any]) -> bool:
    """Whether an Allow statement grants to everyone without a narrowing condition."""
    return (
        statement.get("Effect") == "Allow" and "*" in principals(statement) and not statement.get("Condition")
    )


def actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action"))]


def resources(statement: Mapping[str, Any]) -> list[str]:
    return [str(r) for r in as_list(statement.get("Resource"))]

"""The spec's own error type: every problem with its file, field path, bad value and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_MISSING = object()


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a stack file."""

    file: str
    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        if self.value is _MISSING:
            return f"{where}: {self.message}"
        return f"{where} = {_show(self.value)}: {self.message}"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else _compact(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _compact(value: Any) -> str:
    import json

    try:
        return json.dumps(value, default=str)
    except (TypeError, ValueError):
        return repr(value)


class SpecError(ValueError):
    """A stack file that cannot become a platform; lists every problem found, not only the first."""

    def __init__(self, issues: list[SpecIssue]):
        self.issues = list(issues)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([head, *(f"  - {issue}" for issue in self.issues)]))


MISSING = _MISSING

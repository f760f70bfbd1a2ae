"""The spec's own error type: every problem with its file, field path, bad value and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from mlkeel.files import InputError


class _Missing:
    """No value (a missing key); one instance, kept as that instance through pickling."""

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "_MISSING"


_MISSING = _Missing()


@dataclass(frozen=True)
class Problem:
    """One problem with a stack: where (file, field path), the bad value, and what is allowed there.

    The single currency of every check, from the YAML reader to the cloud rules: a rule that only sees the
    spec does not know which file it came from, so it leaves ``file`` empty and the loader places it with
    :meth:`placed`. ``value`` is :data:`MISSING` for a key that is absent rather than wrong.
    """

    path: str
    value: Any
    message: str
    file: str = field(default="", kw_only=True)

    def placed(self, file: str, namespace: str) -> Problem:
        """The same problem located in ``file``, its spec path under the config ``namespace``."""
        return replace(self, file=file, path=f"{namespace}:{self.path}")

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


class SpecError(InputError):
    """A stack file that cannot become a platform; lists every problem found, not only the first.

    An ``InputError`` so that any entry point (and ``keel``'s last-resort handler) treats it as bad input:
    exit 2 with the message, never a traceback. ``file``/``field``/``value``/``allowed`` describe the first
    issue; ``issues`` has them all.
    """

    def __init__(self, issues: list[Problem]):
        self.issues = list(issues)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''}:"
        first = self.issues[0] if self.issues else Problem("", _MISSING, "")
        super().__init__(
            "\n".join([head, *(f"  - {issue}" for issue in self.issues)]),
            file=first.file,
            field=first.path,
            value=None if first.value is _MISSING else first.value,
            allowed=first.message,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled across ``keel plan -j`` worker processes: rebuild from the issues, not the message.
        return (type(self), (self.issues,))


MISSING = _MISSING

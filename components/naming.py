"""Physical names that fit each cloud's limits, predictable instead of random.

Names are ``<prefix>-<role>`` (prefix = ``<team>-<environment>``) so they fit company naming schemes; a name
over a service's limit is shortened and given a short hash of the full name, so two long names never
collide and the same spec always gives the same name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass


def physical_name(
    prefix: str,
    role: str,
    *,
    max_length: int = 63,
    separator: str = "-",
    lowercase: bool = True,
    allowed: str = r"a-z0-9-",
) -> str:
    """``<prefix><sep><role>`` limited to ``max_length`` characters from ``allowed``."""
    full = f"{prefix}{separator}{role}" if role else prefix
    if lowercase:
        full = full.lower()
    full = re.sub(f"[^{allowed}]", separator, full).strip(separator)
    if len(full) <= max_length:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    head = full[: max_length - len(digest) - 1].rstrip(separator)
    return f"{head}{separator}{digest}"


@dataclass(frozen=True)
class NameRule:
    """What one service accepts as a name: its length limits and characters (from its API reference)."""

    service: str
    min_length: int
    max_length: int
    pattern: str
    allowed: str
    described: str

    def problem(self, value: str) -> str | None:
        """Why ``value`` breaks this rule, or None when it is a valid name."""
        if not self.min_length <= len(value) <= self.max_length:
            return (
                f"{self.service} names are {self.min_length}-{self.max_length} characters; got {len(value)}"
            )
        if not re.fullmatch(self.pattern, value):
            return f"{self.service} names must be {self.described}"
        return None

"""Write one benchmark's results into its own marked section of docs/performance.md.

Each benchmark owns the text between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` so several
benchmarks can update the page without touching each other's figures.
"""

from __future__ import annotations

import platform
import re
from datetime import UTC, datetime
from pathlib import Path

from mlkeel.files import atomic_write_text

PERFORMANCE_PAGE = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def machine_line() -> str:
    """One line naming the machine the figures were measured on."""
    import os

    return (
        f"Measured {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}."
    )


def write_section(name: str, markdown: str, page: Path = PERFORMANCE_PAGE) -> None:
    """Replace (or append) the section ``name`` of the performance page with ``markdown``."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{markdown.rstrip()}\n{end}"
    text = page.read_text(encoding="utf-8") if page.exists() else "# Performance\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _m: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    )
    atomic_write_text(page, text)  # an interrupted run never leaves the page half-written

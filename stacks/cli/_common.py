"""What every verb shares: the exit codes, the error printer and where output goes."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

#: Exit codes: 0 fine, 1 the check found something (mandatory violations, budget exceeded), 2 bad input.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print one clear error line (or block) to standard error and exit with ``code``."""
    typer.echo(f"keel: error: {message}", err=True)
    raise typer.Exit(code)


def write_output(text: str, output: Path | None) -> None:
    """Write a report to ``output`` if given, else to standard output."""
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    from mlkeel.files import atomic_write_text

    atomic_write_text(output, text)

"""``keel export``: a stack state in a format third-party scanners read (Terraform plan JSON today)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import EXIT_BAD_INPUT, fail, write_output

FORMATS = ("terraform-plan",)


def export(
    state: Annotated[Path, typer.Argument(help="State file from `keel plan` or `pulumi stack export`.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")
    ] = "terraform-plan",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (atomically) instead of standard output."),
    ] = None,
) -> None:
    """Export a state as Terraform plan JSON for Checkov, Trivy and OPA/conftest (see docs/export.md)."""
    from mlkeel.files import InputError
    from mlkeel.state import load_state
    from stacks.export.terraform_plan import export_state, render

    if fmt not in FORMATS:
        fail(f"--format has bad value {fmt!r}; allowed: {', '.join(FORMATS)}")
    try:
        result = export_state(load_state(state))
    except InputError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    try:
        write_output(render(result), output)
    except OSError as exc:
        fail(f"{exc.filename or output}: cannot write the export: {exc.strerror or exc}")
    typer.echo(f"keel: {result.summary(state)}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``keel export``."""
    app.command("export")(export)

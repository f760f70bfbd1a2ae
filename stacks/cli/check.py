"""``keel check``: run the policy pack on stack states, offline, over the analyzer protocol."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import EXIT_BAD_INPUT, fail, write_output

if TYPE_CHECKING:
    from policies.analyzer import CheckResult

FORMATS = ("summary", "markdown", "sarif", "junit", "json")


def check(
    states: Annotated[
        list[Path], typer.Argument(help="State files from `keel plan` or `pulumi stack export`.")
    ],
    config: Annotated[
        Path | None, typer.Option("--config", help="Policy config JSON/YAML, as for --policy-pack-config.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help=f"Report format: {', '.join(FORMATS)}.")] = "summary",
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report here instead of stdout.")
    ] = None,
    pack: Annotated[
        Path | None, typer.Option("--pack", help="Policy pack directory (default: the mlkeel pack).")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=0, help="Pack processes to run (0 = one per core, leaving one for this client)."
        ),
    ] = 0,
    allow_unknown_types: Annotated[
        bool, typer.Option("--allow-unknown-types", help="Check states holding resource types no SDK knows.")
    ] = False,
) -> None:
    """Run the policy pack on stack states; exit 1 on mandatory violations, 2 on bad input."""
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)} (found {fmt!r}).", EXIT_BAD_INPUT)
    from mlkeel.files import InputError
    from policies import render
    from policies.analyzer import PackError

    try:
        result = _run(states, config, pack, workers, allow_unknown_types)
    except InputError as exc:  # a state or the policy config (StateError, PolicyConfigError)
        fail(str(exc), EXIT_BAD_INPUT)
    except PackError as exc:
        fail(f"policy pack failed: {exc}", EXIT_BAD_INPUT)
    write_output(render(result, fmt), output)
    if output is not None:  # the report went to a file: still say, in one line, how the check ended
        typer.echo(f"keel check: {outcome(result)}; report written to {output}", err=True)
    raise typer.Exit(result.exit_code)


def outcome(result: CheckResult) -> str:
    """``3 mandatory violations in 2 stacks`` or ``passed on 2 stacks`` (with advisory counts)."""
    counts = result.counts()
    stacks = len(result.states)
    where = f"{stacks} stack{'s' if stacks != 1 else ''}"
    blocking = {f.state for f in result.blocking}
    advisory = counts["advisory-violation"]
    tail = f", {advisory} advisory" if advisory else ""
    if blocking:
        mandatory = len(result.blocking)
        in_stacks = f"{len(blocking)} stack{'s' if len(blocking) != 1 else ''}"
        return f"{mandatory} mandatory violation{'s' if mandatory != 1 else ''} in {in_stacks}{tail}"
    return f"passed on {where}{tail}"


def _run(
    states: list[Path], config: Path | None, pack: Path | None, workers: int, allow_unknown_types: bool
) -> CheckResult:
    """Run the check, with a progress bar on an interactive terminal (big states take seconds)."""
    import sys

    from policies import check_files

    if not sys.stderr.isatty():
        return check_files(states, config, pack, workers=workers, allow_unknown_types=allow_unknown_types)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Analyzing resources", total=None)
        return check_files(
            states, config, pack, workers=workers, allow_unknown_types=allow_unknown_types,
            progress=lambda n: bar.advance(task, n),
        )  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``keel check`` to the command line."""
    app.command("check")(check)

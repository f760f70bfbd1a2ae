"""``keel plan``: run stacks offline, write their states, show their resource trees."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import EXIT_BAD_INPUT, fail


def _stack_files(stacks: list[str]) -> list[Path]:
    """Accept stack files or stack names (looked up in the project's stackConfigDir)."""
    from stacks.engine._config import find_project_file, stack_config_dir

    files = []
    for item in stacks:
        path = Path(item)
        if path.suffix in (".yaml", ".yml") or path.exists() or path.is_symlink():
            files.append(path)
            continue
        files.append(stack_config_dir(find_project_file(Path.cwd())) / f"Pulumi.{item}.yaml")
    return files


def plan(
    stacks: Annotated[
        list[str], typer.Argument(help="Stack files (Pulumi.<stack>.yaml) or stack names in stackConfigDir.")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="State file to write (one stack) or folder (several stacks)."),
    ] = None,
    tree: Annotated[bool, typer.Option("--tree/--no-tree", help="Print each stack's resource tree.")] = True,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", help="Processes to plan in (default: cores).")
    ] = None,
) -> None:
    """Run stacks offline with no cloud or Pulumi CLI; write each state (pulumi stack export format)."""
    import json

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from stacks.engine._parallel import plan_many
    from stacks.engine._tree import resource_tree, summary
    from stacks.stackspec import SpecError

    try:
        files = _stack_files(stacks)
    except SpecError as exc:
        fail(str(exc))
    missing = [str(f) for f in files if not f.exists() and not f.is_symlink()]
    if missing:
        fail(f"no such stack file: {', '.join(missing)}")
    if output is not None and len(files) > 1:
        state_files: list[Path | None] = [
            output / f"{f.name.removeprefix('Pulumi.').rsplit('.', 1)[0]}.json" for f in files
        ]
    else:
        state_files = [output] * len(files)

    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]planning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        disable=len(files) < 2,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(files))

        def done(outcome) -> None:  # type: ignore[no-untyped-def]
            progress.update(task, advance=1, description=outcome.stack)

        outcomes = plan_many(files, state_files, jobs=jobs, on_done=done)

    out = Console()
    code = 0
    for outcome in outcomes:
        if outcome.error:
            from rich.markup import escape

            console.print(
                f"[red]keel: error:[/red] {escape(str(outcome.stack_file))}: {escape(outcome.error)}",
                highlight=False,
                soft_wrap=True,
            )  # no line breaks inside paths: users grep them
            code = max(code, EXIT_BAD_INPUT if outcome.bad_input else 1)
            continue
        assert outcome.state_file is not None
        resources = json.loads(outcome.state_file.read_text())["deployment"]["resources"]
        if tree:
            out.print(resource_tree(resources, f"[bold]{outcome.stack}[/bold]"))
        out.print(f"{outcome.stack}: {summary(resources)} -> {outcome.state_file}", highlight=False)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)

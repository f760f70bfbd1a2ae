"""``keel watch``: one run of the stack's self-healing loop from a laptop or CI, with the stack's own code.

The configuration is the one the stack gave its controller (read from the stack's state: ``--stack NAME``
asks ``pulumi stack export`` for it, ``--state FILE`` reads an export), so a run here sees the same bucket,
endpoints, lease and policy as the scheduled one, and takes the same lease: it never acts at the same time
as the stack's own run. ``--dry-run`` observes, judges and prints the decision without taking the lease or
changing anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from stacks.cli._common import fail, write_output

#: How long ``pulumi stack export`` may take (it reads the state from the backend, possibly remote).
EXPORT_TIMEOUT_SECONDS = 300


def export_stack(name: str) -> Any:
    """The stack's state from ``pulumi stack export --stack NAME`` (parsed), or an InputError saying why.

    Secrets stay encrypted (no ``--show-secrets``): the controller's configuration is not one.
    """
    from mlkeel.files import InputError
    from mlkeel.processes import python_module_command
    from mlkeel.state import parse_state

    if Path(name).suffix == ".json" and Path(name).is_file():
        raise InputError(
            f"--stack takes a stack name; {name} is a file: use --state {name}",
            field="--stack",
            value=name,
            allowed="a Pulumi stack name (`pulumi stack ls`), or --state FILE for an exported state",
        )
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise InputError(
            "keel watch --stack needs the pulumi CLI on PATH (https://www.pulumi.com/docs/install/), "
            "or give an exported state: pulumi stack export --stack NAME > STATE.json, "
            "then keel watch --state STATE.json",
            field="--stack",
            value=name,
            allowed="pulumi on PATH, or --state FILE",
        )
    argv, env = python_module_command(
        sys.executable, "stacks.cli._exec", pulumi, "stack", "export", "--stack", name
    )
    done = subprocess.run(
        argv,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=EXPORT_TIMEOUT_SECONDS,
    )
    source = f"pulumi stack export --stack {name}"
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise InputError(
            f"{source} failed: {said[-1] if said else f'exit {done.returncode}'}",
            field="--stack",
            value=name,
            allowed="a stack of the current Pulumi project and backend (`pulumi stack ls`)",
        )
    return parse_state(done.stdout, source)


def watch_command(
    stack: Annotated[
        str | None,
        typer.Option(
            "--stack",
            help="The stack's name: its state is read with `pulumi stack export --stack NAME` (the pulumi "
            "CLI must be on PATH and logged in); its self-healing function holds the configuration.",
        ),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="An exported state (`pulumi stack export > STATE.json`) instead."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="The controller's JSON configuration instead of a state."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the decision; take no lease, change nothing.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the run summary (JSON) here instead of stdout.")
    ] = None,
) -> None:
    """Run the self-healing loop once: observe, judge, decide, act, record."""
    from mlkeel.files import InputError, read_text
    from runtime.self_healing import (
        EXIT_CODES,
        config_from_stack_state,
        config_from_state,
        load_any_config,
        run_once,
    )

    if [stack, state, config].count(None) != 2:
        fail(
            "give the stack (--stack NAME), an exported state (--state STATE.json) "
            "or a configuration (--config FILE), one of them"
        )
    try:
        if stack is not None:
            controller_config = config_from_stack_state(
                export_stack(stack), f"pulumi stack export --stack {stack}"
            )
        elif state is not None:
            controller_config = config_from_state(state)
        else:
            assert config is not None
            text = read_text(config, what="configuration")
            controller_config = load_any_config(text, source=str(config))  # AWS or "cloud": "gcp"
    except InputError as exc:
        fail(str(exc))
    except subprocess.TimeoutExpired:
        fail(f"pulumi stack export --stack {stack} took longer than {EXPORT_TIMEOUT_SECONDS} s")
    summary = run_once(controller_config, dry_run=dry_run)
    write_output(json.dumps(summary.to_dict(), indent=2, default=str) + "\n", output)
    code = EXIT_CODES.get(summary.status, 1)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``keel watch`` to the command line."""
    app.command("watch")(watch_command)

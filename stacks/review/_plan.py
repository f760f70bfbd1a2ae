"""Plan the changed stacks of both revisions at once, each side in its own ``keel plan`` process.

Each side runs from its own copy of the revision (``git archive``), so the two never share a folder, a
module cache or a gRPC server. Which program plans a side:

- ``revision``: the revision's own code (its ``stacks``, ``components``, ``mlkeel``, ``runtime`` on
  ``PYTHONPATH``), so a pull request that changes a component is planned with that change, and its base
  without it;
- ``installed``: the mlkeel that runs the review, for repositories that hold stack files but not the code;
- ``auto`` (the default): ``revision`` when the revision holds the program (``stacks/program.py`` next to
  ``Pulumi.yaml``), else ``installed``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mlkeel.files import InputError
from mlkeel.processes import python_module_command

Program = Literal["auto", "revision", "installed"]
PROGRAMS: tuple[str, ...] = ("auto", "revision", "installed")

#: The file that marks a revision as carrying the mlkeel program itself.
PROGRAM_MARKER = Path("stacks") / "program.py"


@dataclass(frozen=True)
class SideRequest:
    """What to plan on one side: the revision's copy, its project folder and the stack files in it."""

    side: str  # "base" or "head"
    tree: Path
    project_dir: Path
    stack_files: dict[str, Path]  # stack -> stack file inside ``tree``
    out_dir: Path


@dataclass
class SidePlan:
    """What one side produced: a state per stack that planned, an error per stack that did not."""

    side: str
    program: str
    states: dict[str, Path] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def program_for(request: SideRequest, program: Program) -> str:
    """``revision`` or ``installed`` for this side."""
    if program not in PROGRAMS:
        raise InputError.at("--program", "", program, f"one of {', '.join(PROGRAMS)}")
    if program != "auto":
        return program
    return "revision" if (request.project_dir / PROGRAM_MARKER).is_file() else "installed"


def _command(request: SideRequest, jobs: int) -> tuple[list[str], dict[str, str], dict[str, Path]]:
    files = list(request.stack_files.values())
    expected = {stack: request.out_dir / f"{stack}.json" for stack in request.stack_files}
    # keel plan: --output is the state file for one stack, the folder for several.
    output = next(iter(expected.values())) if len(files) == 1 else request.out_dir
    argv, env = python_module_command(
        sys.executable,
        "stacks.cli",
        "plan",
        *map(str, files),
        "--no-tree",
        "--output",
        str(output),
        "--jobs",
        str(jobs),
    )
    return argv, env, expected


def _error_for(stack: str, stack_file: Path, stderr: str) -> str:
    """The lines of ``keel plan``'s standard error about this stack (or all of it, when none name it)."""
    lines = [line.removeprefix("keel: error: ") for line in stderr.splitlines() if line.strip()]
    mine = [line for line in lines if str(stack_file) in line or f"Pulumi.{stack}." in line]
    text = "\n".join(mine or lines[-20:]) or "keel plan wrote no state and said nothing"
    return text.replace(str(stack_file.parent) + os.sep, "")


def plan_sides(
    requests: Sequence[SideRequest], *, program: Program = "auto", jobs: int | None = None
) -> list[SidePlan]:
    """Plan every side's stack files, all sides at the same time; returns one :class:`SidePlan` per side.

    ``jobs`` is the plan processes per side (default: the cores shared evenly between the sides).
    Children die with this process (``python_module_command``), and are stopped if it is interrupted.
    """
    import time

    busy = [r for r in requests if r.stack_files]
    per_side = jobs or max(1, (os.cpu_count() or 1) // max(1, len(busy)))
    running: list[tuple[SideRequest, SidePlan, subprocess.Popen[str], dict[str, Path], float]] = []
    plans = {r.side: SidePlan(r.side, program_for(r, program)) for r in requests}
    try:
        for request in busy:
            request.out_dir.mkdir(parents=True, exist_ok=True)
            argv, extra, expected = _command(request, per_side)
            env = {**os.environ, **extra}
            plan = plans[request.side]
            if plan.program == "revision":
                path = os.environ.get("PYTHONPATH")
                env["PYTHONPATH"] = str(request.project_dir) + (os.pathsep + path if path else "")
            env.pop("KEEL_DEBUG", None)  # a traceback in the child would only hide the one-line error
            process = subprocess.Popen(
                argv,
                # never the revision's folder: '' on sys.path must not pick its packages up by chance
                cwd=request.out_dir,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            running.append((request, plan, process, expected, time.perf_counter()))
        for request, plan, process, expected, started in running:
            _, stderr = process.communicate()
            plan.seconds = time.perf_counter() - started
            for stack, state in expected.items():
                if state.is_file():
                    plan.states[stack] = state
                else:
                    plan.errors[stack] = _error_for(stack, request.stack_files[stack], stderr)
    finally:
        for *_, process, _, _ in running:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    return [plans[r.side] for r in requests]

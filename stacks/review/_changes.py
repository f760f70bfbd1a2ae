"""Which stacks a change touches: stack files added, removed or edited, or every stack when the program moved.

A review plans only these, so a pull request that edits one team's stack file costs one plan per side, not
one per stack in the repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from ._git import FileChange

STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>[A-Za-z0-9_.-]+)\.ya?ml$")

#: Files whose change can alter every stack's plan (the program and what it is built from).
PROGRAM_FILES = frozenset({"Pulumi.yaml", "Pulumi.yml", "pyproject.toml", "requirements.txt"})
#: Top-level folders of the project that never change what a stack plans to.
NOT_PROGRAM = ("tests/", "docs/", "benchmarks/", "scripts/", "policies/", "stacks/templates/", ".github/")

Status = Literal["added", "removed", "modified", "program"]


@dataclass(frozen=True)
class StackChange:
    """One stack to review: its name, why it is reviewed, and its stack file on each side (repo paths)."""

    stack: str
    status: Status
    base_file: str | None
    head_file: str | None


def stack_name(path: str) -> str | None:
    """``fraud-dev`` for ``.../Pulumi.fraud-dev.yaml``; None for any other file (``Pulumi.yaml`` too)."""
    match = STACK_FILE.match(PurePosixPath(path).name)
    return match.group("stack") if match else None


def _within(path: str, folder: str) -> str | None:
    """``path`` relative to ``folder`` (both repo-relative, POSIX), or None when it lies outside."""
    if not folder or folder == ".":
        return path
    prefix = folder.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def is_program_file(path: str, project: str) -> bool:
    """Whether changing ``path`` can change every stack's plan (Python code or the project's build files)."""
    inside = _within(path, project)
    if inside is None or inside.startswith(NOT_PROGRAM):
        return False
    return inside in PROGRAM_FILES or inside.endswith(".py")


def changed_stacks(
    changes: Iterable[FileChange],
    *,
    project: str,
    base_config_dir: str,
    head_config_dir: str,
    base_stacks: dict[str, str],
    head_stacks: dict[str, str],
    all_stacks: bool = False,
) -> list[StackChange]:
    """The stacks to plan, sorted by name.

    ``*_config_dir`` are each side's ``stackConfigDir`` and ``*_stacks`` the stack files found there
    (stack name -> repo path). A changed stack file in a config dir is its stack; a changed program file
    (or ``all_stacks``) adds every stack of either side, as ``program`` when its own file did not change.
    """
    touched: set[str] = set()
    program = all_stacks
    for change in changes:
        name = stack_name(change.path)
        folder = str(PurePosixPath(change.path).parent)
        if name is not None and folder in (base_config_dir, head_config_dir):
            touched.add(name)
        elif is_program_file(change.path, project):
            program = True
    names = set(touched)
    if program:
        names |= set(base_stacks) | set(head_stacks)
    out = []
    for name in sorted(names):
        base_file, head_file = base_stacks.get(name), head_stacks.get(name)
        if base_file is None and head_file is None:
            continue  # a stack file added and removed again, or outside any config dir
        status: Status
        if base_file is None:
            status = "added"
        elif head_file is None:
            status = "removed"
        else:
            status = "modified" if name in touched else "program"
        out.append(StackChange(name, status, base_file, head_file))
    return out

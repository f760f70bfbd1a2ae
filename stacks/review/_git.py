"""Read-only git: resolve revisions, list what changed, and copy a revision's files into a folder.

A review never touches the user's working tree, index or refs: a revision is read with ``git archive``
(no ``git worktree`` entry left behind if the review is killed), and every other call only reads.
"""

from __future__ import annotations

import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from mlkeel.files import InputError


class GitError(InputError):
    """A revision or repository git cannot read; names the revision and what git said."""


def git(repo: Path, *args: str) -> str:
    """Run ``git -C repo ARGS`` and return its standard output; a failure is a :class:`GitError`."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH; keel review reads revisions with git") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise GitError(
            f"git {' '.join(args)} failed in {repo}: {said[-1] if said else f'exit {done.returncode}'}"
        )
    return done.stdout


def repo_root(start: Path) -> Path:
    """The top folder of the git repository holding ``start``."""
    try:
        return Path(git(start, "rev-parse", "--show-toplevel").strip())
    except GitError:
        raise GitError.at(
            start, "", None, "is not inside a git repository; keel review compares two git revisions"
        ) from None


def resolve(repo: Path, ref: str, what: str) -> str:
    """The commit id ``ref`` names (a branch, tag, sha or ``HEAD~1``), or a :class:`GitError` naming it."""
    if not ref or ref.startswith("-"):
        raise GitError.at(what, "", ref, "a git revision (branch, tag or commit), not an option")
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError:
        raise GitError.at(
            what,
            "",
            ref,
            f"no such commit in {repo}; in CI fetch enough history (actions/checkout with fetch-depth: 0)",
        ) from None


def merge_base(repo: Path, base: str, head: str) -> str:
    """Where ``head`` branched from ``base``: what a pull request's diff is computed against."""
    try:
        return git(repo, "merge-base", base, head).strip()
    except GitError:
        raise GitError(
            f"{base[:12]} and {head[:12]} have no common ancestor in {repo}; "
            "fetch more history or pass --no-merge-base to compare the two revisions as they are"
        ) from None


@dataclass(frozen=True)
class FileChange:
    """One path git reports between two revisions (a rename is a removal plus an addition)."""

    status: str  # A, M, D (renames and copies split into D + A)
    path: str


def changed_files(repo: Path, base: str, head: str) -> list[FileChange]:
    """Every path that differs between the two commits, repository-relative, in git's order."""
    out = git(repo, "diff", "--name-status", "-z", "--no-renames", "--no-ext-diff", base, head, "--")
    parts = out.split("\0")
    changes = []
    i = 0
    while i + 1 < len(parts):
        status, path = parts[i], parts[i + 1]
        changes.append(FileChange(status[:1], path))
        i += 2
    return changes


def export_revision(repo: Path, commit: str, dest: Path) -> Path:
    """Write the files of ``commit`` under ``dest`` (``git archive``), never touching the working tree."""
    dest.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        ["git", "-C", str(repo), "archive", "--format=tar", commit],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
            archive.extractall(dest, filter="data")  # no absolute paths, links out of dest or devices
    finally:
        process.stdout.close()
        _, err = process.communicate(timeout=120)
    if process.returncode != 0:
        raise GitError(f"git archive {commit[:12]} failed in {repo}: {err.decode(errors='replace').strip()}")
    return dest

"""``keel review``: review a change as a pull request sees it, or check stack files before a commit.

``keel review BASE [HEAD]`` plans the stacks that changed between two git revisions (both sides, offline,
in parallel), runs the policy pack on the head, prices and diffs both, and writes one comment plus SARIF,
JUnit and JSON from the same run; ``keel review files FILE...`` is what the pre-commit hooks run. Only
argument parsing lives here; the work is in ``stacks.review``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from ._common import EXIT_BAD_INPUT, EXIT_FINDINGS, fail, write_output


class _ReviewGroup(TyperGroup):
    """``keel review BASE [HEAD]`` runs ``changes``; ``files`` runs as a named subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["changes", *args]
        return super().parse_args(ctx, args)


review_app = typer.Typer(
    cls=_ReviewGroup,
    help="Review a change: plan the changed stacks on both revisions, check the head, price both, "
    "write one pull-request comment (and SARIF, JUnit, JSON).",
    no_args_is_help=True,
    add_completion=False,
)


def _write(text: str, output: Path | None) -> None:
    try:
        write_output(text, output)
    except OSError as exc:
        fail(f"{exc.filename or output}: cannot write the report: {exc.strerror or exc}")


@review_app.command("changes")
def changes(
    base: str = typer.Argument(
        ..., help="Base revision (the branch the change goes into), e.g. origin/main."
    ),
    head: str = typer.Argument("HEAD", help="Head revision (the change)."),
    fmt: str = typer.Option(
        "markdown", "--format", "-f", help="What goes to standard output: markdown, sarif, junit or json."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write --format here instead."),
    markdown: Path | None = typer.Option(None, "--markdown", help="Also write the comment (markdown) here."),
    sarif: Path | None = typer.Option(None, "--sarif", help="Also write SARIF 2.1.0 here (code scanning)."),
    junit: Path | None = typer.Option(None, "--junit", help="Also write JUnit XML here (CI test tabs)."),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the JSON document here."),
    max_comment_chars: int = typer.Option(
        65_536,
        "--max-comment-chars",
        min=2_000,
        help="Longest comment: 65536 for GitHub comments, 1000000 for GitLab notes.",
    ),
    program: str = typer.Option(
        "auto",
        "--program",
        help="Which code plans each side: revision (its own), installed (this mlkeel), "
        "auto (revision when it holds stacks/program.py).",
    ),
    all_stacks: bool = typer.Option(False, "--all-stacks", help="Plan every stack, not only changed ones."),
    use_merge_base: bool = typer.Option(
        True,
        "--merge-base/--no-merge-base",
        help="Compare HEAD with where it branched from BASE (as a pull request does), or with BASE itself.",
    ),
    project: Path | None = typer.Option(
        None, "--project", help="Folder holding Pulumi.yaml (default: found from the current folder)."
    ),
    config: Path | None = typer.Option(None, "--config", help="Policy config JSON/YAML, as for keel check."),
    pack: Path | None = typer.Option(
        None, "--pack", help="Policy pack directory (default: the mlkeel pack)."
    ),
    usage: Path | None = typer.Option(None, "--usage", help="Usage file (YAML) for the cost estimate."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, help="Plan processes per side."),
) -> None:
    """Review the change from BASE to HEAD; exit 1 on a mandatory violation, a stack over budget, or a
    head that cannot be planned."""
    from mlkeel.files import InputError
    from policies.analyzer import PackError
    from stacks.review import FORMATS, PROGRAMS, render, review_change

    if fmt not in FORMATS:
        fail(f"--format has bad value {fmt!r}; allowed: {', '.join(FORMATS)}")
    if program not in PROGRAMS:
        fail(f"--program has bad value {program!r}; allowed: {', '.join(PROGRAMS)}")
    try:
        result = review_change(
            base,
            head,
            project=project,
            use_merge_base=use_merge_base,
            program=program,  # type: ignore[arg-type]
            all_stacks=all_stacks,
            policy_config=config,
            pack=pack,
            usage=usage,
            jobs=jobs,
        )
    except InputError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    except PackError as exc:
        fail(f"policy pack failed: {exc}", EXIT_BAD_INPUT)
    for path, kind in ((markdown, "markdown"), (sarif, "sarif"), (junit, "junit"), (json_out, "json")):
        if path is not None:
            _write(render(result, kind, max_chars=max_comment_chars), path)
    _write(render(result, fmt, max_chars=max_comment_chars), output)
    typer.echo(f"keel review: {_outcome(result)}", err=True)
    raise typer.Exit(result.exit_code)


def _outcome(result: Any) -> str:
    if not result.stacks:
        return "no stack changed"
    parts = [f"{len(result.stacks)} stack(s) reviewed", f"{len(result.new_violations)} new violation(s)"]
    if result.blocking:
        parts.append(f"{len(result.blocking)} mandatory violation(s) on the head")
    if result.cost is not None:
        parts.append(f"{result.cost.total_delta:+,.2f} USD/month")
    if result.over_budget:
        parts.append("over budget: " + ", ".join(s.stack for s in result.over_budget))
    if result.failed_plans:
        parts.append("not planned: " + ", ".join(s.stack for s in result.failed_plans))
    return "; ".join(parts) + ("" if result.passed else " (exit 1)")


@review_app.command("files")
def files(
    stack_files: list[Path] = typer.Argument(
        None, help="Stack files (Pulumi.<stack>.yaml) to validate or check."
    ),
    validate_only: bool = typer.Option(
        False, "--validate-only", help="Validate the specs only (fast: nothing is planned)."
    ),
    config: Path | None = typer.Option(None, "--config", help="Policy config JSON/YAML, as for keel check."),
    pack: Path | None = typer.Option(
        None, "--pack", help="Policy pack directory (default: the mlkeel pack)."
    ),
) -> None:
    """Validate stack files, then plan them offline and run the policy pack (the pre-commit hooks)."""
    from mlkeel.files import InputError
    from policies import render as render_check
    from policies.analyzer import PackError
    from stacks.engine import load_stack_config
    from stacks.review import stack_name
    from stacks.stackspec import spec_from_config

    chosen = [f for f in (stack_files or []) if stack_name(f.name) is not None]
    if not chosen:
        typer.echo("keel review files: no stack file (Pulumi.<stack>.yaml) given; nothing to do", err=True)
        raise typer.Exit(0)
    problems = []
    for path in chosen:
        try:
            stack_config = load_stack_config(path)
            spec_from_config(stack_config.values, str(path))
        except InputError as exc:  # SpecError lists every problem of the file
            problems.append(str(exc))
    if problems:
        fail("\n".join(problems), EXIT_BAD_INPUT)
    if validate_only:
        typer.echo(f"keel review files: {len(chosen)} stack file(s) valid", err=True)
        raise typer.Exit(0)
    from stacks.review import review_files

    try:
        result, errors = review_files(chosen, policy_config=config, pack=pack)
    except InputError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    except PackError as exc:
        fail(f"policy pack failed: {exc}", EXIT_BAD_INPUT)
    for file, error in errors.items():
        typer.echo(f"keel: error: {file}: {error}", err=True)
    if result is not None:
        _write(render_check(result, "summary"), None)
    code = EXIT_FINDINGS if (errors or (result is not None and result.exit_code)) else 0
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add ``keel review`` and its ``files`` subcommand."""
    app.add_typer(review_app, name="review")

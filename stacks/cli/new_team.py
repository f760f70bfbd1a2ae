"""``keel new-team``: a new team stack from a template, validated, never overwriting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import fail


def new_team(
    team: Annotated[
        str | None, typer.Argument(help="Team name (a cost tag value: lowercase letters, digits, '-').")
    ] = None,
    template: Annotated[
        str, typer.Option("--template", "-t", help="Template name (see --list).")
    ] = "small-aws",
    env: Annotated[str, typer.Option("--env", "-e", help="dev, test, staging or prod.")] = "dev",
    cost_center: Annotated[
        str | None, typer.Option("--cost-center", help="Finance cost center (required).")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Accountable owner, a cost tag value (required).")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Override the template's region.")] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Other template parameter, KEY=VALUE (see --list)."),
    ] = None,
    stack_dir: Annotated[
        Path | None,
        typer.Option(
            "--stack-dir", help="Existing folder for the stack file (default: Pulumi.yaml's stackConfigDir)."
        ),
    ] = None,
    list_templates: Annotated[
        bool, typer.Option("--list", help="List the templates and their parameters, then exit.")
    ] = False,
) -> None:
    """Create Pulumi.<team>-<env>.yaml from a per-team template; refuses to overwrite a stack."""
    from stacks.engine._config import find_project_file, stack_config_dir
    from stacks.stackspec import SpecError
    from stacks.teams import BUILTIN_PARAMETERS, load_template, new_team_stack, template_names

    try:
        if list_templates:
            for name in template_names():
                t = load_template(name)
                typer.echo(f"{name:20} {t.display_name}")
                for key, spec in t.parameters.items():
                    default = f" (default: {spec['default']})" if "default" in spec else " (required)"
                    typer.echo(f"{'':22}-p {key}=...  {spec.get('description', '')}{default}")
            return
        if not team:
            fail(
                "missing the TEAM argument: "
                "keel new-team TEAM --template NAME --env ENV --cost-center CC --owner OWNER"
            )
        params: dict[str, str] = {}
        if cost_center is not None:
            params["costCenter"] = cost_center
        if owner is not None:
            params["owner"] = owner
        if region is not None:
            params["region"] = region
        for item in param or []:
            key, sep, value = item.partition("=")
            if not sep or not key:
                fail(
                    f"--param {item!r}: expected KEY=VALUE "
                    "(the template's parameters: see keel new-team --list)"
                )
            if key in BUILTIN_PARAMETERS:
                fail(
                    f"--param {key}: set by keel new-team itself; "
                    "use the TEAM argument, --env, --cost-center or --owner"
                )
            if key in params:
                fail(f"--param {key}: given twice ({params[key]!r} and {value!r}); give each parameter once")
            params[key] = value
        if stack_dir is not None and not stack_dir.is_dir():
            fail(f"--stack-dir {stack_dir}: no such folder; give an existing folder (nothing was created)")
        project_file = find_project_file(Path.cwd())
        folder = stack_dir if stack_dir is not None else stack_config_dir(project_file)
        written = new_team_stack(team, template, env, params, folder, project_file)
    except SpecError as exc:
        fail(str(exc))
    typer.echo(f"wrote {written}")
    typer.echo(f"next: keel plan {written}   (or: pulumi stack init {team}-{env} && pulumi up)")


def register(app: typer.Typer) -> None:
    app.command("new-team")(new_team)

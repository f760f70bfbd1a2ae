"""``keel new-team``: a new team stack from a template, validated, never overwriting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import fail


def new_team(
    team: Annotated[str, typer.Argument(help="Team name (a cost tag value: lowercase letters, digits, '-').")],
    template: Annotated[str, typer.Option("--template", "-t", help="Template name (see --list).")] = "small-aws",
    env: Annotated[str, typer.Option("--env", "-e", help="dev, test, staging or prod.")] = "dev",
    cost_center: Annotated[str, typer.Option("--cost-center", help="Finance cost center.")] = "",
    owner: Annotated[str, typer.Option("--owner", help="Accountable owner (a cost tag value).")] = "",
    region: Annotated[str | None, typer.Option("--region", help="Override the template's region.")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Other template parameter, KEY=VALUE.")
    ] = None,
    stack_dir: Annotated[
        Path | None, typer.Option("--stack-dir", help="Where stack files live (default: Pulumi.yaml's stackConfigDir).")
    ] = None,
    list_templates: Annotated[bool, typer.Option("--list", help="List the templates and exit.")] = False,
) -> None:
    """Create Pulumi.<team>-<env>.yaml from a per-team template; refuses to overwrite a stack."""
    import yaml

    from stacks.engine import find_project_file
    from stacks.spec import SpecError
    from stacks.teams import load_template, new_team_stack, template_names

    if list_templates:
        for name in template_names():
            t = load_template(name)
            typer.echo(f"{name:20} {t.display_name}")
        return
    params: dict[str, str] = {"costCenter": cost_center, "owner": owner}
    if region:
        params["region"] = region
    for item in param or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--param {item!r}: expected KEY=VALUE")
        params[key] = value
    try:
        project_file = find_project_file(Path.cwd())
        if stack_dir is None:
            config_dir = (yaml.safe_load(project_file.read_text()) or {}).get("stackConfigDir", ".")
            stack_dir = project_file.parent / config_dir
        written = new_team_stack(team, template, env, params, stack_dir, project_file)
    except SpecError as exc:
        fail(str(exc))
    typer.echo(f"wrote {written}")
    typer.echo(f"next: keel plan {written}   (or: pulumi stack init {team}-{env} && pulumi up)")


def register(app: typer.Typer) -> None:
    app.command("new-team")(new_team)

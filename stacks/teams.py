"""Per-team stacks from templates: what ``keel new-team`` and ``pulumi new`` start a team with.

A template (``stacks/templates/<name>/template.yaml``) is a stack file with ``${placeholders}`` plus the
parameters it asks for. Filling one validates the result completely (the same ``StackSpec`` rules the
program applies) before anything is written, and an existing stack is never overwritten.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stacks.spec import SpecError, SpecIssue
from stacks.spec._errors import MISSING

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: Parameters every template gets from ``keel new-team`` itself.
BUILTIN_PARAMETERS = ("team", "environment", "costCenter", "owner")


@dataclass(frozen=True)
class Template:
    """One per-team template."""

    name: str
    display_name: str
    description: str
    parameters: dict[str, dict[str, Any]]
    stack: dict[str, Any]
    path: Path


def template_names() -> list[str]:
    return sorted(p.name for p in TEMPLATES_DIR.iterdir() if (p / "template.yaml").exists())


def load_template(name: str) -> Template:
    """The template called ``name``; a clear error listing the templates there are if it does not exist."""
    path = TEMPLATES_DIR / name / "template.yaml"
    if not path.exists():
        import difflib

        names = template_names()
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise SpecError(
            [SpecIssue("--template", "", name, f"no such template.{hint} Templates: {', '.join(names)}")]
        )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Template(
        name=name,
        display_name=data["displayName"],
        description=data["description"].strip(),
        parameters=data.get("parameters") or {},
        stack=data["stack"],
        path=path,
    )


def _fill(value: Any, params: Mapping[str, str], missing: set[str]) -> Any:
    if isinstance(value, str):
        template = string.Template(value)
        for name in template.get_identifiers():
            if name not in params:
                missing.add(name)
        return template.safe_substitute(params)
    if isinstance(value, list):
        return [_fill(v, params, missing) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, params, missing) for k, v in value.items()}
    return value


def render_stack(template: Template, params: Mapping[str, str]) -> dict[str, Any]:
    """The template's stack document with ``params`` filled in (defaults where not given)."""
    values = {key: str(spec["default"]) for key, spec in template.parameters.items() if "default" in spec}
    values.update({k: v for k, v in params.items() if v is not None})
    missing: set[str] = set()
    stack = _fill(template.stack, values, missing)
    if missing:
        raise SpecError(
            [
                SpecIssue(
                    f"template {template.name}",
                    name,
                    MISSING,
                    f"needs a value: {template.parameters.get(name, {}).get('description', 'pass --param ' + name + '=VALUE')}",
                )
                for name in sorted(missing)
            ]
        )
    return stack


def stack_file_text(template: Template, stack: Mapping[str, Any], team: str, environment: str) -> str:
    header = (
        f"# {team} ({environment}): created by `keel new-team` from template '{template.name}'.\n"
        f"# {template.display_name}. Every key is documented in docs/spec.md.\n"
    )
    return header + yaml.safe_dump(dict(stack), sort_keys=False, default_flow_style=False, width=110)


def new_team_stack(
    team: str,
    template_name: str,
    environment: str,
    params: Mapping[str, str],
    stack_dir: Path,
    project_file: Path,
) -> Path:
    """Write ``Pulumi.<team>-<environment>.yaml`` from a template, validated; refuse to overwrite."""
    from mlkeel.contracts import ENVIRONMENTS, LABEL_VALUE_RULE, is_valid_tag_value
    from stacks.engine._config import stack_config_from_data
    from stacks.spec import spec_from_config

    template = load_template(template_name)
    problems = []
    if not team or not is_valid_tag_value(team):
        problems.append(SpecIssue("new-team", "team", team, f"must be a valid cost tag value: {LABEL_VALUE_RULE}"))
    if environment not in ENVIRONMENTS:
        problems.append(SpecIssue("new-team", "--env", environment, f"must be one of {', '.join(ENVIRONMENTS)}"))
    if problems:
        raise SpecError(problems)
    stack_file = stack_dir / f"Pulumi.{team}-{environment}.yaml"
    if stack_file.exists():
        raise SpecError(
            [SpecIssue(str(stack_file), "", MISSING, "already exists; a stack is never overwritten (pick another team or environment)")]
        )
    filled = render_stack(template, {**params, "team": team, "environment": environment})
    config = stack_config_from_data(filled, stack_file, project_file)
    spec_from_config(config.values, str(stack_file))
    text = stack_file_text(template, filled, team, environment)
    stack_dir.mkdir(parents=True, exist_ok=True)
    with stack_file.open("x", encoding="utf-8") as handle:  # "x": fail rather than overwrite, even in a race
        handle.write(text)
    return stack_file


def pulumi_new_project(template: Template) -> dict[str, Any]:
    """The ``Pulumi.yaml`` that makes ``pulumi new stacks/templates/<name>`` work.

    ``pulumi new`` prompts for each ``template.config`` key and writes the answers to the new stack file.
    Structured keys become JSON-string defaults, which the program decodes like any structured config.
    """
    prompts: dict[str, Any] = {}
    examples = {"team": "my-team", "environment": "dev", "costCenter": "cc-0000", "owner": "owner-name"}
    examples.update({k: str(v.get("default", f"<{k}>")) for k, v in template.parameters.items()})
    for key, value in template.stack["config"].items():
        filled = _fill(value, examples, set())
        description = f"{key} (see docs/spec.md)"
        short = key.split(":", 1)[1]
        if short in BUILTIN_PARAMETERS or short in template.parameters:
            spec = template.parameters.get(short, {})
            description = spec.get("description", description)
        prompts[key] = {
            "description": description,
            "default": filled if isinstance(filled, str) else json.dumps(filled, separators=(",", ":")),
        }
    return {
        "name": "mlkeel",
        "description": template.description,
        "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}},
        "main": "__main__.py",
        "template": {"displayName": template.display_name, "description": template.description, "config": prompts},
    }


def write_pulumi_new_projects() -> list[Path]:
    """Regenerate each template's ``Pulumi.yaml`` (for ``pulumi new``) from its ``template.yaml``."""
    written = []
    for name in template_names():
        root = TEMPLATES_DIR / name
        text = PULUMI_NEW_HEADER + yaml.safe_dump(pulumi_new_project(load_template(name)), sort_keys=False, width=110)
        (root / "Pulumi.yaml").write_text(text, encoding="utf-8")
        written.append(root / "Pulumi.yaml")
    return written


PULUMI_NEW_HEADER = "# Generated from template.yaml by `python -m stacks.teams`; a test keeps it current. Do not edit.\n"

if __name__ == "__main__":
    for path in write_pulumi_new_projects():
        print(path)

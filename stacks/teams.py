"""Per-team stacks from templates: what ``keel new-team`` and ``pulumi new`` start a team with.

A template (``stacks/templates/<name>/template.yaml``) is a stack file with ``${placeholders}`` plus the
parameters it asks for. Filling one validates the result completely (the same ``StackSpec`` rules the
program applies) before anything is written, and an existing stack is never overwritten.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stacks.stackspec import Problem, SpecError
from stacks.stackspec._errors import MISSING

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: Parameters every template gets from ``keel new-team`` itself.
BUILTIN_PARAMETERS = ("team", "environment", "costCenter", "owner")
#: The builtin parameters given as options, and the option a user must pass for each.
OPTION_PARAMETERS = {"costCenter": "--cost-center", "owner": "--owner"}
OPTION_HELP = {
    "costCenter": "the finance cost center the stack's spend is charged to",
    "owner": "the accountable owner of the stack",
}


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
    from mlkeel.files import load_yaml

    path = TEMPLATES_DIR / name / "template.yaml"
    if "/" in name or name.startswith(".") or not path.is_file():
        import difflib

        names = template_names()
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise SpecError(
            [Problem("", name, f"no such template.{hint} Templates: {', '.join(names)}", file="--template")]
        )
    data = load_yaml(path, what="template")
    problems = []
    if not isinstance(data, dict):
        data = {}
    for key, kind in (("displayName", str), ("description", str), ("stack", dict)):
        if not isinstance(data.get(key), kind):
            problems.append(
                Problem(
                    key, data.get(key, MISSING), f"a template needs '{key}' ({kind.__name__})", file=str(path)
                )
            )
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict) or not all(isinstance(v, dict) for v in parameters.values()):
        problems.append(
            Problem("parameters", parameters, "must map each parameter to its description", file=str(path))
        )
    else:
        for key, spec in parameters.items():
            if spec.get("type", "string") not in PARAMETER_TYPES:
                problems.append(
                    Problem(
                        f"parameters.{key}.type",
                        spec.get("type"),
                        f"must be one of {', '.join(PARAMETER_TYPES)}",
                        file=str(path),
                    )
                )
    if problems:
        raise SpecError(problems)
    return Template(
        name=name,
        display_name=data["displayName"],
        description=data["description"].strip(),
        parameters=parameters,
        stack=data["stack"],
        path=path,
    )


#: Types a template parameter may declare; a number parameter filling a whole value becomes a JSON number.
PARAMETER_TYPES = ("string", "number")


def _typed(template: Template, name: str, text: str) -> Any:
    """A parameter's value as its declared type, so ``monthlyLimitUsd: ${monthlyLimitUsd}`` is a number."""
    import math

    if template.parameters.get(name, {}).get("type", "string") != "number":
        return text
    try:
        number = float(text.strip())
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or text.strip().lower() in ("true", "false"):
        raise SpecError(
            [Problem(f"--param {name}", text, "must be a finite number, such as 3000", file="new-team")]
        )
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _fill(value: Any, params: Mapping[str, Any], missing: set[str]) -> Any:
    if isinstance(value, str):
        template = string.Template(value)
        for name in template.get_identifiers():
            if name not in params:
                missing.add(name)
        whole = re.fullmatch(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", value)
        if whole and whole.group(1) in params:
            return params[whole.group(1)]  # keeps a number parameter a number
        return template.safe_substitute({k: str(v) for k, v in params.items()})
    if isinstance(value, list):
        return [_fill(v, params, missing) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, params, missing) for k, v in value.items()}
    return value


def _unknown_parameters(template: Template, params: Mapping[str, str]) -> list[Problem]:
    """A parameter the template does not have would be silently dropped: refuse it, naming the ones it has."""
    import difflib

    known = sorted({*template.parameters, *OPTION_PARAMETERS})
    issues = []
    for key in sorted(set(params) - set(known)):
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        issues.append(
            Problem(
                f"--param {key}",
                params[key],
                f"template '{template.name}' has no such parameter; {hint}"
                f"its parameters: {', '.join(sorted(template.parameters))}",
                file="new-team",
            )
        )
    return issues


def render_stack(template: Template, params: Mapping[str, str]) -> dict[str, Any]:
    """The template's stack document with ``params`` filled in (defaults where not given)."""
    values: dict[str, Any] = {
        key: _typed(template, key, str(spec["default"]))
        for key, spec in template.parameters.items()
        if "default" in spec
    }
    values.update({k: _typed(template, k, v) for k, v in params.items() if v is not None})
    missing: set[str] = set()
    stack = _fill(template.stack, values, missing)
    if missing:
        hints = {
            name: template.parameters.get(name, {}).get("description", f"pass --param {name}=VALUE")
            for name in sorted(missing)
        }
        raise SpecError(
            [
                Problem(name, MISSING, f"needs a value: {hint}", file=f"template {template.name}")
                for name, hint in hints.items()
            ]
        )
    return stack


def schema_modeline(stack_file: Path) -> str:
    """The comment that points editors (yaml-language-server) at the stack-file schema.

    Relative to the stack file, so the line stays true in every checkout of the repository; a stack file
    on another drive than the package (no relative path exists) gets the schema's file URI instead.
    """
    import os

    from stacks.stackspec import STACK_FILE_SCHEMA_FILE

    try:
        target = Path(os.path.relpath(STACK_FILE_SCHEMA_FILE, stack_file.resolve().parent)).as_posix()
    except ValueError:
        target = STACK_FILE_SCHEMA_FILE.as_uri()
    return f"# yaml-language-server: $schema={target}"


def stack_file_text(
    template: Template, stack: Mapping[str, Any], team: str, environment: str, stack_file: Path | None = None
) -> str:
    """The stack file ``keel new-team`` writes: a header saying where it came from, then the config."""
    header = (
        f"# {team} ({environment}): created by `keel new-team` from template '{template.name}'.\n"
        f"# {template.display_name}. Every key is documented in docs/spec.md.\n"
    )
    if stack_file is not None:
        header += schema_modeline(stack_file) + "\n"
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
    from mlkeel.files import atomic_write_text
    from stacks.engine._config import stack_config_from_data
    from stacks.stackspec import spec_from_config

    template = load_template(template_name)
    problems = []
    if not team or not is_valid_tag_value(team):
        problems.append(
            Problem("team", team, f"must be a valid cost tag value: {LABEL_VALUE_RULE}", file="new-team")
        )
    if environment not in ENVIRONMENTS:
        problems.append(
            Problem("--env", environment, f"must be one of {', '.join(ENVIRONMENTS)}", file="new-team")
        )
    for key, option in OPTION_PARAMETERS.items():
        if not params.get(key):
            problems.append(
                Problem(
                    option, MISSING, f"is required: {OPTION_HELP[key]} ({LABEL_VALUE_RULE})", file="new-team"
                )
            )
    problems += _unknown_parameters(template, params)
    if problems:
        raise SpecError(problems)
    stack_file = stack_dir / f"Pulumi.{team}-{environment}.yaml"
    if stack_file.exists():
        raise _exists(stack_file)
    filled = render_stack(template, {**params, "team": team, "environment": environment})
    config = stack_config_from_data(filled, stack_file, project_file)
    spec_from_config(config.values, str(stack_file))
    text = stack_file_text(template, filled, team, environment, stack_file)
    try:
        # Written whole or not at all, and linked into place only if no stack appeared meanwhile: an
        # interrupted run leaves nothing behind that would block the retry.
        atomic_write_text(stack_file, text, exclusive=True)
    except FileExistsError:
        raise _exists(stack_file) from None
    return stack_file


def _exists(stack_file: Path) -> SpecError:
    return SpecError(
        [
            Problem(
                "",
                MISSING,
                "already exists; a stack is never overwritten (pick another team or environment)",
                file=str(stack_file),
            )
        ]
    )


def pulumi_new_project(template: Template) -> dict[str, Any]:
    """The ``Pulumi.yaml`` that makes ``pulumi new stacks/templates/<name>`` work.

    ``pulumi new`` prompts for each ``template.config`` key and writes the answers to the new stack file.
    Structured keys become JSON-string defaults, which the program decodes like any structured config.
    """
    prompts: dict[str, Any] = {}
    examples: dict[str, Any] = {
        "team": "my-team",
        "environment": "dev",
        "costCenter": "cc-0000",
        "owner": "owner-name",
    }
    examples.update(
        {
            k: _typed(template, k, str(v["default"])) if "default" in v else f"<{k}>"
            for k, v in template.parameters.items()
        }
    )
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
        "template": {
            "displayName": template.display_name,
            "description": template.description,
            "config": prompts,
        },
    }


def write_pulumi_new_projects() -> list[Path]:
    """Regenerate each template's ``Pulumi.yaml`` (for ``pulumi new``) from its ``template.yaml``."""
    from mlkeel.files import atomic_write_text

    written = []
    for name in template_names():
        root = TEMPLATES_DIR / name
        text = PULUMI_NEW_HEADER + yaml.safe_dump(
            pulumi_new_project(load_template(name)), sort_keys=False, width=110
        )
        atomic_write_text(root / "Pulumi.yaml", text)
        written.append(root / "Pulumi.yaml")
    return written


PULUMI_NEW_HEADER = (
    "# Generated from template.yaml by `python -m stacks.teams`; a test keeps it current. Do not edit.\n"
)

if __name__ == "__main__":
    for path in write_pulumi_new_projects():
        print(path)

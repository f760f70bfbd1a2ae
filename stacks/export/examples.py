"""Plan every bundled example stack and a stack made from every template, for the exporter's tests and
``scripts/terraform_schema.py`` (the types these stacks create are the types the schema must cover)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "stacks" / "config"

#: A value for every template parameter a new team may need (only the template's own are passed).
TEMPLATE_PARAMS = {
    "costCenter": "cc-1234",
    "owner": "sam-lee",
    "project": "acme-ml-dev",
    "billingAccount": "01A2B3-C4D5E6-F7A8B9",
}


def example_stack_files(work: Path) -> list[Path]:
    """The example stack files, then one stack file per template created under ``work``."""
    from stacks.teams import OPTION_PARAMETERS, load_template, new_team_stack, template_names

    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Pulumi.yaml", work / "Pulumi.yaml")
    files = sorted(EXAMPLES_DIR.glob("Pulumi.*.yaml"))
    for i, name in enumerate(template_names()):
        known = {*load_template(name).parameters, *OPTION_PARAMETERS}
        params = {k: v for k, v in TEMPLATE_PARAMS.items() if k in known}
        files.append(new_team_stack(f"team{i}", name, "dev", params, work / "stacks", work / "Pulumi.yaml"))
    return files


def plan_examples(work: Path) -> dict[str, Path]:
    """Stack name -> planned state file of every example and template stack (written under ``work``)."""
    from stacks.engine import plan_stack_file

    states: dict[str, Path] = {}
    for stack_file in example_stack_files(work):
        name = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
        states[name] = plan_stack_file(stack_file).write(work / "states" / f"{name}.json")
    return states

"""Per-team templates: every template gives a stack that validates and plans (issue 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from stacks.engine import load_stack_config, plan_stack_file
from stacks.spec import SpecError, spec_from_config
from stacks.teams import PULUMI_NEW_HEADER, load_template, new_team_stack, pulumi_new_project, template_names

ROOT = Path(__file__).resolve().parents[2]
PARAMS = {"costCenter": "cc-1234", "owner": "sam-lee", "project": "team-ml-dev", "billingAccount": "01A2B3-C4D5E6-F7A8B9"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    return tmp_path


def test_templates_at_least_three_exist() -> None:
    assert {"small-aws", "gpu-training", "regulated-eu-gcp"} <= set(template_names())


@pytest.mark.parametrize("name", template_names())
def test_templates_round_trip_to_a_stack_that_validates_and_plans(name: str, project: Path) -> None:
    written = new_team_stack("acme", name, "dev", PARAMS, project / "stacks", project / "Pulumi.yaml")
    assert written.name == "Pulumi.acme-dev.yaml"
    config = load_stack_config(written)
    spec = spec_from_config(config.values, str(written))
    assert (spec.team, spec.environment, spec.cost_center, spec.owner) == ("acme", "dev", "cc-1234", "sam-lee")
    result = plan_stack_file(written)
    custom = [r for r in result.resources if r.get("custom") and not r["type"].startswith("pulumi:providers:")]
    assert len(custom) > 20, f"template {name} planned only {len(custom)} resources"


def test_templates_refuse_to_overwrite_an_existing_stack(project: Path) -> None:
    target = project / "stacks" / "Pulumi.acme-dev.yaml"
    target.parent.mkdir()
    target.write_text("config: {}\n")
    with pytest.raises(SpecError, match="already exists"):
        new_team_stack("acme", "small-aws", "dev", PARAMS, project / "stacks", project / "Pulumi.yaml")
    assert target.read_text() == "config: {}\n"


def test_templates_unknown_name_suggests_the_nearest(project: Path) -> None:
    with pytest.raises(SpecError, match="Did you mean 'small-aws'"):
        load_template("small-awz")


def test_templates_invalid_values_write_nothing(project: Path) -> None:
    with pytest.raises(SpecError, match="must be a valid cost tag value"):
        new_team_stack("Acme Corp", "small-aws", "dev", PARAMS, project / "stacks", project / "Pulumi.yaml")
    assert not (project / "stacks").exists() or not list((project / "stacks").iterdir())


def test_templates_missing_parameter_is_named(project: Path) -> None:
    with pytest.raises(SpecError, match="billingAccount: needs a value"):
        new_team_stack("acme", "regulated-eu-gcp", "dev", {"costCenter": "c", "owner": "o", "project": "p-abcde"},
                       project / "stacks", project / "Pulumi.yaml")


@pytest.mark.parametrize("name", template_names())
def test_templates_pulumi_new_project_file_is_current(name: str) -> None:
    path = ROOT / "stacks" / "templates" / name / "Pulumi.yaml"
    expected = PULUMI_NEW_HEADER + yaml.safe_dump(pulumi_new_project(load_template(name)), sort_keys=False, width=110)
    assert path.read_text() == expected, "regenerate with: python -m stacks.teams"
    data = yaml.safe_load(path.read_text())
    assert data["template"]["config"]["mlkeel:team"]["description"]
    assert (path.parent / "__main__.py").exists()

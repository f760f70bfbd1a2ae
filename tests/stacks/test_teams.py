"""Per-team templates: every template gives a stack that validates and plans (issue 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from stacks.engine import load_stack_config, plan_stack_file
from stacks.stackspec import SpecError, spec_from_config
from stacks.teams import (
    OPTION_PARAMETERS,
    PULUMI_NEW_HEADER,
    load_template,
    new_team_stack,
    pulumi_new_project,
    template_names,
)

ROOT = Path(__file__).resolve().parents[2]
ALL_PARAMS = {
    "costCenter": "cc-1234",
    "owner": "sam-lee",
    "project": "team-ml-dev",
    "billingAccount": "01A2B3-C4D5E6-F7A8B9",
}


def params_for(name: str) -> dict[str, str]:
    """The shared test values the template has parameters for (it refuses any other)."""
    known = {*load_template(name).parameters, *OPTION_PARAMETERS}
    return {key: value for key, value in ALL_PARAMS.items() if key in known}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    return tmp_path


def test_templates_at_least_three_exist() -> None:
    assert {"small-aws", "gpu-training", "regulated-eu-gcp"} <= set(template_names())


@pytest.mark.parametrize("name", template_names())
def test_templates_round_trip_to_a_stack_that_validates_and_plans(name: str, project: Path) -> None:
    written = new_team_stack(
        "acme", name, "dev", params_for(name), project / "stacks", project / "Pulumi.yaml"
    )
    assert written.name == "Pulumi.acme-dev.yaml"
    config = load_stack_config(written)
    spec = spec_from_config(config.values, str(written))
    assert (spec.team, spec.environment, spec.cost_center, spec.owner) == (
        "acme",
        "dev",
        "cc-1234",
        "sam-lee",
    )
    result = plan_stack_file(written)
    custom = [
        r for r in result.resources if r.get("custom") and not r["type"].startswith("pulumi:providers:")
    ]
    assert len(custom) > 20, f"template {name} planned only {len(custom)} resources"


def test_templates_refuse_to_overwrite_an_existing_stack(project: Path) -> None:
    target = project / "stacks" / "Pulumi.acme-dev.yaml"
    target.parent.mkdir()
    target.write_text("config: {}\n")
    with pytest.raises(SpecError, match="already exists"):
        new_team_stack(
            "acme", "small-aws", "dev", params_for("small-aws"), project / "stacks", project / "Pulumi.yaml"
        )
    assert target.read_text() == "config: {}\n"


def test_templates_unknown_name_suggests_the_nearest(project: Path) -> None:
    with pytest.raises(SpecError, match="Did you mean 'small-aws'"):
        load_template("small-awz")


def test_templates_invalid_values_write_nothing(project: Path) -> None:
    with pytest.raises(SpecError, match="must be a valid cost tag value"):
        new_team_stack(
            "Acme Corp",
            "small-aws",
            "dev",
            params_for("small-aws"),
            project / "stacks",
            project / "Pulumi.yaml",
        )
    assert not (project / "stacks").exists() or not list((project / "stacks").iterdir())


def test_templates_missing_parameter_is_named(project: Path) -> None:
    with pytest.raises(SpecError, match="billingAccount: needs a value"):
        new_team_stack(
            "acme",
            "regulated-eu-gcp",
            "dev",
            {"costCenter": "c", "owner": "o", "project": "p-abcde"},
            project / "stacks",
            project / "Pulumi.yaml",
        )


@pytest.mark.parametrize("name", template_names())
def test_templates_pulumi_new_project_file_is_current(name: str) -> None:
    path = ROOT / "stacks" / "templates" / name / "Pulumi.yaml"
    expected = PULUMI_NEW_HEADER + yaml.safe_dump(
        pulumi_new_project(load_template(name)), sort_keys=False, width=110
    )
    assert path.read_text() == expected, "regenerate with: python -m stacks.teams"
    data = yaml.safe_load(path.read_text())
    assert data["template"]["config"]["mlkeel:team"]["description"]
    assert (path.parent / "__main__.py").exists()


def test_templates_unknown_parameter_is_refused_with_the_nearest_and_the_list(project: Path) -> None:
    with pytest.raises(SpecError) as caught:
        new_team_stack(
            "acme",
            "small-aws",
            "dev",
            {**params_for("small-aws"), "regoin": "us-east-1"},
            project / "stacks",
            project / "Pulumi.yaml",
        )
    [issue] = caught.value.issues
    assert issue.path == "--param regoin" and issue.value == "us-east-1"
    assert issue.message == (
        "template 'small-aws' has no such parameter; did you mean 'region'? its parameters: "
        "dataClassification, monthlyLimitUsd, region, residencyZone"
    )
    assert not (project / "stacks").exists()


@pytest.mark.parametrize("missing", ["costCenter", "owner"])
def test_templates_missing_option_is_reported_once_as_required(project: Path, missing: str) -> None:
    params = {k: v for k, v in params_for("small-aws").items() if k != missing}
    for given in (params, {**params, missing: ""}):
        with pytest.raises(SpecError) as caught:
            new_team_stack("acme", "small-aws", "dev", given, project / "stacks", project / "Pulumi.yaml")
        assert [(i.path, i.message.split(":")[0]) for i in caught.value.issues] == [
            (OPTION_PARAMETERS[missing], "is required")
        ]


def test_templates_number_parameter_becomes_a_number(project: Path) -> None:
    written = new_team_stack(
        "acme",
        "small-aws",
        "dev",
        {**params_for("small-aws"), "monthlyLimitUsd": "2500.5"},
        project / "stacks",
        project / "Pulumi.yaml",
    )
    assert yaml.safe_load(written.read_text())["config"]["mlkeel:budget"] == {"monthlyLimitUsd": 2500.5}


@pytest.mark.parametrize("value", ["lots", "inf", "nan", "true", ""])
def test_templates_number_parameter_must_be_a_finite_number(project: Path, value: str) -> None:
    with pytest.raises(SpecError, match=r"--param monthlyLimitUsd = .*: must be a finite number"):
        new_team_stack(
            "acme",
            "small-aws",
            "dev",
            {**params_for("small-aws"), "monthlyLimitUsd": value},
            project / "stacks",
            project / "Pulumi.yaml",
        )


def test_templates_interrupted_write_leaves_nothing_that_blocks_a_retry(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C as the finished file is put in place: neither the stack nor a temporary file remains."""
    import os

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(os, "link", interrupted)
        with pytest.raises(KeyboardInterrupt):
            new_team_stack(
                "acme",
                "small-aws",
                "dev",
                params_for("small-aws"),
                project / "stacks",
                project / "Pulumi.yaml",
            )
    assert list((project / "stacks").iterdir()) == []
    written = new_team_stack(
        "acme", "small-aws", "dev", params_for("small-aws"), project / "stacks", project / "Pulumi.yaml"
    )
    assert written.read_text().startswith("# acme (dev)")

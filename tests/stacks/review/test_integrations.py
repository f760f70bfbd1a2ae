"""The integrations are valid for their platforms: the GitHub action and the GitLab template against
SchemaStore's published schemas (vendored by check-jsonschema, read offline), the pre-commit hooks against
pre-commit's own manifest schema, and the hooks' commands do what their names say."""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from stacks.cli import _register_all, app

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ACTION = ROOT / "action.yml"
GITLAB = ROOT / "ci" / "gitlab" / "keel-review.gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def _vendored_schema(name: str) -> dict[str, Any]:
    text = resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(name).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _errors(schema: dict[str, Any], document: Any) -> list[str]:
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_action_matches_the_github_action_schema() -> None:
    action = yaml.safe_load(ACTION.read_text())
    assert _errors(_vendored_schema("github-actions.json"), action) == []
    assert action["runs"]["using"] == "composite"


def test_the_schema_check_can_fail() -> None:
    action = yaml.safe_load(ACTION.read_text())
    del action["runs"]["steps"][0]["uses"]  # a step that neither runs nor uses anything
    assert _errors(_vendored_schema("github-actions.json"), action)


def test_the_action_updates_one_comment_found_by_the_marker() -> None:
    action = yaml.safe_load(ACTION.read_text())
    runs = "\n".join(str(step.get("run", "")) for step in action["runs"]["steps"])
    assert "python -m stacks.review.comments github" in runs
    assert "--max-comment-chars 65536" in runs
    for report in ("--sarif", "--junit", "--json", "--output"):
        assert report in runs


def test_the_gitlab_template_matches_the_gitlab_ci_schema() -> None:
    template = yaml.safe_load(GITLAB.read_text())
    assert _errors(_vendored_schema("gitlab-ci.json"), template) == []
    script = "\n".join(template["keel-review"]["script"])
    assert "python -m stacks.review.comments gitlab" in script
    assert "--max-comment-chars 1000000" in script
    assert template["keel-review"]["artifacts"]["reports"]["junit"].endswith(".junit.xml")


def test_the_pre_commit_hooks_match_the_manifest_schema() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(HOOKS))}
    assert set(hooks) == {"keel-validate", "keel-check"}
    pattern = re.compile(hooks["keel-check"]["files"])
    assert pattern.search("stacks/config/Pulumi.fraud-dev.yaml")
    assert not pattern.search("Pulumi.yaml") and not pattern.search("stacks/config/jobs.example.yaml")


def _hook_args(hook_id: str) -> list[str]:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text())}
    entry = hooks[hook_id]["entry"].split()
    assert entry[0] == "keel"
    return entry[1:]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    (tmp_path / "stacks" / "config").mkdir(parents=True)
    return tmp_path


def test_the_validate_hook_names_the_bad_field(project: Path) -> None:
    bad = project / "stacks" / "config" / "Pulumi.fraud-dev.yaml"
    bad.write_text(
        (FIXTURES / "Pulumi.fraud-dev.base.yaml").read_text().replace("minReplicas: 2", "minReplicas: 0")
    )
    _register_all()
    result = CliRunner().invoke(app, [*_hook_args("keel-validate"), str(bad), str(project / "README.md")])
    assert result.exit_code == 2, result.output
    assert "Pulumi.fraud-dev.yaml" in result.stderr and "minReplicas" in result.stderr


def test_the_check_hook_plans_and_passes_a_good_stack(project: Path) -> None:
    good = project / "stacks" / "config" / "Pulumi.fraud-dev.yaml"
    shutil.copy(FIXTURES / "Pulumi.fraud-dev.base.yaml", good)
    _register_all()
    result = CliRunner().invoke(app, [*_hook_args("keel-check"), str(good)])
    assert result.exit_code == 0, result.output
    assert "passed on 1 state(s)" in result.stdout
    assert not (project / ".mlkeel").exists()  # the hook writes nothing into the repository

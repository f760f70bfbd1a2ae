"""Which stacks a change touches: only the changed stack files, unless the program itself changed."""

from __future__ import annotations

import pytest

from stacks.review import StackChange, changed_stacks, is_program_file, stack_name
from stacks.review._git import FileChange

BASE = {
    "fraud-dev": "stacks/config/Pulumi.fraud-dev.yaml",
    "risk-prod": "stacks/config/Pulumi.risk-prod.yaml",
    "old-dev": "stacks/config/Pulumi.old-dev.yaml",
}
HEAD = {
    "fraud-dev": "stacks/config/Pulumi.fraud-dev.yaml",
    "risk-prod": "stacks/config/Pulumi.risk-prod.yaml",
    "new-prod": "stacks/config/Pulumi.new-prod.yaml",
}


def _changed(*changes: tuple[str, str], all_stacks: bool = False) -> list[StackChange]:
    return changed_stacks(
        [FileChange(status, path) for status, path in changes],
        project="",
        base_config_dir="stacks/config",
        head_config_dir="stacks/config",
        base_stacks=BASE,
        head_stacks=HEAD,
        all_stacks=all_stacks,
    )


def test_only_the_edited_stack_file_is_reviewed() -> None:
    assert _changed(("M", "stacks/config/Pulumi.fraud-dev.yaml"), ("M", "README.md")) == [
        StackChange("fraud-dev", "modified", BASE["fraud-dev"], HEAD["fraud-dev"])
    ]


def test_added_and_removed_stacks_have_one_side() -> None:
    changes = _changed(
        ("A", "stacks/config/Pulumi.new-prod.yaml"), ("D", "stacks/config/Pulumi.old-dev.yaml")
    )
    assert changes == [
        StackChange("new-prod", "added", None, HEAD["new-prod"]),
        StackChange("old-dev", "removed", BASE["old-dev"], None),
    ]


def test_a_program_change_reviews_every_stack_of_both_sides() -> None:
    changes = _changed(("M", "components/aws/_s3.py"), ("M", "stacks/config/Pulumi.fraud-dev.yaml"))
    assert [(c.stack, c.status) for c in changes] == [
        ("fraud-dev", "modified"),
        ("new-prod", "added"),
        ("old-dev", "removed"),
        ("risk-prod", "program"),
    ]


def test_docs_tests_templates_and_policies_change_no_plan() -> None:
    for path in (
        "docs/spec.md",
        "tests/test_x.py",
        "stacks/templates/small-aws/__main__.py",
        "policies/x.py",
    ):
        assert _changed(("M", path)) == [], path


def test_all_stacks_reviews_every_stack_without_a_change() -> None:
    assert len(_changed(all_stacks=True)) == 4


def test_a_stack_file_outside_the_config_dir_is_not_a_stack() -> None:
    assert _changed(("M", "examples/Pulumi.fraud-dev.yaml")) == []


@pytest.mark.parametrize(
    ("path", "project", "expected"),
    [
        ("Pulumi.yaml", "", True),
        ("infra/Pulumi.yaml", "infra", True),
        ("infra/components/x.py", "infra", True),
        ("other/components/x.py", "infra", False),
        ("pyproject.toml", "", True),
        ("README.md", "", False),
        ("docs/conf.py", "", False),
    ],
)
def test_program_files(path: str, project: str, expected: bool) -> None:
    assert is_program_file(path, project) is expected


def test_stack_names_come_from_stack_file_names_only() -> None:
    assert stack_name("stacks/config/Pulumi.fraud-dev.yaml") == "fraud-dev"
    assert stack_name("Pulumi.risk.prod.yml") == "risk.prod"
    assert stack_name("Pulumi.yaml") is None and stack_name("stacks/config/jobs.example.yaml") is None

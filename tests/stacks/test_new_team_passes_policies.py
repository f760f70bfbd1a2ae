"""A new team's stack passes every policy with no exemptions (the project's security-by-default promise).

Every bundled example stack and a stack made from every template is planned with the real program and
checked by the real pack over the analyzer protocol: no violation, mandatory or advisory, no finding left
unchecked, nothing exempted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stacks.engine import plan_stack_file
from stacks.teams import new_team_stack, template_names

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "stacks" / "config").glob("Pulumi.*.yaml"))
ALL_PARAMS = {
    "costCenter": "cc-1234",
    "owner": "sam-lee",
    "project": "acme-ml-dev",
    "billingAccount": "01A2B3-C4D5E6-F7A8B9",
}


def _params(name: str) -> dict[str, str]:
    from stacks.teams import OPTION_PARAMETERS, load_template

    known = {*load_template(name).parameters, *OPTION_PARAMETERS}
    return {key: value for key, value in ALL_PARAMS.items() if key in known}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from policies._check import check_files

    work = tmp_path_factory.mktemp("new-teams")
    shutil.copy(ROOT / "Pulumi.yaml", work / "Pulumi.yaml")
    stack_files = list(EXAMPLES)
    for i, name in enumerate(template_names()):
        stack_files.append(
            new_team_stack(f"team{i}", name, "dev", _params(name), work / "stacks", work / "Pulumi.yaml")
        )
    states = [plan_stack_file(f).write(work / "states" / f"{f.stem}.json") for f in stack_files]
    return check_files(states)


def test_new_team_every_example_and_template_stack_is_checked(result) -> None:  # type: ignore[no-untyped-def]
    assert len(result.states) == len(EXAMPLES) + len(template_names())
    assert all(s.resources > 50 for s in result.states), [(s.path, s.resources) for s in result.states]


def test_new_team_stacks_pass_every_policy_without_exemptions(result) -> None:  # type: ignore[no-untyped-def]
    findings = [f"{f.status} {f.enforcement} {f.policy}: {f.urn}: {f.message}" for f in result.findings]
    assert not findings, "\n".join(findings)
    assert result.exit_code == 0

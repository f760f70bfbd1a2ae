"""The planned GCP stacks pass the mlkeel policy pack with no exemptions (issue 3, policy checklist A7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .gcp_plans import PLANS


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from policies._check import check_files

    folder = tmp_path_factory.mktemp("gcp-states")
    paths = [PLANS[name]().write(Path(folder) / f"{name}.json") for name in sorted(PLANS)]
    return check_files(paths)


def test_policies_gcp_example_stacks_have_no_violations(result) -> None:  # type: ignore[no-untyped-def]
    violations = [f"{f.policy}: {f.urn}: {f.message}" for f in result.findings if f.status == "violation"]
    assert not violations, "\n".join(violations)
    assert result.exit_code == 0

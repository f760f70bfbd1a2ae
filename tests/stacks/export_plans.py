"""The example and template stacks, planned once per test session for the export tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def example_states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Stack name -> state file of every example stack and one stack per template (planned, not read from
    `.mlkeel/state/`, so the tests run and can fail on a clean clone)."""
    from stacks.export.examples import plan_examples

    return plan_examples(tmp_path_factory.mktemp("export-plans"))

"""Fixtures shared by the runtime tests."""

from __future__ import annotations

from pathlib import Path

import pytest

#: The example team stacks `scripts/demo.sh` plans; the cost tests price what they really produce.
STACK_FILES = sorted((Path(__file__).resolve().parents[2] / "stacks" / "config").glob("Pulumi.*.yaml"))


@pytest.fixture(scope="session")
def planned_states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Stack name -> state file of every example stack, planned once per session with the offline engine.

    Planning here (rather than reading `.mlkeel/state/`) means the tests run, and can fail, on a clean clone.
    """
    from stacks.engine import plan_stack_file

    folder = tmp_path_factory.mktemp("planned-states")
    states: dict[str, Path] = {}
    for stack_file in STACK_FILES:
        name = stack_file.name.removeprefix("Pulumi.").removesuffix(".yaml")
        states[name] = plan_stack_file(stack_file).write(folder / f"{name}.json")
    return states

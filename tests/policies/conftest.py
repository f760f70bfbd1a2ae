"""Fixtures the policy tests share: a state with one mandatory and one advisory finding, its check result,
and a running pack session (starting a pack takes half a second, so one per module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from policies import DEFAULT_PACK, check_files
from policies.analyzer import AnalyzerSession, CheckResult

from ._kit import write_failing_state


@pytest.fixture(scope="module")
def failing_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_failing_state(tmp_path_factory.mktemp("failing"))


@pytest.fixture(scope="module")
def failing_result(failing_state: Path) -> CheckResult:
    """The library call behind ``keel check``, run once; the renderers all read it."""
    return check_files([failing_state])


@pytest.fixture(scope="module")
def pack_session() -> Iterator[AnalyzerSession]:
    with AnalyzerSession(DEFAULT_PACK, workers=1) as running:
        yield running

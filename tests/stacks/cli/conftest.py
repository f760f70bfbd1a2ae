"""Shared by the ``keel`` verb tests: an in-process runner with every verb registered once."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stacks.cli import _register_all


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    """A Typer runner; every verb is registered once per process (registering twice would add each again)."""
    _register_all()
    return CliRunner()

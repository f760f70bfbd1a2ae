"""Every engine run starts clean: the same scenarios pass in a fresh interpreter in any order (issue 11).

A transform that returned another resource's output used to fail only when it was the first program a
process planned, and only sometimes: the engine ran callbacks speculatively on a private event loop and
retried them on the program's loop, and the retry found the output's future half-awaited. In-process
tests cannot see such order and timing dependence, so these run each order in its own interpreter.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from .engine_scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[2]


def _run(names: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.stacks.engine_scenarios", *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("order", list(itertools.permutations(SCENARIOS)), ids="-".join)
def test_engine_scenarios_pass_in_a_fresh_process_in_every_order(order: tuple[str, ...]) -> None:
    done = _run(list(order))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == [word for name in order for word in ("ok", name)]

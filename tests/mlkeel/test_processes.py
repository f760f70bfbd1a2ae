"""Children die with their parent, even when the parent is killed outright (issue 11)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

PARENT = """
import os, subprocess, sys, threading, time
from mlkeel.processes import python_module_command
# A busy thread, as gRPC's are in keel check: starting the child must not fork-and-run Python in a copy.
threading.Thread(target=lambda: time.sleep(120), daemon=True).start()
argv, env = python_module_command(sys.executable, "http.server", "--bind", "127.0.0.1", "0")
quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
child = subprocess.Popen(argv, env={**os.environ, **env}, **quiet)
print(child.pid, flush=True)
time.sleep(120)
"""

TERMINATED = """
import time
from mlkeel.processes import Terminated, terminate_like_interrupt
terminate_like_interrupt()
try:
    print("ready", flush=True)
    time.sleep(120)
except Terminated:
    print("cleaned up", flush=True)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_dies_when_its_parent_is_killed_with_sigkill() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.kill()
    parent.wait(10)
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = _alive(child)
    if alive:
        os.kill(child, signal.SIGKILL)
    assert not alive, "the child outlived its SIGKILLed parent"


def test_a_child_whose_parent_is_already_gone_leaves_at_once() -> None:
    """Started by a parent that died before the child armed the signal: no orphan is left running."""
    from mlkeel.processes import python_module_command

    argv, env = python_module_command(sys.executable, "http.server", "--bind", "127.0.0.1", "0")
    env["MLKEEL_PARENT_PID"] = "1"  # not our parent: as if the real one had died and we were reparented
    if os.getppid() == 1:
        pytest.skip("this test process is itself a child of PID 1")
    done = subprocess.run(argv, env={**os.environ, **env}, capture_output=True, timeout=30)
    assert done.returncode == 143


def test_sigterm_runs_the_same_clean_up_as_ctrl_c() -> None:
    process = subprocess.Popen([sys.executable, "-c", TERMINATED], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    process.terminate()
    out, _ = process.communicate(timeout=10)
    assert out.strip() == "cleaned up"

"""Children die with their parent, and SIGTERM stops a command the way Ctrl-C does.

A CI runner or a container runtime stops a job with SIGTERM (then SIGKILL). Without help, the policy pack
that ``keel check`` starts and the workers of ``keel plan -j`` would be reparented to PID 1 and run on.
Two things prevent it:

- ``terminate_like_interrupt()`` turns SIGTERM into ``Terminated`` (a ``KeyboardInterrupt``), so every
  ``finally``/``with`` that cleans up after Ctrl-C also runs after SIGTERM;
- ``die_with_parent()`` (Linux ``PR_SET_PDEATHSIG``), called in each child as it starts (a pool
  initializer), or ``python_module_command()`` for a separate program, has the kernel send the child
  SIGTERM when its parent dies, even when the parent is killed with SIGKILL and runs no clean-up at all.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType

_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM; handled wherever Ctrl-C is."""


def _load_prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, looked up once, here in the parent.

    A ``preexec_fn`` runs between fork and exec in a copy of a process that may have threads; loading a
    library there (``find_library`` even starts a subprocess) can deadlock or crash the child.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent exits (a no-op off Linux).

    Meant for a process-pool initializer; to start a separate program use :func:`python_module_command`.
    If the parent already died before this ran (the child was reparented to init), exit at once.
    """
    if _prctl is None:
        return
    _prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() == 1:
        os._exit(143)


_terminated = False


#: Run by a child interpreter before the module it starts: arm the parent-death signal, and leave at once
#: if the parent that started it is already gone. Plain stdlib, so it works in any interpreter (a pack's
#: own virtualenv need not have mlkeel installed).
_ARM_THEN_RUN = """
import os, signal, sys, runpy
if sys.platform.startswith("linux"):
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != int(os.environ.get("MLKEEL_PARENT_PID", os.getppid())):
        os._exit(143)
module = sys.argv[1]
sys.argv = [module, *sys.argv[2:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def python_module_command(python: str, module: str, *args: str) -> tuple[list[str], dict[str, str]]:
    """``python -m module args`` as a child that dies with this process: (argv, extra environment).

    Prefer this to ``preexec_fn=die_with_parent``: a ``preexec_fn`` makes ``subprocess`` fork the whole
    process and run Python in the copy, and in a process that has gRPC threads (``keel check`` talks to
    the pack over gRPC, and so does the test suite) gRPC's fork handlers can crash that copy with SIGSEGV
    now and then. Here the child arms the signal itself, after ``exec``, from plain stdlib code.
    """
    return [python, "-u", "-c", _ARM_THEN_RUN, module, *args], {"MLKEEL_PARENT_PID": str(os.getpid())}


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    global _terminated
    _terminated = True
    raise Terminated()


def was_terminated() -> bool:
    """Whether SIGTERM arrived; CLI frameworks turn ``Terminated`` into a plain exit 130 on its way up."""
    return _terminated


def terminate_like_interrupt() -> None:
    """Make SIGTERM raise ``Terminated`` in the main thread (call once, from the main thread)."""
    with contextlib.suppress(ValueError):  # not the main thread: leave the default in place
        signal.signal(signal.SIGTERM, _raise_terminated)

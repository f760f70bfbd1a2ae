"""Children die with their parent, and SIGTERM stops a command the way Ctrl-C does.

A CI runner or a container runtime stops a job with SIGTERM (then SIGKILL). Without help, the policy pack
that ``keel check`` starts and the workers of ``keel plan -j`` would be reparented to PID 1 and run on.
Two things prevent it:

- ``terminate_like_interrupt()`` turns SIGTERM into ``Terminated`` (a ``KeyboardInterrupt``), so every
  ``finally``/``with`` that cleans up after Ctrl-C also runs after SIGTERM;
- ``die_with_parent()`` (Linux ``PR_SET_PDEATHSIG``), called in each child as it starts, has the kernel
  send the child SIGTERM when its parent dies, even when the parent is killed with SIGKILL and runs
  no clean-up at all.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
from types import FrameType

_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM; handled wherever Ctrl-C is."""


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Ask the kernel to send ``sig`` to this process when its parent exits (a no-op off Linux).

    Safe as a ``preexec_fn`` or a process-pool initializer. If the parent already died before this ran
    (the child was reparented), exit at once rather than live on as an orphan.
    """
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if parent == 1:
        os._exit(143)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


def terminate_like_interrupt() -> None:
    """Make SIGTERM raise ``Terminated`` in the main thread (call once, from the main thread)."""
    with contextlib.suppress(ValueError):  # not the main thread: leave the default in place
        signal.signal(signal.SIGTERM, _raise_terminated)

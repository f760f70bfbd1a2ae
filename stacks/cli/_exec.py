"""``python -m stacks.cli._exec PROGRAM ARGS...``: become PROGRAM, keeping the parent-death signal.

Why: a program that is not Python (``pulumi``) cannot arm the parent-death signal itself, but the signal
survives ``execve``. :func:`mlkeel.processes.python_module_command` starts this module with the signal
armed, and it replaces itself with the program, so ``pulumi`` dies with ``keel`` like every other child.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    os.execvp(sys.argv[1], sys.argv[1:])

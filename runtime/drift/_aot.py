"""Build the drift loops ahead of time into an extension module: ``python -m runtime.drift._aot``.

Why: a fresh process that compiles or loads the loops just in time pays numba's start-up, about half a
second holding the GIL, before its first compiled call: half of a ``keel drift`` run with a saved
profile. Compiled ahead of time (numba's ``pycc``, from the very source the just-in-time path compiles),
the loops are a plain extension module that imports in a millisecond and needs neither numba nor LLVM
at run time. The setup scripts and the runtime image build it; without a C compiler it is skipped and
the just-in-time path runs, with the same numbers.

The module records a hash of :mod:`runtime.drift._loops`; :mod:`runtime.drift._kernels` uses a build only
while that hash matches, so an edited loop is never served stale. The build is written to a temporary
folder and renamed into place, so a reader never finds half a module.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

#: The extension module's name (next to this file unless ``--output-dir`` says otherwise).
MODULE = "_loops_aot"
HERE = Path(__file__).resolve().parent


def loops_hash() -> int:
    """A 63-bit hash of ``_loops.py``: what a build was made from."""
    digest = hashlib.sha256((HERE / "_loops.py").read_bytes()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def build(output_dir: Path = HERE) -> Path:
    """Compile every loop of :data:`runtime.drift._loops.SIGNATURES` into ``output_dir``; returns the file."""
    from numba.core.errors import NumbaPendingDeprecationWarning

    from runtime.drift import _loops

    with warnings.catch_warnings():
        # pycc is numba's only ahead-of-time compiler; its deprecation notice names no successor yet
        warnings.simplefilter("ignore", NumbaPendingDeprecationWarning)
        from numba.pycc import CC

        stack = contextlib.ExitStack()
        stack.enter_context(_releasing_the_gil())

        source = loops_hash()
        with tempfile.TemporaryDirectory(dir=output_dir, prefix=".aot-") as scratch:
            cc = CC(MODULE)
            cc.output_dir = scratch
            cc.verbose = False
            for name, signature in _loops.SIGNATURES.items():
                cc.export(name, signature)(getattr(_loops, name))

            def source_hash() -> int:  # pragma: no cover - compiled
                return source

            cc.export("source_hash", "i8()")(source_hash)
            with stack:
                cc.compile()
            (built,) = Path(scratch).glob(f"{MODULE}*")
            target = output_dir / built.name
            os.replace(built, target)
    return target


@contextlib.contextmanager
def _releasing_the_gil() -> Iterator[None]:
    """Make pycc wrap each exported loop as ``njit(nogil=True)`` does: the GIL released for the call.

    pycc has no option for it, but compiles with a ``Flags`` object whose ``release_gil`` its wrapper
    honours; the loops touch no Python object, and without it the threads that score columns in
    parallel would take turns.
    """
    from numba.pycc import compiler

    plain = compiler.Flags

    class ReleasingTheGil(plain):  # type: ignore[misc,valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.release_gil = True

    compiler.Flags = ReleasingTheGil  # type: ignore[misc]
    try:
        yield
    finally:
        compiler.Flags = plain  # type: ignore[misc]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=HERE, help="where the module goes (default: here)")
    args = parser.parse_args(argv)
    if shutil.which(os.environ.get("CC", "cc")) is None and shutil.which("gcc") is None:
        print(
            "runtime.drift._aot: no C compiler; the drift loops will be compiled just in time",
            file=sys.stderr,
        )
        return 0
    try:
        target = build(args.output_dir)
    except Exception as exc:  # a compiler or linker failure: the just-in-time path still works
        print(
            f"runtime.drift._aot: build failed ({type(exc).__name__}: {exc}); the drift loops will be "
            "compiled just in time",
            file=sys.stderr,
        )
        return 1
    print(f"runtime.drift._aot: built {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

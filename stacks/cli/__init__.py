"""The ``keel`` command: one verb per user task.

Each verb lives in its own module here and only parses arguments and calls a library function; heavy
imports stay inside the verb's function so ``keel --help`` is instant. A verb module exposes
``register(app)``; this file lists them in the order ``--help`` shows them.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib
import os
import sys

import typer

#: Verb modules, in help order. Each module defines ``register(app: typer.Typer) -> None``.
VERB_MODULES: tuple[str, ...] = (
    "new_team",
    "plan",
    "check",
    "cost",
    "review",
    "drift",
    "fairness",
    "schedule",
    "watch",
    "export",
)

app = typer.Typer(
    name="keel",
    help="Declare, check and pay for whole MLOps platforms as code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_registered = False


def _register_all() -> None:
    """Add every verb to ``app``, once per process (``main`` may be called many times, as tests do)."""
    global _registered
    if _registered:
        return
    _registered = True
    for module_name in VERB_MODULES:
        try:
            module = importlib.import_module(f"stacks.cli.{module_name}")
        except ModuleNotFoundError as exc:  # a verb still being built must not break the others
            if exc.name == f"stacks.cli.{module_name}":
                continue
            raise
        module.register(app)


def _command_names() -> list[str]:
    names = []
    for info in app.registered_commands:
        names.append(info.name or (info.callback.__name__.replace("_", "-") if info.callback else ""))
    for group in app.registered_groups:
        if group.name:
            names.append(group.name)
    return names


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``keel`` console script; suggests the nearest verb on a typo.

    The last line of defence for "no traceback reaches a user": bad input a verb did not catch still
    exits 2 with its message, an unreadable or unwritable path exits 2 naming it, and anything else is
    reported in one line (``KEEL_DEBUG=1`` shows the traceback). SIGTERM stops a verb as Ctrl-C does.
    """
    import signal

    from mlkeel.processes import Terminated, terminate_like_interrupt, was_terminated

    previous = signal.getsignal(signal.SIGTERM)
    terminate_like_interrupt()
    args = sys.argv[1:] if argv is None else argv
    try:
        _main(args)
    except SystemExit as exc:
        if exc.code != 130:  # Typer turns Ctrl-C and SIGTERM alike into exit 130 before we see them
            raise
        typer.echo("keel: stopped", err=True)
        raise SystemExit(143 if was_terminated() else 130) from None
    except KeyboardInterrupt as exc:
        typer.echo("keel: stopped", err=True)
        raise SystemExit(143 if isinstance(exc, Terminated) else 130) from None
    except Exception as exc:
        if os.environ.get("KEEL_DEBUG"):
            raise
        from mlkeel.files import InputError

        if isinstance(exc, InputError):
            typer.echo(f"keel: error: {exc}", err=True)
            raise SystemExit(2) from None
        if isinstance(exc, OSError) and exc.filename is not None:
            typer.echo(f"keel: error: {exc.filename}: {exc.strerror or exc}", err=True)
            raise SystemExit(2) from None
        typer.echo(
            f"keel: internal error: {type(exc).__name__}: {exc} (please report it; KEEL_DEBUG=1 shows where)",
            err=True,
        )
        raise SystemExit(3) from None
    finally:
        with contextlib.suppress(ValueError, TypeError):  # not the main thread, or a handler set in C
            signal.signal(signal.SIGTERM, previous)


#: Set by a verb whose work is finished once its output is flushed; see :func:`skip_teardown`.
_SKIP_TEARDOWN: list[bool] = []


def skip_teardown() -> None:
    """Let the console script end the process as soon as this verb returns, without the interpreter's
    teardown.

    Why: freeing hundreds of MB of arrays and the module objects of pyarrow and numba took 0.3 s of a
    one-second ``keel drift``. Only for verbs that leave nothing behind: no child process, no thread
    with work in flight, every file written (atomically) and closed. Tests call :func:`main`, which
    never exits this way.
    """
    _SKIP_TEARDOWN.append(True)


def console() -> None:
    """The ``keel`` console script: :func:`main`, then exit with its status."""
    try:
        main()
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    if not _SKIP_TEARDOWN:
        raise SystemExit(code)
    if isinstance(code, str):  # SystemExit("message") prints the message and exits 1
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing left to deliver to
            stream.flush()
    os._exit(code or 0)


def _main(args: list[str]) -> None:
    _register_all()
    if args and not args[0].startswith("-"):
        known = _command_names()
        if args[0] not in known:
            close = difflib.get_close_matches(args[0], known, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            typer.echo(f"keel: no such command '{args[0]}'.{hint} See 'keel --help'.", err=True)
            raise SystemExit(2)
    app(args=args, prog_name="keel")

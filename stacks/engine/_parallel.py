"""Plan several stacks at once, one process per core: each program run is single-threaded Python."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PlanOutcome:
    """What planning one stack file produced: a written state, or the reason it could not."""

    stack_file: Path
    stack: str
    state_file: Path | None
    resource_count: int
    error: str | None = None
    bad_input: bool = False


def plan_to_file(stack_file: Path, state_file: Path | None) -> PlanOutcome:
    """Plan one stack file and write its state; errors are returned, not raised (for worker processes)."""
    from mlkeel.files import InputError

    from ._run import STATE_DIR, plan_stack_file

    stack = stack_file.name.removeprefix("Pulumi.").rsplit(".", 1)[0]
    try:
        result = plan_stack_file(stack_file)
        if state_file is None:
            from ._config import find_project_file

            state_file = find_project_file(stack_file.parent).parent / STATE_DIR / f"{result.stack}.json"
        result.write(state_file)
    except InputError as exc:  # a SpecError too: the stack file (or the project file) is bad input
        return PlanOutcome(stack_file, stack, None, 0, str(exc), bad_input=True)
    except OSError as exc:
        if exc.filename is None:
            raise
        return PlanOutcome(
            stack_file, stack, None, 0, f"{exc.filename}: {exc.strerror or exc}", bad_input=True
        )
    except Exception as exc:  # the program itself failed: report it with the stack's name
        return PlanOutcome(stack_file, stack, None, 0, f"{type(exc).__name__}: {exc}")
    return PlanOutcome(stack_file, result.stack, state_file, len(result.resources))


def _worker_started() -> None:
    """Pool initializer: a worker dies with keel, and leaves Ctrl-C and SIGTERM handling to keel.

    A forked worker inherits keel's handler that turns SIGTERM into ``Terminated``; in a worker that would
    print a traceback from the pool's internals. Keel stops its workers itself (``_stop``), and the kernel
    stops them if keel dies without cleaning up (``die_with_parent``).
    """
    import signal

    from mlkeel.processes import die_with_parent

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what has not started and terminate the workers running the rest."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


def _warm_up() -> None:
    """Import, once in the parent, what every program run needs, so forked workers start warm.

    Provider SDK submodules load lazily on first use; the components' sources say which ones they use.
    """
    import importlib
    import re
    from pathlib import Path

    import components

    used: set[tuple[str, str]] = set()
    for source in Path(components.__file__).parent.rglob("*.py"):
        for package, module in re.findall(r"\b(aws|gcp)\.([a-z][a-z0-9_]*)\.[A-Z]", source.read_text()):
            used.add((package, module))
    for package, module in sorted(used):
        try:
            importlib.import_module(f"pulumi_{package}.{module}")
        except ImportError:
            continue
    for name in (
        "stacks.program",
        "components.platform.aws",
        "components.platform.gcp",
        "components.aws",
        "components.gcp",
        "stacks.engine._monitor",
    ):
        importlib.import_module(name)


def _start_method() -> str:
    """fork, warm, when this process has not run a program; else spawn.

    A forked child must not inherit a live gRPC server or channel: once a program has run here (the SDK
    started its callback server), only a fresh interpreter is safe.
    """
    from ._run import programs_run

    if programs_run() or "fork" not in multiprocessing.get_all_start_methods():
        return "spawn"
    _warm_up()
    return "fork"


def plan_many(
    stack_files: Sequence[Path],
    state_files: Sequence[Path | None],
    jobs: int | None = None,
    on_done: Callable[[PlanOutcome], None] | None = None,
) -> list[PlanOutcome]:
    """Plan ``stack_files`` in up to ``jobs`` processes (default: one per core), in input order."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(stack_files)))
    if jobs == 1:
        outcomes = []
        for stack_file, state_file in zip(stack_files, state_files, strict=True):
            outcome = plan_to_file(stack_file, state_file)
            if on_done:
                on_done(outcome)
            outcomes.append(outcome)
        return outcomes
    context = multiprocessing.get_context(_start_method())
    results: dict[int, PlanOutcome] = {}
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_started)
    try:
        futures = {
            pool.submit(plan_to_file, stack_file, state_file): i
            for i, (stack_file, state_file) in enumerate(zip(stack_files, state_files, strict=True))
        }
        for future in as_completed(futures):
            outcome = future.result()
            results[futures[future]] = outcome
            if on_done:
                on_done(outcome)
    except BaseException:  # Ctrl-C, SIGTERM (Terminated) or a failure: no worker may outlive keel
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return [results[i] for i in range(len(stack_files))]

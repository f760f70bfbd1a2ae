"""The library function behind ``keel check``: load states and config, run the pack, return the result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .analyzer import CheckResult, StateError, check_states, load_policy_config, load_state
from .packs import pack_dir

DEFAULT_PACK = pack_dir("mlkeel")


def check_files(
    state_paths: Sequence[Path],
    config_path: Path | None = None,
    pack: Path | None = None,
    workers: int = 0,
    allow_unknown_types: bool = False,
    progress: Callable[[int], None] | None = None,
) -> CheckResult:
    """Check every state in ``state_paths`` with the pack directory ``pack`` (default: the mlkeel pack).

    Raises ``StateError`` / ``PolicyConfigError`` for bad input and ``PackError`` when the pack fails.
    """
    if not state_paths:
        raise StateError("no state given; pass one or more files from `keel plan` or `pulumi stack export`.")
    states = [load_state(Path(p), allow_unknown_types) for p in state_paths]
    config = load_policy_config(config_path)
    return check_states(
        states,
        Path(pack) if pack is not None else DEFAULT_PACK,
        user_config=config,
        config_source=str(config_path) if config_path else "policy config",
        workers=workers,
        progress=progress,
    )

"""Lambda entry point: ``runtime.self_healing.handler.handle`` (EventBridge Scheduler invokes it).

The event is ignored except ``{"dryRun": true}``. Returns the run summary; raises only on a bad
configuration, so Lambda's own error metric counts misconfigured stacks, not runs that made a stack safe.
"""

from __future__ import annotations

from typing import Any

from runtime.self_healing._config import load_any_config
from runtime.self_healing._run import run_once


def handle(event: dict[str, Any] | None, context: Any = None) -> dict[str, Any]:
    config = load_any_config()
    dry_run = bool((event or {}).get("dryRun", False))
    return run_once(config, dry_run=dry_run).to_dict()

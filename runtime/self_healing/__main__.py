"""``python -m runtime.self_healing [--dry-run]``: one run, configured by ``MLKEEL_SELF_HEALING_CONFIG``.

The container's command (ECS task, Kubernetes CronJob). Prints the run summary as JSON; exits 0 done,
1 could not finish (the endpoint is on a known-good version), 2 bad configuration, 75 lease held.
"""

from __future__ import annotations

import json
import sys

from mlkeel.files import InputError
from runtime.self_healing._config import load_any_config
from runtime.self_healing._run import exit_code, run_once


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        config = load_any_config()
        summary = run_once(config, dry_run="--dry-run" in args)
    except InputError as exc:  # bad configuration, or a lease backend the environment cannot reach
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary.to_dict(), indent=2, default=str))
    return exit_code(summary)


if __name__ == "__main__":
    sys.exit(main())

"""Run parliament over policy documents; executed by ``.venv-scanners/bin/python``, never imported by mlkeel.

Reads ``{"documents": [{"where": ..., "kind": "identity"|"resource", "policy": {...}}]}`` on stdin and
writes ``[{"where", "issue", "severity", "title", "detail", "location"}]`` on stdout: every finding of
every severity, community auditors included, so the allowlist (not this script) decides what is accepted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import parliament
from parliament import analyze_policy_string, override_config


def main() -> int:
    request = json.load(sys.stdin)
    override_config(str(Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml"))
    out = []
    for doc in request["documents"]:
        policy = analyze_policy_string(
            json.dumps(doc["policy"]),
            doc["where"],
            include_community_auditors=True,
            config=parliament.config,
        )
        for finding in policy.findings:
            out.append(
                {
                    "where": doc["where"],
                    "issue": finding.issue,
                    "severity": finding.severity,
                    "title": finding.title,
                    "detail": finding.detail
                    if isinstance(finding.detail, (str, int, float, type(None)))
                    else str(finding.detail),
                    "location": json.loads(json.dumps(finding.location, default=str)),
                }
            )
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

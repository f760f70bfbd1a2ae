#!/usr/bin/env bash
# Create the scanner environment (.venv-scanners) used by tests/components/test_iam_documents_lint.py
# (parliament) and tests/stacks/test_export_checkov.py (Checkov on `keel export --format terraform-plan`).
#
# Security reviewers judge a stack with third-party scanners, not with mlkeel's own rules, so those
# scanners get a virtual environment of their own (their pins must not move mlkeel's). Versions are pinned:
# a new parliament release ships new AWS action tables, and a finding appearing because the tables moved
# must be a deliberate upgrade, not a surprise in CI.
#
# Usage: benchmarks/setup_scanners.sh [PYTHON]   (default: the interpreter behind .venv, else python3)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_side_venv.sh" .venv-scanners "${1:-}"
# Checkov: the last 3.2 release; its check set moves with every release, so upgrades are deliberate.
"${venv}/bin/python" -m pip install --quiet "parliament==1.6.4" "checkov==3.2.533"
"${venv}/bin/python" - <<'PY'
from importlib.metadata import version

import parliament  # noqa: F401

print(f"scanners ready: parliament {version('parliament')}, checkov {version('checkov')}")
PY

#!/usr/bin/env bash
# Quickstart 2: set up and run the whole test suite (lint, types, unit and integration tests, and the
# equality tests against Evidently and fairlearn in their own environment).
set -euo pipefail
source "$(dirname "$0")/_venv.sh" "test"
echo "== ruff"
.venv/bin/ruff check .
echo "== mypy"
.venv/bin/mypy mlkeel stacks components policies runtime
echo "== pytest"
.venv/bin/python -m pytest -n 2 -q "$@"
echo "== peers (Evidently, fairlearn) in .venv-peers"
bash benchmarks/setup_peers.sh
.venv-peers/bin/python -m pytest tests/peers -q -p no:cacheprovider

#!/usr/bin/env bash
# Fuzz every keel entry point that reads a file, longer than the test suite does (docs/inputs.md).
# Each example must end in a result, a finding, or exit 2 naming the file; never a traceback.
#
# Usage: scripts/fuzz_inputs.sh [EXAMPLES]   (examples per entry point; default 2000, the suite runs 200)
set -euo pipefail
source "$(dirname "$0")/_venv.sh" "test"
examples="${1:-2000}"
echo "== fuzzing keel's inputs, ${examples} examples per entry point"
MLKEEL_FUZZ_EXAMPLES="${examples}" .venv/bin/python -m pytest tests/stacks/test_cli_inputs_fuzz.py \
    -q -p no:randomly -p no:cacheprovider --timeout=0

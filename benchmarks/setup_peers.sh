#!/usr/bin/env bash
# Create the peer environment (.venv-peers) used by tests/peers and by the drift/fairness benchmarks.
#
# Evidently 0.7.23 needs pandas<3 and pins things mlkeel does not, so the peers get their own venv.
# mlkeel itself is installed editable without its (Pulumi-heavy) dependencies: the runtime only needs
# the numeric stack listed in requirements-peers.txt (numba included: without it the peers would only
# ever test the numpy engine, and tests/peers compares both engines with Evidently).
#
# Usage: benchmarks/setup_peers.sh [PYTHON]   (default: the interpreter behind .venv, else python3)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_side_venv.sh" .venv-peers "${1:-}"
"${venv}/bin/python" -m pip install --quiet -r "${repo}/benchmarks/requirements-peers.txt"
"${venv}/bin/python" -m pip install --quiet --no-deps -e "${repo}"
"${venv}/bin/python" - <<'PY'
import evidently, fairlearn, numba, pandas, numpy, scipy
from evidently import Report  # noqa: F401  (fails with pandas 3: the reason this venv exists)
import runtime  # noqa: F401
print(f"peers ready: evidently {evidently.__version__}, fairlearn {fairlearn.__version__}, "
      f"numba {numba.__version__}, pandas {pandas.__version__}, numpy {numpy.__version__}, scipy {scipy.__version__}")
PY

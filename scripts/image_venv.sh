#!/usr/bin/env bash
# Build .venv-image: the runtime image's Python environment without a container builder.
#
# This machine (and CI without Docker-in-Docker) has no container builder, so the image's contents are proved
# another way: the same interpreter minor version, the same lock (runtime/self_healing/requirements-image.txt,
# installed with --no-deps exactly as the Dockerfile does), and tests/components/test_self_healing_image.py
# runs the entry points from a copy of only what the Dockerfile copies (mlkeel/ and runtime/). Where a
# builder exists (`docker buildx version` succeeds), the image itself is built as well.
#
# Usage: scripts/image_venv.sh [PYTHON]   (default: the interpreter behind .venv, else python3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lock="${here}/../runtime/self_healing/requirements-image.txt"
stamp="${here}/../.venv-image/.installed-lock"
# A changed lock rebuilds from scratch: pip never removes a package that left the lock.
if [[ -d "${here}/../.venv-image" ]] && ! cmp -s "${lock}" "${stamp}"; then
    rm -rf "${here}/../.venv-image"
fi
source "${here}/../benchmarks/_side_venv.sh" .venv-image "${1:-}"
if [[ ! -f "${stamp}" ]]; then
    "${venv}/bin/python" -m pip install --quiet --no-deps -r "${lock}"
    "${venv}/bin/python" -m pip check
    cp "${lock}" "${stamp}"
fi
echo "image venv ready: ${venv} ($("${venv}/bin/python" -c 'import sys; print(sys.version.split()[0])'))"
if docker buildx version >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    docker build --quiet -t mlkeel-runtime:self-healing-0.1.0 "${repo}"
fi

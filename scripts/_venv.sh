# Shared by demo.sh and test.sh: create .venv once and install mlkeel (with extras given as $1) into it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.mlkeel-installed-${1:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${1:+[$1]}"
  touch "$stamp"
fi

# The drift loops compiled ahead of time (runtime/drift/_aot.py), rebuilt whenever runtime/drift/_loops.py
# changes: a fresh `keel drift` then skips numba's half-second start-up. Best effort: without a C compiler
# the loops are compiled just in time, with the same numbers.
if ! .venv/bin/python -c "from runtime.drift._kernels import _ahead_of_time as f; raise SystemExit(f() is None)" \
    2>/dev/null; then
  .venv/bin/python -m runtime.drift._aot || true
fi

# Debian packages, quietly; sudo only when not root.
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# A C compiler for the drift loops' ahead-of-time build (the test suite checks it against the just-in-time
# build); Debian's gcc when `cc` is missing, then the build is retried.
ensure_cc() {
  command -v cc >/dev/null 2>&1 && return 0
  echo "== installing a C compiler for the drift loops (gcc)"
  apt_install gcc libc6-dev
  .venv/bin/python -m runtime.drift._aot || true
}

# A Java runtime for pyspark's local mode (the Spark engine's tests); Debian's headless JRE 17 when
# `java` is missing. Idempotent and quiet.
ensure_java() {
  command -v java >/dev/null 2>&1 && return 0
  echo "== installing a Java runtime for Spark (openjdk-17-jre-headless)"
  apt_install openjdk-17-jre-headless
}

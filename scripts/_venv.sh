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

# A Java runtime for pyspark's local mode (the Spark engine's tests); Debian's headless JRE 17 when
# `java` is missing. Idempotent and quiet; sudo only when not root.
ensure_java() {
  command -v java >/dev/null 2>&1 && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "== installing a Java runtime for Spark (openjdk-17-jre-headless)"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
}

# Sourced by setup_peers.sh and setup_scanners.sh: create (once) a side virtual environment of pinned
# third-party tools beside .venv, with the same interpreter, and upgrade its pip.
#
# Usage (in a script): source "$(dirname "$0")/_side_venv.sh" NAME [PYTHON]  -> sets $repo and $venv
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${repo}/$1"
python="${2:-}"
if [[ -z "${python}" ]]; then
    if [[ -x "${repo}/.venv/bin/python" ]]; then
        python="$("${repo}/.venv/bin/python" -c 'import sys; print(sys._base_executable)')"
    else
        python="python3"
    fi
fi
if [[ ! -x "${venv}/bin/python" ]]; then
    "${python}" -m venv "${venv}"
fi
"${venv}/bin/python" -m pip install --quiet --upgrade pip

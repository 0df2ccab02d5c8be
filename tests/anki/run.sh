#!/usr/bin/env bash
# mastery's Anki round trip, checked against Anki's own backend.
#
#   tests/anki/run.sh BINARY [--keep] [--verbose]
#
# Makes a throwaway venv under ${TMPDIR:-/tmp}, installs the `anki` wheel
# (Anki's Rust backend, from PyPI) and runs verify.py against BINARY. When
# the wheel cannot be installed (no network, no wheel for this platform)
# it prints `skipped: <reason>` and exits 0; otherwise it exits with
# verify.py's status.
set -euo pipefail

ANKI_VERSION=26.09.3

if [ $# -lt 1 ]; then
    echo "usage: $0 MASTERY_BINARY [--keep] [--verbose]" >&2
    exit 2
fi
binary=$1
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ ! -x "$binary" ]; then
    echo "run.sh: not an executable: $binary" >&2
    exit 2
fi

python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
    echo "skipped: no $python on this machine"
    exit 0
fi

venv=$(mktemp -d "${TMPDIR:-/tmp}/mastery-anki-venv.XXXXXX")
trap 'rm -rf "$venv" "$venv.log"' EXIT

if ! "$python" -m venv "$venv" >"$venv.log" 2>&1; then
    echo "skipped: cannot make a Python venv ($(tail -n 1 "$venv.log"))"
    rm -f "$venv.log"
    exit 0
fi
if ! "$venv/bin/pip" install --disable-pip-version-check --quiet "anki==$ANKI_VERSION" >"$venv.log" 2>&1; then
    echo "skipped: pip install anki==$ANKI_VERSION failed: $(grep -m 1 -i error "$venv.log" || tail -n 1 "$venv.log")"
    rm -f "$venv.log"
    exit 0
fi
rm -f "$venv.log"

"$venv/bin/python" "$here/verify.py" "$binary" "$@"

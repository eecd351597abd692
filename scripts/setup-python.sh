#!/usr/bin/env bash
# Creates .venv (Python ≥ 3.11) and installs Empathy with its dev extras. Idempotent: skips the install
# when pyproject.toml has not changed since the last one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Empathy needs Python 3.11 or newer")'
  "$PY" -m venv .venv
fi
STAMP=.venv/.empathy-installed
SUM="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$SUM" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$SUM" >"$STAMP"
fi

#!/usr/bin/env bash
# The GitHub Action's install step (action.yml): Empathy from the action's own checkout (so its version is
# the tag or commit the workflow pinned) into a private virtualenv, never into the project's environment.
# Inputs: SOURCE (the action's folder), VENV (where to create it), EMPATHY_PYTHON (optional: the
# interpreter to create it with; default the newest python3.11+ on PATH). Writes `empathy=<command>` to
# GITHUB_OUTPUT.
set -euo pipefail
: "${SOURCE:?}" "${VENV:?}" "${GITHUB_OUTPUT:?}"
ok='import sys; sys.exit(sys.version_info < (3, 11))'
py="${EMPATHY_PYTHON:-}"
if [ -z "$py" ]; then
  for candidate in python3.14 python3.13 python3.12 python3.11 python3 python; do
    if command -v "$candidate" >/dev/null && "$candidate" -c "$ok" 2>/dev/null; then py="$candidate"; break; fi
  done
fi
if [ -z "$py" ] || ! "$py" -c "$ok" 2>/dev/null; then
  echo "Empathy needs Python 3.11 or newer to run (found: ${py:-none}); add actions/setup-python with" \
       "python-version 3.11+ before this action, or set the action's empathy-python input" >&2
  exit 2
fi
"$py" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SOURCE"
echo "empathy=$VENV/bin/empathy" >>"$GITHUB_OUTPUT"

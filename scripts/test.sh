#!/usr/bin/env bash
# Quick start 2: set up everything (pip, npm, apt) and run every test: Python unit + LSP tests, the
# extension's unit tests, and the end-to-end test in real VS Code (code-server + Chromium).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup-system.sh
scripts/setup-python.sh
scripts/e2e-setup.sh
npm run build
npm run package
mkdir -p test-artifacts
# Dead code stays out: vulture with the allow-list and settings in pyproject.toml ([tool.vulture]).
.venv/bin/vulture
# Two or more workers (pytest-xdist), one test file per worker at a time: module fixtures are built once.
.venv/bin/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile --durations=20 "$@"
npm test
EMPATHY_E2E_PACKAGED=1 EMPATHY_E2E_PYTHON="$ROOT/.venv/bin/python" npm run test:e2e
# The docs site, after the end-to-end run so its screenshots are in it; --strict: a broken link fails.
NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true .venv/bin/mkdocs build --strict -d test-artifacts/site

#!/usr/bin/env bash
# Quick start 1: set up, then run release preparation on the bundled sample project.
# The sample is deliberately not release-ready, so the verdict is NOT APPROVED (the CLI's exit code 1);
# this script exits 0 when a verdict was produced and passes any other failure through.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup-system.sh"
"$ROOT/scripts/setup-python.sh" || exit $?
"$ROOT/.venv/bin/empathy" orchestrate release-prep --project-root "$ROOT/examples/sample-project" "$@"
code=$?
[ "$code" -le 1 ] && exit 0 || exit "$code"

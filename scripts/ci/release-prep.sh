#!/usr/bin/env bash
# The GitHub Action's run step (action.yml): `empathy orchestrate release-prep --json --sarif` with the
# action's inputs, which arrive as environment variables (never interpolated into the script: a branch name
# or an input cannot become shell code). It always exits 0 so the summary and the SARIF upload still run;
# the verdict (0 approved, 1 not approved, 2 could not run) is the step output `exit-code`, and the last
# step of the action exits with it.
#
# Inputs: EMPATHY (the empathy command), PROJECT_ROOT, PROJECT_PYTHON (interpreter of the project's tests;
# default: the python on PATH), MIN_COVERAGE, MIN_QUALITY, MAX_CRITICAL, MIN_DOC_COVERAGE (empty: the
# default), SARIF (file to write; empty: none), EXTRA_ARGS (more arguments, split on spaces), OUT_DIR
# (where report.json and stderr.txt go). Sharding: SHARD ("K/N") with SHARD_DIR (default OUT_DIR/shard-K-of-N)
# only stores the shard's results (no report, no SARIF; exit-code 0, or 2 when the shard could not run);
# MERGE (shard folders separated by spaces, glob patterns expanded) runs `orchestrate merge` instead, whose
# report, SARIF and verdict are those of one unsharded run. GitHub's GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files receive the
# outputs and, when Empathy could not run, the reason.
set -uo pipefail
: "${EMPATHY:?}" "${OUT_DIR:?}" "${GITHUB_OUTPUT:?}"
mkdir -p "$OUT_DIR"
report="$OUT_DIR/report.json"
errors="$OUT_DIR/stderr.txt"

python="${PROJECT_PYTHON:-$(command -v python || command -v python3 || true)}"
gates() {
  [ -n "${MIN_COVERAGE:-}" ] && args+=(--min-coverage "$MIN_COVERAGE")
  [ -n "${MIN_QUALITY:-}" ] && args+=(--min-quality "$MIN_QUALITY")
  [ -n "${MAX_CRITICAL:-}" ] && args+=(--max-critical "$MAX_CRITICAL")
  [ -n "${MIN_DOC_COVERAGE:-}" ] && args+=(--min-doc-coverage "$MIN_DOC_COVERAGE")
  [ -n "${SARIF:-}" ] && args+=(--sarif "$SARIF")
}
shard_dir=""
if [ -n "${MERGE:-}" ]; then
  read -r -a patterns <<<"$MERGE"
  dirs=()
  shopt -s nullglob
  for pattern in "${patterns[@]}"; do
    # Globbing wanted (artifact folders); the words are already split, and $(...) in a value stays text.
    # shellcheck disable=SC2206
    matches=($pattern)
    if [ ${#matches[@]} -gt 0 ]; then dirs+=("${matches[@]}"); else dirs+=("$pattern"); fi
  done
  shopt -u nullglob
  args=(orchestrate merge "${dirs[@]}" --project-root "${PROJECT_ROOT:-.}" --json)
  gates
elif [ -n "${SHARD:-}" ]; then
  shard_dir="${SHARD_DIR:-$OUT_DIR/shard-${SHARD//\//-of-}}"
  args=(orchestrate release-prep --project-root "${PROJECT_ROOT:-.}" --json --shard "$SHARD" --shard-dir "$shard_dir")
else
  args=(orchestrate release-prep --project-root "${PROJECT_ROOT:-.}" --json)
  gates
fi
[ -n "$python" ] && args+=(--python "$python")
read -r -a extra <<<"${EXTRA_ARGS:-}"
args+=("${extra[@]}")

"$EMPATHY" "${args[@]}" >"$report" 2>"$errors"
code=$?
cat "$errors" >&2
{
  echo "exit-code=$code"
  if [ -n "$shard_dir" ]; then
    # A shard's verdict is the merge's: its JSON is a receipt, not a report for the summary step.
    echo "approved="
    echo "report="
    echo "sarif="
    if [ "$code" -eq 0 ]; then echo "shard-dir=$shard_dir"; else echo "shard-dir="; fi
  else
    case $code in 0) echo "approved=true" ;; 1) echo "approved=false" ;; *) echo "approved=" ;; esac
    if [ "$code" -le 1 ] && [ -s "$report" ]; then echo "report=$report"; else echo "report="; fi
    if [ "$code" -le 1 ] && [ -n "${SARIF:-}" ] && [ -f "$SARIF" ]; then echo "sarif=$SARIF"; else echo "sarif="; fi
  fi
} >>"$GITHUB_OUTPUT"
if [ "$code" -gt 1 ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "## ⚠️ Empathy release prep could not run (exit $code)"
    echo
    echo '```'
    tail -n 20 "$errors"
    echo '```'
  } >>"$GITHUB_STEP_SUMMARY"
fi
exit 0

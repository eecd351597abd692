"""Release prep and `fix` on a real project with generated Unicode tables (issue 23 §5).

Project: the `idna` sdist from PyPI (downloaded once into test-artifacts/bench/): idna/idnadata.py (4,243
lines) and idna/uts46data.py (8,681 lines) are generated tables, on which radon's maintainability index
takes minutes of CPU (idnadata.py: 200 s measured on a loaded 2-CPU machine); before the per-file time
limit, `fix` took 11 minutes and release prep did not finish in 4.5 minutes. Goal: each under 60 s.

Each command runs as a user runs it (`python -m empathy_os ...` in a fresh copy, no cache, no API key),
wall and CPU time (ours and our children's) measured; the files skipped for the time limit are read from
the JSON report. A row runs idna's own test suite by hand: `fix` runs it for every change it verifies,
so on a loaded machine its wall time sets the scale of fix's (CPU time is the figure a busy machine does
not inflate). `--old DIR` runs the same commands with another checkout's `server/` (e.g. a worktree of
an older commit) for comparison, cut at --limit seconds.

    .venv/bin/python bench/big_tables_bench.py [--old DIR] [--limit 300]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analyzers_bench import fresh_copy, prepare_sdist

IDNA = "idna==3.10"
GOAL = 60.0
COMMANDS = {"release-prep": ["-m", "empathy_os", "orchestrate", "release-prep", "--no-cache", "--json"],
            "fix": ["-m", "empathy_os", "orchestrate", "fix", "--json"]}
# idna's own suite, as its user runs it: `fix` runs it once per change verified, so it sets the scale.
BY_HAND = {"pytest by hand": ["-m", "pytest", "-q", "-p", "no:cacheprovider"]}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv: list[str], src: Path, server: Path | None, limit: float) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    if server is not None:
        env["PYTHONPATH"] = str(server)
    with tempfile.TemporaryDirectory(prefix="big-tables-bench-") as tmp:
        root = fresh_copy(src, Path(tmp))
        cpu, started = children_cpu(), time.perf_counter()
        try:
            cmd = [sys.executable, *argv] + (["--project-root", str(root)] if "empathy_os" in argv else [])
            proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env, timeout=limit, check=False)
        except subprocess.TimeoutExpired:
            return {"wall": None, "cpu": None, "rc": "timeout", "over_limit": "-"}
        wall, used = time.perf_counter() - started, children_cpu() - cpu
    try:
        notes = json.loads(proc.stdout).get("notes") or []
    except json.JSONDecodeError:  # pytest's own output
        notes = []
    over = sorted({name.strip() for n in notes if "file_timeout" in n for name in n.split("):", 1)[1].split(",")})
    return {"wall": wall, "cpu": used, "rc": proc.returncode, "over_limit": ", ".join(over) or "-"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, help="another checkout: its server/ is used for a second row")
    parser.add_argument("--limit", type=float, default=300.0, help="seconds before a run is cut (default 300)")
    args = parser.parse_args()
    src = prepare_sdist(IDNA)
    variants = [("this checkout", None)] + ([("old: " + str(args.old), args.old / "server")] if args.old else [])
    print(f"{'code':<28}{'command':<14}{'wall s':>8}{'cpu s':>8}{'exit':>9}  {'goal':<6}files over the time limit")
    for label, server in variants:
        for command, argv in {**COMMANDS, **(BY_HAND if server is None else {})}.items():
            r = run(argv, src, server, args.limit)
            wall = f"{r['wall']:.1f}" if r["wall"] is not None else f">{args.limit:.0f}"
            cpu = f"{r['cpu']:.1f}" if r["cpu"] is not None else "-"
            ok = "-" if command in BY_HAND else "ok" if r["wall"] is not None and r["wall"] < GOAL else "MISSED"
            print(f"{label[:27]:<28}{command:<14}{wall:>8}{cpu:>8}{r['rc']!s:>9}  {ok:<6}{r['over_limit']}", flush=True)


if __name__ == "__main__":
    main()

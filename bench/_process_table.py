"""Issue 14's table: release prep as the user runs it (a process, start-up included) against the
project's suite under coverage alone (`coverage run -m pytest`, also a process), on real projects.

For each project, each repetition runs, interleaved (background load hits all alike):
1. `python -m coverage run -m pytest -q -p no:cacheprovider` in the project (data file in a temp folder);
2. `empathy orchestrate release-prep --json --python P` with an empty cache (cold);
3. the same command again, nothing changed (the unchanged re-run, served from the cache).
Wall time (best of N) and the CPU time of the process and its children (user + sys) are printed, with the
cold run's breakdown by agent (each agent's own duration, from the report). No API key: no model call.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, subprocess.CompletedProcess]:
    cpu, started = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, _children_cpu() - cpu, proc


def measure(label: str, root: Path, python: str, repeat: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    hand, cold, rerun, breakdown, notes = [], [], [], {}, []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="empathy-bench-cov-") as tmp:
            wall, cpu, proc = timed([python, "-m", "coverage", "run", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                                    root, {**env, "COVERAGE_FILE": str(Path(tmp) / ".coverage")})
            if proc.returncode not in (0, 1):
                notes.append(f"coverage run -m pytest exit {proc.returncode}: {proc.stdout[-200:]}")
            hand.append((wall, cpu))
        shutil.rmtree(root / ".empathy", ignore_errors=True)
        cmd = [sys.executable, "-m", "empathy_os", "orchestrate", "release-prep", "--project-root", str(root),
               "--json", "--python", python]
        wall, cpu, proc = timed(cmd, root.parent, env)
        report = json.loads(proc.stdout)
        cold.append((wall, cpu))
        if wall == min(w for w, _ in cold):
            breakdown = {a["id"]: a["duration_seconds"] for a in report["agents"]}
            breakdown["report (whole run, in process)"] = report["duration_seconds"]
            metrics = report["metrics"]
        wall, cpu, proc = timed(cmd, root.parent, env)
        again = json.loads(proc.stdout)
        if not all(a["cached"] for a in again["agents"]):
            notes.append("the unchanged re-run was not fully served from the cache")
        rerun.append((wall, cpu))
    shutil.rmtree(root / ".empathy", ignore_errors=True)
    best = {name: (min(w for w, _ in runs), min(c for _, c in runs))
            for name, runs in (("hand", hand), ("cold", cold), ("rerun", rerun))}
    return {"label": label, "best": best, "breakdown": breakdown, "metrics": metrics, "notes": sorted(set(notes))}


def print_rows(results: list[dict], repeat: int) -> None:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n## Release prep vs the suite under coverage alone (processes, best of {repeat}, "
          f"{os.cpu_count()} CPUs, load average now {load})\n")
    print("| project | `coverage run -m pytest` alone | release prep cold | ratio (goal ≤ 1.15) "
          "| unchanged re-run | re-run ÷ cold (goal ≤ 0.10) | CPU s: alone / cold / re-run |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        (hw, hc), (cw, cc), (rw, rc) = r["best"]["hand"], r["best"]["cold"], r["best"]["rerun"]
        print(f"| {r['label']} | {hw:.2f} s | {cw:.2f} s | {cw / hw:.2f} | {rw:.2f} s | {rw / cw:.2f} "
              f"| {hc:.2f} / {cc:.2f} / {rc:.2f} |")
    for r in results:
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in r["breakdown"].items())
        print(f"\n{r['label']} cold breakdown: {parts}")
        print(f"{r['label']} metrics: coverage {r['metrics'].get('coverage_percent')}, "
              f"tests passed {r['metrics'].get('tests_passed')}")
        for note in r["notes"]:
            print(f"note: {note}")

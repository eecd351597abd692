"""Issue 14's table: release prep as the user runs it (a process, start-up included) against the
project's suite under coverage alone (`coverage run -m pytest`, also a process), on real projects.

For each project, each repetition runs, interleaved (background load hits all alike):
1. `python -m coverage run -m pytest -q -p no:cacheprovider` in the project (data file in a temp folder);
2. `empathy orchestrate release-prep --json --python P` with an empty cache (cold);
3. the same command again, nothing changed (the unchanged re-run, served from the cache).
Wall time (best of N) and the CPU time of the process and its children (user + sys) are printed, with the
cold run's breakdown: start-up (process start and imports, until the workflow's clock starts), each agent's
own duration (from the report; they run in parallel), and the whole run in process. No API key: no model
call. The re-run column says whether the stored report was replayed (app/replay.py) or the workflow ran.
`parallel_too` adds a cold release prep with `[tool.empathy] parallel_tests = 2` (on a copy) to quote
pytest-xdist's two workers against the run as it is (on 2 CPUs: serial, see analyzers/parallel_tests.py).

Release prep keeps the test run's bytecode in the user's cache folder (`~/.cache/empathy/pycache`), kept
across runs: "cold" is an empty `.empathy/` (no stored result), not a machine that never ran it; the first
repetition may fill that bytecode cache, best of N takes the later ones. So "alone" is measured twice:
as the environment runs it, and with its own warm bytecode cache (PYTHONPYCACHEPREFIX), for the fair ratio.

Empathy's own bytecode is compiled first (`compileall`, as `pip install` does): this machine sets
PYTHONDONTWRITEBYTECODE=1, and without .pyc files every start compiled all of Empathy (~0.2 s).
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


def parallel_copy(root: Path) -> Path:
    """A copy of the project whose [tool.empathy] asks for two pytest-xdist workers."""
    dest = root.parent / (root.name + "-xdist")
    if not dest.exists():
        shutil.copytree(root, dest)
        with (dest / "pyproject.toml").open("a", encoding="utf-8") as fh:
            fh.write("\n[tool.empathy]\nparallel_tests = 2\n")
    return dest


def measure(label: str, root: Path, python: str, repeat: int, parallel_too: bool = False) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    hand, hand_pyc, cold, rerun, parallel, breakdown, notes, loads = [], [], [], [], [], {}, [], []
    replayed = set()
    by_hand = [python, "-m", "coverage", "run", "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    pyc_env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="empathy-bench-pyc-") as prefix:
        pyc_env["PYTHONPYCACHEPREFIX"] = prefix
        with tempfile.TemporaryDirectory(prefix="empathy-bench-cov-") as tmp:  # fills the bytecode cache
            timed(by_hand, root, {**pyc_env, "COVERAGE_FILE": str(Path(tmp) / ".coverage")})
        for _ in range(repeat):
            loads.append(os.getloadavg()[0])
            for runs, run_env in ((hand, env), (hand_pyc, pyc_env)):
                with tempfile.TemporaryDirectory(prefix="empathy-bench-cov-") as tmp:
                    wall, cpu, proc = timed(by_hand, root, {**run_env, "COVERAGE_FILE": str(Path(tmp) / ".coverage")})
                    if proc.returncode not in (0, 1):
                        notes.append(f"coverage run -m pytest exit {proc.returncode}: {proc.stdout[-200:]}")
                    runs.append((wall, cpu))
            _release_prep(root, python, env, parallel_too, cold, rerun, parallel, breakdown, notes, replayed)
    shutil.rmtree(root / ".empathy", ignore_errors=True)
    best = {name: (min(w for w, _ in runs), min(c for _, c in runs))
            for name, runs in (("hand", hand), ("hand_pyc", hand_pyc), ("cold", cold), ("rerun", rerun),
                               ("parallel", parallel)) if runs}
    return {"label": label, "best": best, "breakdown": breakdown, "metrics": breakdown.pop("metrics", {}),
            "notes": sorted(set(notes)), "loads": loads, "replayed": replayed}


def _release_prep(root: Path, python: str, env: dict[str, str], parallel_too: bool, cold: list, rerun: list,
                  parallel: list, breakdown: dict, notes: list, replayed: set) -> None:
    """One cold release prep (empty .empathy/), the unchanged re-run, and the xdist variant if asked."""
    shutil.rmtree(root / ".empathy", ignore_errors=True)
    cmd = [sys.executable, "-m", "empathy_os", "orchestrate", "release-prep", "--project-root", str(root),
           "--json", "--python", python]
    wall, cpu, proc = timed(cmd, root.parent, env)
    report = json.loads(proc.stdout)
    cold.append((wall, cpu))
    if wall == min(w for w, _ in cold):
        breakdown.clear()
        breakdown["start-up (imports)"] = wall - report["duration_seconds"]
        breakdown.update({a["id"]: a["duration_seconds"] for a in report["agents"]})
        breakdown["workflow (in process)"] = report["duration_seconds"]
        breakdown["metrics"] = report["metrics"]
        notes += [n for n in report["notes"] if "parallel" in n or "serially" in n]
    wall, cpu, proc = timed(cmd, root.parent, env)
    again = json.loads(proc.stdout)
    if not all(a["cached"] for a in again["agents"]):
        notes.append("the unchanged re-run was not fully served from the cache")
    replayed.add(any(n.startswith("nothing changed since the release prep") for n in again["notes"]))
    rerun.append((wall, cpu))
    if parallel_too:
        other = parallel_copy(root)
        shutil.rmtree(other / ".empathy", ignore_errors=True)
        wall, cpu, proc = timed([*cmd[:6], str(other), *cmd[7:]], root.parent, env)
        parallel.append((wall, cpu))
        with_xdist = json.loads(proc.stdout)
        notes += [n for n in with_xdist["notes"] if "parallel" in n]
        if with_xdist["metrics"].get("coverage_percent") != report["metrics"].get("coverage_percent"):
            notes.append(f"coverage with xdist {with_xdist['metrics'].get('coverage_percent')} differs from "
                         f"{report['metrics'].get('coverage_percent')}")


def print_rows(results: list[dict], repeat: int) -> None:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n## Release prep vs the suite under coverage alone (processes, best of {repeat}, "
          f"{os.cpu_count()} CPUs, load average now {load})\n")
    print("| project | `coverage run -m pytest` alone | release prep cold | ratio (goal ≤ 1.15) "
          "| alone, bytecode cached | ratio to it | unchanged re-run | re-run ÷ cold (goal ≤ 0.10) "
          "| CPU s: alone / cold / re-run | load avg (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        (hw, hc), (cw, cc), (rw, rc) = r["best"]["hand"], r["best"]["cold"], r["best"]["rerun"]
        pw = r["best"]["hand_pyc"][0]
        loads = "–".join(f"{x:.1f}" for x in (min(r["loads"]), max(r["loads"])))
        print(f"| {r['label']} | {hw:.2f} s | {cw:.2f} s | {cw / hw:.2f} | {pw:.2f} s | {cw / pw:.2f} | {rw:.2f} s "
              f"| {rw / cw:.2f} | {hc:.2f} / {cc:.2f} / {rc:.2f} | {loads} |")
    print("\n'alone' runs as this environment says (PYTHONDONTWRITEBYTECODE=1 here: every run compiles the "
          "project and rewrites its test modules again). 'alone, bytecode cached' is the same command with "
          "a warm PYTHONPYCACHEPREFIX, the fastest a by-hand run gets; release prep caches bytecode the same "
          "way, outside the project (`bytecode_cache`, on by default).")
    for r in results:
        if "parallel" in r["best"]:
            (pw, pc), (cw, cc) = r["best"]["parallel"], r["best"]["cold"]
            print(f"\n{r['label']}: release prep cold with 2 xdist workers (parallel_tests = 2) {pw:.2f} s wall, "
                  f"{pc:.2f} s CPU; as run {cw:.2f} s wall, {cc:.2f} s CPU; the same coverage figure unless a "
                  f"note says otherwise")
    for r in results:
        how = {True: "replayed the stored report", False: "ran the workflow (analyzers' caches)"}
        print(f"\n{r['label']} unchanged re-run: " + " / ".join(how[x] for x in sorted(r["replayed"])))
        parts = ", ".join(f"{k} {v:.2f} s" for k, v in r["breakdown"].items())
        print(f"\n{r['label']} cold breakdown: {parts}")
        print(f"{r['label']} metrics: coverage {r['metrics'].get('coverage_percent')}, "
              f"tests passed {r['metrics'].get('tests_passed')}")
        for note in r["notes"]:
            print(f"note: {note}")

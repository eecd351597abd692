"""Verification cost per change: one copy and one baseline per project, then each of ruff's fixes verified.

    .venv/bin/python bench/verify_bench.py                                  # the sample + iso8601 2.1.0
    .venv/bin/python bench/verify_bench.py --sdist /work/projects/sdists/tomli-2.0.2.tar.gz --max-changes 5
    .venv/bin/python bench/verify_bench.py --python /path/to/venv/bin/python   # iso8601's tests need pytz

Per project: the time to make the private copy (`open`), the baseline suite run (measured once, paid by
the first change), and for each change the wall time of its verification (git apply, ruff + bandit on the
touched files, the suite under coverage, restoring the copy). `per change` excludes the baseline, which
several changes share. Nothing is written to the projects (the verifier works in its copy). Offline: no
model is called. Timings are wall clock on a shared machine: the load average is printed with the table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-project"
DEFAULT_SDISTS = [Path("/work/projects/sdists/iso8601-2.1.0.tar.gz")]


def extract(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return next(p for p in into.iterdir() if p.is_dir())


async def bench(root: Path, max_changes: int, python: str | None = None) -> dict:
    from empathy_os.changes import ruff_fixes
    from empathy_os.changes.engine import Verifier

    started = time.perf_counter()
    async with Verifier.for_project(root, python=python) as verifier:
        opened = time.perf_counter() - started
        t = time.perf_counter()
        base = await verifier.baseline()
        baseline = time.perf_counter() - t
        findings = await ruff_fixes.current_findings(verifier)
        t = time.perf_counter()
        changes, _ = await ruff_fixes.propose(verifier, findings)
        propose = time.perf_counter() - t
        times, verified, static_rejects = [], 0, 0
        for change in changes[:max_changes]:
            verdict = await verifier.verify(change)
            times.append(verdict.duration_seconds)
            verified += verdict.verified
            static_rejects += not any(c.name == "tests" for c in verdict.checks)
    return {
        "project": root.name, "sources": len(verifier.sources),
        "tests": len(base.outcomes) if base else 0, "open": opened, "baseline": baseline,
        "fixable": sum(1 for f in findings if f.extra.get("fixable")), "changes": len(changes),
        "propose": propose, "verified": verified, "tried": len(times), "static": static_rejects,
        "mean": statistics.mean(times) if times else None, "best": min(times) if times else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", action="append", type=Path, help="an sdist with its tests (repeatable)")
    parser.add_argument("--max-changes", type=int, default=5, help="changes verified per project (default 5)")
    parser.add_argument("--python", help="interpreter with the sdists' test dependencies (default: ours)")
    args = parser.parse_args()
    os.environ.pop("ANTHROPIC_API_KEY", None)  # offline figures only
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as tmp:
        roots = [Path(tmp) / "sample-project"]
        shutil.copytree(SAMPLE, roots[0])
        for archive in args.sdist or [p for p in DEFAULT_SDISTS if p.exists()]:
            where = Path(tmp) / archive.name
            where.mkdir()
            roots.append(extract(archive, where))
        rows = [asyncio.run(bench(root, args.max_changes, None if root == roots[0] else args.python))
                for root in roots]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    head = (f"{'project':<22}{'src':>5}{'tests':>7}{'open s':>8}{'baseline s':>12}{'fixable':>9}"
            f"{'changes':>9}{'propose s':>11}{'verified':>10}{'per change s (mean/best)':>26}")
    print(head)
    print("-" * len(head))
    for r in rows:
        per = f"{r['mean']:.2f} / {r['best']:.2f}" if r["mean"] is not None else "n/a"
        print(f"{r['project']:<22}{r['sources']:>5}{r['tests']:>7}{r['open']:>8.2f}{r['baseline']:>12.2f}"
              f"{r['fixable']:>9}{r['changes']:>9}{r['propose']:>11.2f}{r['verified']:>5}/{r['tried']:<4}"
              f"{per:>26}")
    print("per change: git apply + ruff/bandit on the touched files + the suite under coverage + restore; "
          "the baseline is paid once per project")


if __name__ == "__main__":
    main()

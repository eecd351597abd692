"""Coverage boost, offline (no model): points gained, wall time, kept/tried, stage timings, mutants killed,
points per minute, and whether the kept tests pass 10 plain `pytest` runs, on real projects; plus the
cost of the OS sandbox (bubblewrap) per process start.

    .venv/bin/python bench/coverage_boost_bench.py                    # sample + parse from PyPI
    .venv/bin/python bench/coverage_boost_bench.py --pypi six==1.16.0 --pypi boltons==24.1.0:boltons/strutils.py

Each project is copied (the sample) or downloaded as an sdist with its tests (`pip download --no-binary
:all: --no-deps`), and runs in its own fresh virtualenv holding only pytest, coverage and hypothesis, so
plugins of our own environment cannot change how its suite behaves. Nothing is written back anywhere:
the run uses `write=False`. A `NAME==VER:FILE` argument restricts the run to one file (`--only`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-project"
TEST_DEPS = ["pytest", "coverage", "hypothesis[ghostwriter]"]


def make_venv(where: Path) -> str:
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    python = str(where / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *TEST_DEPS],
                   check=True)
    return python


def fetch_sdist(spec: str, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    if Path(spec).is_file():  # a local sdist
        shutil.copy(spec, into)
    else:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps",
                        "--disable-pip-version-check", "-d", str(into), spec],
                       check=True, stderr=subprocess.DEVNULL)
    archive = next(p for p in into.iterdir() if p.name.endswith((".tar.gz", ".zip")))
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return next(p for p in into.iterdir() if p.is_dir())


async def boost(root: Path, python: str, only: str | None):
    from empathy_os.workflows.test_coverage_boost import TestCoverageBoostWorkflow

    env_key = os.environ.pop("ANTHROPIC_API_KEY", None)  # offline figures only
    try:
        started = time.perf_counter()
        # Written into the bench's own copy only, so the kept tests can be run by plain pytest below.
        report = await TestCoverageBoostWorkflow(target=100, max_iterations=1).execute(
            root, only=only, write=True, python=python)
        return report, time.perf_counter() - started
    finally:
        if env_key is not None:
            os.environ["ANTHROPIC_API_KEY"] = env_key


def plain_runs(root: Path, python: str, written: list[str], n: int = 10) -> str:
    """The whole suite with the kept tests, `n` plain `python -m pytest` runs: how many passed."""
    if not written:
        return "-"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    ok = sum(subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=root, env=env,
                            capture_output=True, check=False, timeout=900).returncode == 0 for _ in range(n))
    return f"{ok}/{n}"


def sandbox_cost(python: str, n: int = 7) -> list[str]:
    """Best of n: `python -c pass` and the sample's suite, in the sandbox with and without bubblewrap."""
    from empathy_os.testgen import sandbox as sb

    lines = []
    for label, cmd in (("python -c pass", [python, "-c", "pass"]), ("sample suite (pytest)", None)):
        best = {}
        for mode in ("bubblewrap", "no OS sandbox"):
            if mode == "no OS sandbox":
                os.environ["EMPATHY_BWRAP"] = "none"
            try:
                box = sb.Sandbox.create(SAMPLE, python)
                if mode == "bubblewrap" and not box.isolation.os_sandbox:
                    best[mode] = None
                    box.cleanup()
                    continue
                run = cmd or [python, *box.pytest_args(1)]
                times = []
                for _ in range(n):
                    started = time.perf_counter()
                    asyncio.run(box.run(run))
                    times.append(time.perf_counter() - started)
                best[mode] = min(times)
                box.cleanup()
            finally:
                os.environ.pop("EMPATHY_BWRAP", None)
        if best.get("bubblewrap") is None:
            lines.append(f"{label}: bubblewrap unusable here ({sb.isolation().description})")
        else:
            cost = best["bubblewrap"] - best["no OS sandbox"]
            lines.append(f"{label}: {best['bubblewrap'] * 1000:.0f} ms in bubblewrap, "
                         f"{best['no OS sandbox'] * 1000:.0f} ms without: {cost * 1000:+.0f} ms per run")
    return lines


def row(name: str, report, wall: float, plain: str) -> list[str]:
    if report.refused:
        return [name, "-", "-", "-", "0", "0", "-", "-", "-", f"refused: {report.refused[:60]}", "-", f"{wall:.1f}"]
    before, after = report.coverage_before or 0.0, report.coverage_after or 0.0
    tried, kept = len(report.verdicts), len(report.kept)
    rejected = ", ".join(f"{k} {v}" for k, v in sorted(report.rejected.items())) or "-"
    totals = report.mutation_totals()
    killed = (f"{totals['mutants_killed']}/{totals['mutants_made']}"
              f" ({totals['mutants_killed'] / totals['mutants_made']:.0%})" if totals["mutants_made"] else "-")
    stages = "/".join(f"{report.timings.get(k, 0):.0f}" for k in ("baseline", "generation", "validation",
                                                                   "final_suite"))
    return [name, f"{before:.1f}", f"{after:.1f}", f"{after - before:+.1f}", f"{(after - before) * 60 / wall:.1f}",
            str(tried), str(kept), killed, plain, rejected, stages, f"{wall:.1f}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pypi", action="append", metavar="NAME==VERSION[:FILE]",
                        help="sdist to benchmark (repeatable; default parse==1.20.2)")
    parser.add_argument("--no-sample", action="store_true", help="skip the bundled sample project")
    parser.add_argument("--no-sandbox-cost", action="store_true", help="skip the sandbox cost measurement")
    args = parser.parse_args()
    specs = args.pypi or ["parse==1.20.2"]
    rows = []
    with tempfile.TemporaryDirectory(prefix="empathy-boost-bench-") as tmp:
        base = Path(tmp)
        print("creating a clean virtualenv with", ", ".join(TEST_DEPS), "...", file=sys.stderr)
        python = make_venv(base / "venv")
        if not args.no_sample:
            root = base / "sample"
            shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".empathy", "__pycache__", ".coverage*"))
            report, wall = asyncio.run(boost(root, python, None))
            rows.append(row("sample-project (inventory)", report, wall, plain_runs(root, python, report.written)))
        for n, spec in enumerate(specs):
            name, _, only = spec.partition(":")
            label = Path(name).name.removesuffix(".tar.gz") if Path(name).is_file() else name
            print(f"downloading {name} ...", file=sys.stderr)
            root = fetch_sdist(name, base / f"pypi-{n}")
            if (root / "src").is_dir():  # src layout: installed editable, as its developers work
                subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--disable-pip-version-check",
                                "-e", str(root)], check=True)
            report, wall = asyncio.run(boost(root, python, only or None))
            rows.append(row(f"{label}" + (f" ({only})" if only else ""), report, wall,
                            plain_runs(root, python, report.written)))
        cost = [] if args.no_sandbox_cost else sandbox_cost(python)
    header = ["project", "before %", "after %", "gain", "pts/min", "tried", "kept", "mutants killed",
              "10 plain runs", "rejected", "base/gen/val/final s", "wall s"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    for line in cost:
        print("sandbox cost (best of 7):", line)
    print(f"\nmachine: {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}; coverage = coverage.py TOTAL (statements, + branches if the "
          "project enables them) measured by the coverage analyzer before and after, same scope.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Analyzer wall times: each tool alone, the release-prep tools one after another, and release prep itself.

Projects:
- sample: a copy of examples/sample-project, tests run by this venv's interpreter;
- toolz: the `toolz` sdist from PyPI (it ships its tests and a [tool.coverage] config), tests run by a
  small venv holding only pytest + coverage (our venv's pytest-asyncio warns at start-up, and toolz turns
  warnings into errors). Downloaded once into test-artifacts/bench/.

For every figure: best (minimum) wall time of --repeat interleaved runs (the machine may be shared). "cold" = empty cache; "cached" = unchanged re-run.
Release prep = OrchestratedReleasePrepWorkflow (four agents in parallel, no model: ANTHROPIC_API_KEY unset).
Goals: release prep cold / slowest single tool <= 1.15; cached re-run / cold <= 0.10.

The process table (issue 14; see bench/_process_table.py) adds more-itertools from PyPI and compares
release prep as a user runs it with `coverage run -m pytest` alone.

    .venv/bin/python bench/analyzers_bench.py [--repeat 3] [--only sample|toolz|more-itertools]
                                              [--mode tools|process|all]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "server"))

from empathy_os.analyzers import REGISTRY, run_analyzer
from empathy_os.analyzers.project import load_project

ARTIFACTS = REPO / "test-artifacts" / "bench"
TOOLZ = "toolz==1.2.0"
MORE_ITERTOOLS = "more-itertools==10.5.0"
RELEASE_TOOLS = ["coverage", "bandit", "ruff", "radon", "docstrings"]  # what the four release agents run
ALL_TOOLS = RELEASE_TOOLS + ["test_durations", "import_graph", "code_smells"]


def prepare_toolz() -> tuple[Path, str]:
    """The toolz sdist unpacked, and an interpreter with pytest + coverage for its tests."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    src = next((p for p in ARTIFACTS.glob("toolz-*") if p.is_dir()), None)
    if src is None:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", TOOLZ,
                        "-d", str(ARTIFACTS), "-q"], check=True)
        archive = next(ARTIFACTS.glob("toolz-*.tar.gz"))
        shutil.unpack_archive(archive, ARTIFACTS)
        src = next(p for p in ARTIFACTS.glob("toolz-*") if p.is_dir())
    venv = ARTIFACTS / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "pytest", "coverage"], check=True)
    return src, str(python)


def prepare_sdist(requirement: str) -> Path:
    """A pinned sdist from PyPI, unpacked once into test-artifacts/bench/ (its tests run in our venv)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = requirement.replace("==", "-").replace("-", "[-_]", 1)
    found = [p for p in ARTIFACTS.glob("*") if p.is_dir() and re.fullmatch(stem, p.name)]
    if found:
        return found[0]
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps", requirement,
                    "-d", str(ARTIFACTS), "-q"], check=True)
    name, version = requirement.split("==")
    archive = next(p for p in ARTIFACTS.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(
        f"{name}-{version}"))
    shutil.unpack_archive(archive, ARTIFACTS)
    return next(p for p in ARTIFACTS.glob("*") if p.is_dir() and re.fullmatch(stem, p.name))


def fresh_copy(src: Path, into: Path) -> Path:
    dest = into / src.name
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".empathy", "__pycache__", ".coverage*",
                                                             ".hypothesis", ".pytest_cache"))
    return dest


def clear_cache(root: Path) -> None:
    shutil.rmtree(root / ".empathy" / "cache", ignore_errors=True)


async def timed_tool(name: str, root: Path, python: str, use_cache: bool) -> tuple[float, object]:
    ctx = load_project(root, python=python)
    ctx.use_cache = use_cache
    started = time.perf_counter()
    result = await run_analyzer(name, ctx)
    return time.perf_counter() - started, result


async def timed_release(root: Path, python: str, use_cache: bool) -> tuple[float, object]:
    from empathy_os.workflows.orchestrated_release_prep import OrchestratedReleasePrepWorkflow

    started = time.perf_counter()
    report = await OrchestratedReleasePrepWorkflow().execute(root, python=python, use_cache=use_cache,
                                                            learn=False)
    return time.perf_counter() - started, report


async def bench_project(label: str, root: Path, python: str, repeat: int) -> dict:
    """Each repetition measures everything once, interleaved, so background load hits all figures alike."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in ALL_TOOLS}
    seq: list[float] = []
    release: list[tuple[float, float]] = []
    notes: list[str] = []
    metrics = None
    try:
        import empathy_os.workflows.orchestrated_release_prep  # noqa: F401

        have_release = True
    except ImportError as exc:
        have_release = False
        notes.append(f"release prep not available: {exc}")
    for _ in range(repeat):
        for name in ALL_TOOLS:
            clear_cache(root)
            cold, result = await timed_tool(name, root, python, True)
            if not result.ran:
                notes.append(f"{label}/{name} did not run: {result.error}")
            warm, again = await timed_tool(name, root, python, True)
            assert again.cached or not again.ran, f"{name} re-run was not served from cache"
            samples[name].append((cold, warm))
        clear_cache(root)
        started = time.perf_counter()
        for name in RELEASE_TOOLS:
            await timed_tool(name, root, python, True)
        seq.append(time.perf_counter() - started)
        if have_release:
            clear_cache(root)
            cold, _ = await timed_release(root, python, True)
            warm, report = await timed_release(root, python, True)
            release.append((cold, warm))
            metrics = report.metrics
            cached = {a for agent in report.agents for a in agent.cached}
            if cached != set(RELEASE_TOOLS):
                notes.append(f"{label}: unchanged re-run served only {sorted(cached)} from cache")
    best = min  # best of N: the least-disturbed run on a shared machine
    return {
        "label": label,
        "rows": {n: (best(c for c, _ in v), best(w for _, w in v)) for n, v in samples.items()},
        "sequential": best(seq),
        "release": (best(c for c, _ in release), best(w for _, w in release)) if release else None,
        "metrics": metrics,
        "notes": sorted(set(notes)),
    }


def print_table(res: dict) -> None:
    rows, label = res["rows"], res["label"]
    print(f"\n## {label}\n")
    print(f"| {'analyzer':<16} | {'cold s':>8} | {'cached s':>8} |")
    print(f"|{'-' * 18}|{'-' * 10}|{'-' * 10}|")
    for name, (cold, warm) in rows.items():
        star = "*" if name in RELEASE_TOOLS else " "
        print(f"| {name + star:<16} | {cold:8.3f} | {warm:8.3f} |")
    slowest_name = max(RELEASE_TOOLS, key=lambda n: rows[n][0])
    slowest = rows[slowest_name][0]
    print(f"\n(* = run by release prep) slowest release tool alone: {slowest_name} {slowest:.3f} s; "
          f"release tools one after another: {res['sequential']:.3f} s")
    if res.get("release"):
        cold, warm = res["release"]
        print("\n| release prep cold s | cached s | cold / slowest tool (goal <= 1.15) | cold / sum of tools "
              "| cached / cold (goal <= 0.10) |")
        print("|---|---|---|---|---|")
        print(f"| {cold:.3f} | {warm:.3f} | {cold / slowest:.3f} | {cold / res['sequential']:.3f} "
              f"| {warm / cold:.3f} |")
        print(f"\nmetrics: {res['metrics']}")
    for note in res["notes"]:
        print(f"note: {note}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["sample", "toolz", "more-itertools"])
    parser.add_argument("--mode", choices=["tools", "process", "all"], default="all")
    args = parser.parse_args()
    os.environ.pop("ANTHROPIC_API_KEY", None)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; registered analyzers: {', '.join(sorted(REGISTRY))}")
    if args.mode in ("process", "all"):
        process_table(args)
    if args.mode == "process":
        return
    with tempfile.TemporaryDirectory(prefix="empathy-bench-") as tmp:
        if args.only in (None, "sample"):
            root = fresh_copy(REPO / "examples" / "sample-project", Path(tmp))
            print_table(await bench_project("sample-project", root, sys.executable, args.repeat))
        if args.only in (None, "toolz"):
            src, python = prepare_toolz()
            root = fresh_copy(src, Path(tmp))
            print_table(await bench_project(f"{src.name} (PyPI sdist)", root, python, args.repeat))


def process_table(args: argparse.Namespace) -> None:
    from _process_table import measure, print_rows

    # As `pip install` does: this machine sets PYTHONDONTWRITEBYTECODE=1 (see _process_table's docstring).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "server" / "empathy_os")], check=True,
                   capture_output=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="empathy-bench-") as tmp:
        if args.only in (None, "sample"):
            root = fresh_copy(REPO / "examples" / "sample-project", Path(tmp))
            results.append(measure("sample-project", root, sys.executable, args.repeat))
        if args.only in (None, "toolz"):
            src, python = prepare_toolz()
            results.append(measure(f"{src.name} (PyPI)", fresh_copy(src, Path(tmp)), python, args.repeat))
        if args.only in (None, "more-itertools"):
            src = prepare_sdist(MORE_ITERTOOLS)
            results.append(measure(f"{src.name} (PyPI)", fresh_copy(src, Path(tmp)), sys.executable, args.repeat,
                                   parallel_too=True))
    print_rows(results, args.repeat)


if __name__ == "__main__":
    asyncio.run(main())

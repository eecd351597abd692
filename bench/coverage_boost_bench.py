"""Coverage boost, offline (no model), on real PyPI projects set up the way their users work.

    .venv/bin/python bench/coverage_boost_bench.py                 # the sample + the five pinned projects
    .venv/bin/python bench/coverage_boost_bench.py --project idna --no-sample
    .venv/bin/python bench/coverage_boost_bench.py --pypi six==1.16.0   # any other sdist (no test deps)

Each project is a pinned sdist (taken from /work/projects/sdists or `pip download --no-binary :all:
--no-deps`), extracted once into the cache folder with a `.venv` INSIDE the project holding the package
installed editable (`pip install -e .`, so src layouts are editable installs) plus its test dependencies.
The boost is NOT told which interpreter to use: it must find the project's `.venv` itself, and the table
says which one it used. Per project: coverage before/after (coverage.py TOTAL measured by the coverage
analyzer), kept tests / targets, mutants made/killed on the newly covered lines, whether the whole suite
with the kept tests passes 10 plain `python -m pytest` runs, stage timings and wall time. The kept tests
are written into the cached copy for the 10 runs, then removed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-project"
SDISTS = Path("/work/projects/sdists")
TOOLS = ["pytest", "coverage", "hypothesis[ghostwriter]"]

# name, pinned sdist, test dependencies (as the project's own tox/extras ask), --only (None: everything).
PROJECTS = [
    ("idna", "idna==3.10", [], None),  # tests/ of unittest classes
    ("iso8601", "iso8601==2.1.0", ["pytz"], None),  # tests inside the package
    ("text-unidecode", "text-unidecode==1.3", [], None),  # src layout, editable install
    ("parse", "parse==1.20.2", [], None),  # one module, one test module
    # pytest.ini; its conftest needs pytest < 8 (a `path` hookimpl); one module of many keeps it short.
    ("boltons", "boltons==24.1.0", ["pytest<8"], "boltons/strutils.py"),
]


def _run(cmd: list[str], **kw) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def fetch(spec: str, cache: Path) -> Path:
    """The extracted sdist folder for `name==version` (downloaded when not in SDISTS)."""
    name, _, version = spec.partition("==")
    archives = cache / "sdists"
    archives.mkdir(parents=True, exist_ok=True)
    stem = f"{name}-{version}"
    local = [p for p in (SDISTS, archives) for p in p.glob("*.tar.gz")
             if p.name.lower().replace("_", "-") == f"{stem}.tar.gz".lower()] if version else []
    if not local:
        _run([sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps",
              "--disable-pip-version-check", "-d", str(archives), spec])
        local = [p for p in archives.glob("*.tar.gz") if p.name.lower().replace("_", "-").startswith(stem.lower())]
    archive = local[0]
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/")[0]
        if not (cache / top).is_dir():
            tar.extractall(cache, filter="data")
    return cache / top


def user_venv(root: Path, deps: list[str], editable: bool = True) -> str:
    """`.venv` in the project: the package editable plus its test dependencies, as its developers have
    (the sample is imported from its root, as its own suite does, so it is not installed)."""
    python = root / ".venv" / "bin" / "python"
    if not python.exists():
        print(f"  setting up {root.name}/.venv ...", file=sys.stderr)
        _run([sys.executable, "-m", "venv", str(root / ".venv")])
        _run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
              *(["-e", str(root)] if editable else []), *TOOLS, *deps])
    return str(python)


async def boost(root: Path, python: str | None, only: str | None):
    from empathy_os.workflows.test_coverage_boost import TestCoverageBoostWorkflow

    env_key = os.environ.pop("ANTHROPIC_API_KEY", None)  # offline figures only
    try:
        started = time.perf_counter()
        report = await TestCoverageBoostWorkflow(target=100, max_iterations=1).execute(
            root, only=only, write=True, python=python)
        return report, time.perf_counter() - started
    finally:
        if env_key is not None:
            os.environ["ANTHROPIC_API_KEY"] = env_key


def plain_runs(root: Path, python: str, n: int = 10) -> str:
    """The whole suite with the kept tests, `n` plain `python -m pytest` runs: how many passed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    ok = sum(subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=root, env=env,
                            capture_output=True, check=False, timeout=900).returncode == 0 for _ in range(n))
    return f"{ok}/{n}"


def row(name: str, report, wall: float, plain: str) -> list[str]:
    interp = report.interpreter.split(" (", 1)
    used = f"{Path(interp[0]).parent.parent.name}/ ({interp[1].rstrip(')')})" if len(interp) == 2 else interp[0]
    if report.refused:
        return [name, "-", "-", "-", "-", "-", "-", "-", f"refused: {report.refused[:70]}", f"{wall:.1f}", used]
    before, after = report.coverage_before or 0.0, report.coverage_after or 0.0
    targets = report.target_results()
    totals = report.mutation_totals()
    killed = (f"{totals['mutants_killed']}/{totals['mutants_made']}"
              f" ({totals['mutants_killed'] / totals['mutants_made']:.0%})" if totals["mutants_made"] else "-")
    stages = "/".join(f"{report.timings.get(k, 0):.1f}" for k in ("baseline", "generation", "validation",
                                                                   "final_suite"))
    return [name, f"{before:.2f}", f"{after:.2f}", f"{after - before:+.2f}", f"{len(report.kept)}/{len(targets)}",
            killed, plain, stages, f"{(after - before) * 60 / wall:.2f}", f"{wall:.1f}", used]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", action="append", choices=[p[0] for p in PROJECTS],
                        help="only these of the pinned projects (repeatable; default: all)")
    parser.add_argument("--pypi", action="append", default=[], metavar="NAME==VERSION[:FILE]",
                        help="another sdist (no extra test dependencies)")
    parser.add_argument("--no-sample", action="store_true", help="skip the bundled sample project")
    parser.add_argument("--sample-only", action="store_true", help="only the bundled sample project")
    parser.add_argument("--repeat", type=int, default=1, help="runs per project (each row is one run)")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "empathy-boost-bench",
                        help="where sdists are extracted with their .venv (kept between runs)")
    args = parser.parse_args()
    chosen = [] if args.sample_only else [p for p in PROJECTS if not args.project or p[0] in args.project]
    chosen += [(s.partition(":")[0], s.partition(":")[0], [], s.partition(":")[2] or None) for s in args.pypi]
    rows = []
    if not args.no_sample:
        root = args.cache / "sample-project"
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".empathy", "__pycache__", ".coverage*"))
        python = user_venv(root, [], editable=False)
        rows += [run_one("sample-project", root, python, None) for _ in range(args.repeat)]
    for name, spec, deps, only in chosen:
        print(f"{name} ({spec}) ...", file=sys.stderr)
        root = fetch(spec, args.cache)
        python = user_venv(root, deps)
        rows += [run_one(f"{spec}" + (f" ({only})" if only else ""), root, python, only) for _ in range(args.repeat)]
    header = ["project", "before %", "after %", "gain", "kept/targets", "mutants killed", "10 plain runs",
              "base/gen/val/final s", "points/min", "wall s", "interpreter used (why)"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    print(f"\nmachine: {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}; coverage = coverage.py TOTAL "
          "(statements, plus branches when the project enables them) measured by the coverage analyzer before and "
          "after, same scope; mutants: "
          "made on the lines the kept tests newly cover, killed = the kept test fails on them.")
    return 0


def run_one(label: str, root: Path, python: str, only: str | None) -> list[str]:
    # The interpreter is not passed: the boost must find the project's .venv (the sample's too).
    report, wall = asyncio.run(boost(root, None, only))
    plain = "-"
    try:
        if report.written:
            plain = plain_runs(root, python)
    finally:
        for rel in report.written:
            (root / rel).unlink(missing_ok=True)
    return row(label, report, wall, plain)


if __name__ == "__main__":
    sys.exit(main())

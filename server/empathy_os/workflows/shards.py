"""Sharded release prep: the K-th of N shards of the test suite measured on one machine, N shards merged.

A shard runs whole test files under coverage (files split by recorded durations when the shard folder holds
a `durations.json` from a previous merge, else by count) and keeps its raw results in its folder: coverage.py's
own data file, pytest's JUnit report, and `shard.json` (K/N, the commit, the split, tool versions, the
analyzers' results). Shard 1 also runs every static analyzer of release prep; the others run only the tests.

The merge checks the shards belong together (every K of N exactly once, one commit, one split, one coverage
and pytest), combines the coverage data with coverage.py's own `combine` (path aliases map each shard's
copy of the project onto the merging one), unions the test outcomes, and hands every analyzer's result to
the release-prep workflow, which computes the report, gates and verdict as for one unsharded run.
Any mismatch is a `ShardError` (a ValueError: one line, exit 2) naming the shard.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from empathy_os import __version__, runners
from empathy_os.analyzers import run_analyzers
from empathy_os.analyzers._pytest import TestRun, isolated_env, pytest_args, read_junit
from empathy_os.analyzers.contract import AnalyzerResult, ProjectContext
from empathy_os.analyzers.coverage import last_error_line, measured_result, scope_args
from empathy_os.analyzers.project import all_py_files, load_project, oversized_files, source_files
from empathy_os.analyzers.specs import tools_of
from empathy_os.execution import run_project_code
from empathy_os.orchestration.agent_templates import get_template
from empathy_os.proc import isolated_python, run_tool
from empathy_os.workflows.orchestrated_release_prep import (
    RELEASE_AGENTS,
    OrchestratedReleasePrepWorkflow,
    ReleasePrepReport,
    check_usable,
)

FORMAT = 1
MANIFEST, DATA, JUNIT, DURATIONS = "shard.json", "coverage.data", "junit.xml", "durations.json"
CONFIG_FILES = ("pyproject.toml", "setup.cfg", "tox.ini", ".coveragerc", "pytest.ini", "setup.py")


class Manifest(BaseModel):
    """shard.json, as a merge reads it (written by run_shard)."""

    format: Literal[1]
    shard: int = Field(ge=1)
    of: int = Field(ge=1)
    commit: str
    root: str
    split: str
    test_files: list[str]
    kept: bool
    versions: dict[str, str]
    results: dict[str, AnalyzerResult]


class ShardError(ValueError):
    """Shards that cannot be run or merged; the message names the shard."""


@dataclass
class ShardRun:
    """What the coverage analyzer needs to run one shard: its test files, and where to keep the raw data."""

    tests: list[str]
    out: Path
    kept: bool = field(default=False)

    def keep(self, data_file: Path, junit: Path | None) -> None:
        shutil.copyfile(data_file, self.out / DATA)
        if junit is not None and junit.is_file():
            shutil.copyfile(junit, self.out / JUNIT)
        self.kept = True


def parse_shard(value: str) -> tuple[int, int]:
    """`K/N` with 1 ≤ K ≤ N → (K, N)."""
    k, sep, n = value.partition("/")
    if not (sep and k.strip().isdigit() and n.strip().isdigit()) or not 1 <= int(k) <= int(n):
        raise ShardError(f"--shard must be K/N with 1 ≤ K ≤ N (e.g. 2/3), got {value!r}")
    return int(k), int(n)


def release_analyzers() -> list[str]:
    """Every analyzer the release-prep agents run, once each, in their order."""
    return list(dict.fromkeys(t for a in RELEASE_AGENTS for t in tools_of(a, get_template(a).tools)))


def project_commit(ctx: ProjectContext) -> str:
    """`git rev-parse HEAD` in a git checkout, else a hash of the project's Python and config files."""
    if (ctx.root / ".git").exists():
        run = subprocess.run(["git", "-C", str(ctx.root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             check=False)
        if run.returncode == 0 and run.stdout.strip():
            return "git " + run.stdout.strip()
    digest = hashlib.sha256()
    files = all_py_files(ctx) + [ctx.root / n for n in CONFIG_FILES if (ctx.root / n).is_file()]
    for path in sorted(set(files)):
        digest.update(path.relative_to(ctx.root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256 " + digest.hexdigest()[:16]


async def collect_test_files(ctx: ProjectContext) -> list[str]:
    """The files pytest collects tests from (its own collection, the project's config), relative paths."""
    with tempfile.TemporaryDirectory(prefix="empathy-shard-") as tmpdir:
        tmp = Path(tmpdir)
        argv = runners.command(ctx.python, "pytest_main", *pytest_args(ctx, tmp, None), "--collect-only")
        run = await run_project_code(ctx, argv, ctx.root, timeout=900, env=isolated_env(tmp))
    files = set()
    for line in run.stdout.splitlines():
        if "::" in line and not line.startswith(" "):
            files.add(line.split("::", 1)[0])
        elif line.startswith("ERROR ") and line.split()[1].endswith(".py"):
            files.add(line.split()[1])  # a file that fails to collect is run too: its error counts
    if not files:
        why = last_error_line(run.stdout + run.stderr)
        raise ShardError(f"pytest collected no tests in {ctx.root} (exit {run.returncode}"
                         f"{': ' + why if why else ''}): nothing to shard")
    return sorted(files)


def split(files: list[str], n: int, durations: dict[str, float]) -> list[list[str]]:
    """Whole files into n shards, longest first onto the lightest shard (seconds when any are
    recorded, the mean of those for a new file; else one per file)."""
    known = [durations[f] for f in files if isinstance(durations.get(f), (int, float))]
    mean = sum(known) / len(known) if known else 1.0
    weight = {f: float(durations.get(f, mean)) if known else 1.0 for f in files}
    shards: list[list[str]] = [[] for _ in range(n)]
    load = [0.0] * n
    for f in sorted(files, key=lambda f: (-weight[f], f)):
        i = min(range(n), key=lambda i: (load[i], i))
        shards[i].append(f)
        load[i] += weight[f]
    return [sorted(s) for s in shards]


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ShardError(f"{what} {path} cannot be read: {getattr(exc, 'strerror', None) or exc}") from None


def _shard_folder(out: Path) -> dict[str, float]:
    """Create the shard folder (empty, or holding only a durations.json); the recorded durations."""
    if out.exists() and not out.is_dir():
        raise ShardError(f"--shard-dir {out} is a file")
    out.mkdir(parents=True, exist_ok=True)
    others = sorted(p.name for p in out.iterdir() if p.name != DURATIONS)
    if others:
        raise ShardError(f"--shard-dir {out} is not empty ({', '.join(others[:3])}): give a new folder")
    durations = _read_json(out / DURATIONS, "durations") if (out / DURATIONS).is_file() else {}
    return durations if isinstance(durations, dict) else {}


async def run_shard(root: str | Path, k: int, n: int, out: Path, *, python: str | None = None) -> dict[str, Any]:
    """Run shard k of n of `root`'s release prep; its manifest (also written to out/shard.json)."""
    ctx = load_project(root, python=python, trusted=True)
    ctx.use_cache = False  # a shard's data is its own run's, not the workspace cache's
    check_usable(ctx)
    durations = _shard_folder(out)
    files = await collect_test_files(ctx)
    if n > len(files):
        raise ShardError(f"--shard {k}/{n}: only {len(files)} test file(s) to split, use at most {len(files)} shards")
    plan = split(files, n, durations)
    ctx.shard = ShardRun(tests=plan[k - 1], out=out)
    results = await run_analyzers(release_analyzers() if k == 1 else ["coverage"], ctx)
    manifest = {
        "format": FORMAT, "shard": k, "of": n, "commit": await asyncio.to_thread(project_commit, ctx),
        "root": str(ctx.root), "split": hashlib.sha256(json.dumps(plan).encode()).hexdigest()[:16],
        "test_files": plan[k - 1], "kept": ctx.shard.kept,
        "versions": {"empathy": __version__, "tests": results["coverage"].tool},
        "results": {name: r.model_dump(mode="json") for name, r in results.items()},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def _label(m: dict[str, Any]) -> str:
    return f"shard {m['shard']}/{m['of']}"


def load_shards(dirs: list[Path]) -> list[tuple[Path, dict[str, Any]]]:
    """Every folder's manifest, checked to make one whole run; ShardError naming the first that does not."""
    shards = []
    for d in dirs:
        if not (d / MANIFEST).is_file():
            raise ShardError(f"{d}: no {MANIFEST} (not a folder written by release-prep --shard)")
        try:
            m = Manifest.model_validate(_read_json(d / MANIFEST, "shard results")).model_dump(mode="json")
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"])) or "the file"
            raise ShardError(f"{d}/{MANIFEST}: not shard results of this Empathy (format {FORMAT}): "
                             f"{where}: {first['msg']}") from None
        shards.append((d, m))
    first_dir, first = shards[0]
    seen: dict[int, Path] = {}
    for d, m in shards:
        if m["of"] != first["of"]:
            raise ShardError(f"{d} is {_label(m)} but {first_dir} is {_label(first)}: different splits")
        if m["shard"] in seen:
            raise ShardError(f"{_label(m)} given twice: {seen[m['shard']]} and {d}")
        seen[m["shard"]] = d
        for key, what in (("commit", "commit"), ("split", "test split"), ("versions", "tool versions")):
            if m[key] != first[key]:
                raise ShardError(f"{_label(m)} ({d}) has {what} {m[key]}, {_label(first)} ({first_dir}) has "
                                 f"{first[key]}: shards must come from one commit and one environment")
    missing = [f"{k}/{first['of']}" for k in range(1, first["of"] + 1) if k not in seen]
    if missing:
        raise ShardError(f"shard(s) {', '.join(missing)} missing (given: {', '.join(map(str, seen.values()))})")
    return sorted(shards, key=lambda s: s[1]["shard"])


COMBINE = """
import json, sys, coverage
spec = json.loads(sys.argv[1])
cov = coverage.Coverage(data_file=spec["data_file"], source=spec["source"], omit=spec["omit"], config_file=True)
if spec["extra_omit"]:
    cov.set_option("run:omit", list(cov.get_option("run:omit") or []) + spec["extra_omit"])
paths = dict(cov.get_option("paths") or {})
paths["empathy-shards"] = spec["aliases"]
cov.set_option("paths", paths)
cov.combine(spec["data_paths"], strict=True, keep=True)
cov.save()
cov.json_report(outfile=spec["json_file"], ignore_errors=True)
"""


async def combined_report(ctx: ProjectContext, shards: list[tuple[Path, dict[str, Any]]]) -> dict:
    """coverage.py's combine of the shards' data (each shard's copy aliased to ctx.root), as its JSON report."""
    source, omit, _ = scope_args(ctx)
    roots = list(dict.fromkeys([str(ctx.root)] + [m["root"] for _, m in shards]))
    with tempfile.TemporaryDirectory(prefix="empathy-merge-") as tmpdir:
        tmp = Path(tmpdir)
        spec = {"data_file": str(tmp / ".coverage"), "json_file": str(tmp / "coverage.json"), "source": source,
                "omit": omit, "extra_omit": [str(p) for p, _ in oversized_files(ctx)],
                "aliases": [r + "/" for r in roots],
                "data_paths": [str(d / DATA) for d, _ in shards]}
        run = await run_tool(isolated_python(COMBINE, json.dumps(spec)), ctx.root, timeout=900)
        if run.returncode != 0:
            raise ShardError(f"coverage combine failed: {(run.stdout + run.stderr).strip()[-300:]}")
        return json.loads((tmp / "coverage.json").read_text(encoding="utf-8"))


def union_tests(shards: list[tuple[Path, dict[str, Any]]]) -> TestRun | None:
    """Every shard's JUnit outcomes together; a test reported by two shards is a ShardError."""
    total, owner = TestRun(), {}
    for d, m in shards:
        run = read_junit(d / JUNIT)
        if run is None:
            return None
        for case in run.cases:
            if case[0] in owner:
                raise ShardError(f"test {case[0]} ran in shard {owner[case[0]]} and {_label(m)}")
            owner[case[0]] = _label(m)
        for name in ("tests", "passed", "failed", "errors", "skipped", "total_seconds"):
            setattr(total, name, getattr(total, name) + getattr(run, name))
        total.cases += run.cases
    return total


def merged_exit(shards: list[tuple[Path, dict[str, Any]]]) -> int | None:
    """pytest's exit for the whole suite: the worst shard's (5, no tests, only when no shard ran any)."""
    exits = [m["results"]["coverage"]["metrics"].get("pytest_exit_code") for _, m in shards]
    if None in exits:
        return None
    worse = [e for e in exits if e not in (0, 5)]
    return max(worse) if worse else (0 if 0 in exits else 5)


async def merged_coverage(ctx: ProjectContext, shards: list[tuple[Path, dict[str, Any]]]
                          ) -> tuple[AnalyzerResult, TestRun | None]:
    """The coverage analyzer's result for the whole suite, and its test outcomes."""
    unkept = next((m for _, m in shards if not m["kept"]), None)
    if unkept is not None:  # that shard's tests did not run: the figure is not measured, as in one run
        result = AnalyzerResult.model_validate(unkept["results"]["coverage"])
        return result.model_copy(update={"error": f"{_label(unkept)}: {result.error}"}), None
    report = await combined_report(ctx, shards)
    tests = union_tests(shards)
    _, _, scope = scope_args(ctx)
    return measured_result(ctx, source_files(ctx), scope, shards[0][1]["versions"]["tests"], merged_exit(shards),
                           tests, report, None, []), tests


def record_durations(shards: list[tuple[Path, dict[str, Any]]], tests: TestRun | None) -> None:
    """Seconds per test file (JUnit times) into each shard folder: the next split's balance."""
    if tests is None:
        return
    files = {f.removesuffix(".py").replace("/", "."): f for _, m in shards for f in m["test_files"]}
    seconds: dict[str, float] = dict.fromkeys(files.values(), 0.0)
    for node, secs, _ in tests.cases:
        module = node.split("::", 1)[0]
        owner = max((dotted for dotted in files if module == dotted or module.startswith(dotted + ".")),
                    key=len, default=None)
        if owner is not None:
            seconds[files[owner]] += secs
    for d, _ in shards:
        (d / DURATIONS).write_text(json.dumps({f: round(s, 3) for f, s in seconds.items()}, indent=1),
                                   encoding="utf-8")


async def merge(root: str | Path, dirs: list[Path], *, gates: dict[str, Any] | None = None,
                python: str | None = None, max_cost: float | None = None) -> ReleasePrepReport:
    """The release-prep report of the shards in `dirs`, measured from `root` (a checkout at their commit)."""
    shards = load_shards(dirs)
    workflow = OrchestratedReleasePrepWorkflow(quality_gates=gates, max_cost=max_cost)
    ctx = load_project(root, python=python, trusted=True)
    commit = await asyncio.to_thread(project_commit, ctx)
    if commit != shards[0][1]["commit"]:
        raise ShardError(f"{ctx.root} has commit {commit}, the shards were run at {shards[0][1]['commit']}")
    coverage, tests = await merged_coverage(ctx, shards)
    provided = {name: AnalyzerResult.model_validate(r) for name, r in shards[0][1]["results"].items()}
    provided["coverage"] = coverage
    report = await workflow.execute(ctx.root, python=python, use_cache=False, provided=provided)
    record_durations(shards, tests)
    return report


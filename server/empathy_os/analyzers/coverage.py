"""Test coverage: the project's tests under coverage.py + pytest, in the project's interpreter.

Runs pytest under coverage's API in one process of the project's interpreter (see runners/coverage_driver:
the equivalent of `coverage run -m pytest` + `coverage json`); data and reports live in a temporary
folder, so no `.coverage` file is ever left in the project. Numbers are coverage's own JSON totals:
`coverage_percent` is what `coverage report` prints as TOTAL (statements, plus branches when the project
enables branch coverage), `line_percent` statements only, `branch_percent` branches only (None without
branch coverage).

Scope: the project's own coverage config (.coveragerc, setup.cfg, tox.ini, pyproject.toml) when it sets
`source`/`include`; otherwise `--source` = the project's packages (tests are outside them), or the whole
folder minus tests and virtualenvs when it has no package. `scope` in the result says which.

Tests: failing tests are counted (tests_passed / tests_failed / tests_errors) and coverage is still
measured. No tests: coverage is still measured (0 % of code that nothing imports) and `error` says that
no tests were found. An untrusted workspace is never run.

Findings: one `coverage-gap` (info) per public function with missing lines.
"""

from __future__ import annotations

import asyncio
import configparser
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from empathy_os.analyzer_spec import INFO_LEVELS, AnalyzerSpec, Kind
from empathy_os.analyzers._pytest import (
    PYTEST_EXIT,
    TestRun,
    isolated_env,
    pytest_args,
    read_junit,
)
from empathy_os.analyzers._util import join_notes, load_json, not_run, setting
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.analyzers.coverage_live import LiveRun
from empathy_os.analyzers.coverage_run import DriverRun, NotMeasured, run_driver
from empathy_os.analyzers.parallel_tests import ParallelPlan, ParallelSettingError, parallel_plan
from empathy_os.analyzers.project import (
    oversized_files,
    packages,
    read_pyproject,
    rel,
    size_note,
    source_files,
)
from empathy_os.analyzers.source_diff import file_facts
from empathy_os.execution import UNTRUSTED_MESSAGE, is_trusted
from empathy_os.user_cache import user_cache_dir

NAME = "coverage"
SPEC = AnalyzerSpec(name=NAME, distribution="coverage", measures="line and branch coverage by the project's tests",
                    kind=Kind.COVERAGE, per_file=False, test_running=True, prior_seconds=8.0, levels=INFO_LEVELS)
_OMIT = ["tests/*", "test/*", "*/tests/*", "*/test/*", "test_*.py", "*/test_*.py", "*_test.py",
         "conftest.py", "*/conftest.py", ".venv/*", "venv/*", "env/*", ".tox/*", "build/*", ".empathy/*"]


def coverage_config(root: Path) -> tuple[str | None, str]:
    """(the config file coverage.py will read, what it sets to measure: "source = x; omit = y" or "")."""
    if (root / ".coveragerc").is_file():
        return ".coveragerc", _scope_text(_ini_section(root / ".coveragerc", "run"))
    for name in ("setup.cfg", "tox.ini"):
        if (root / name).is_file() and any(s.startswith("coverage:") for s in _ini(root / name).sections()):
            return name, _scope_text(_ini_section(root / name, "coverage:run"))
    table = read_pyproject(root).get("tool", {}).get("coverage")
    if isinstance(table, dict):
        run = table.get("run")
        return "pyproject.toml", _scope_text(run if isinstance(run, dict) else {})
    return None, ""


def _scope_text(run: dict) -> str:
    """The settings that choose the measured files, as the config writes them (so a run by hand is the same),
    or "" when none of source, include, source_pkgs is set."""
    if not any(k in run for k in ("source", "include", "source_pkgs")):
        return ""
    values = {k: run[k] for k in ("source", "source_pkgs", "include", "omit") if k in run}
    return "; ".join(f"{k} = " + (" ".join(v.split()) if isinstance(v, str) else ", ".join(map(str, v)))
                     for k, v in values.items())


def _ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        pass
    return parser


def _ini_section(path: Path, section: str) -> dict:
    parser = _ini(path)
    return dict(parser.items(section)) if parser.has_section(section) else {}


def scope_args(ctx: ProjectContext) -> tuple[list[str] | None, list[str] | None, str]:
    """(coverage `source`, `omit`, description); None leaves the project's config in charge."""
    config, scoped = coverage_config(ctx.root)
    if config and scoped:
        return None, None, f"as configured in {config}: {scoped}"
    pkgs = packages(ctx)
    if pkgs:
        source, omit, where = pkgs, None, f"packages {', '.join(pkgs)}"
    else:
        source, omit = ["."], _OMIT
        where = "all modules in the project folder except tests and virtualenvs"
    suffix = f" (no source set in {config})" if config else " (no coverage config)"
    return source, omit, where + suffix


def bytecode_cache(ctx: ProjectContext) -> Path | None:
    """Where the test run's bytecode is cached (the user's cache folder), or None: `bytecode_cache = false`
    in [tool.empathy], or no cache folder. Never inside the project: it stays read-only."""
    value = ctx.settings.get("bytecode_cache", True)
    if value is False or (isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "0")):
        return None
    return user_cache_dir("pycache")


def _is_public(qualname: str) -> bool:
    parts = qualname.split(".")
    return "<locals>" not in parts and not any(
        p.startswith("_") and not (p.startswith("__") and p.endswith("__")) for p in parts
    )


def gap_findings(ctx: ProjectContext, report: dict) -> list[Finding]:
    findings = []
    too_big = {rel(ctx, p) for p, _ in oversized_files(ctx)}
    # The coverage boost targets private functions too (after the public ones); reports do not list them.
    private_ok = bool(ctx.settings.get("coverage_private_gaps"))
    for fname, data in sorted(report.get("files", {}).items()):
        relpath = rel(ctx, fname)
        if relpath in too_big:  # no per-function findings (nor test generation) for these
            continue
        spans = None
        for qualname, region in (data.get("functions") or {}).items():
            missing = region.get("missing_lines") or []
            wanted = _is_public(qualname) or (private_ok and "<locals>" not in qualname.split("."))
            if not qualname or not missing or not wanted:
                continue
            if spans is None:
                spans = file_facts(ctx.root / relpath).spans
            start = int(region.get("start_line") or min(missing))
            percent = region.get("summary", {}).get("percent_covered")
            findings.append(Finding(
                tool="coverage", rule="coverage-gap", severity=Severity.INFO, path=relpath,
                line=max(1, start), end_line=spans.get(start), symbol=qualname,
                message=f"{qualname}: {len(missing)} line(s) not run by the tests"
                + (f" ({percent:.0f}% covered)" if percent is not None else ""),
                extra={"missing_lines": missing, "percent": percent,
                       "missing_branches": region.get("missing_branches", [])},
            ))
    return findings


_RAISED = re.compile(r"^(E\s+)?[\w.]*(Error|Exception|Warning)\b:")
NOT_RUN_EXITS = (2, 3, 4)  # interrupted, internal error, usage error: no test ran (5, none collected, is a 0 %)


def last_error_line(output: str) -> str:
    """The line that says why pytest stopped (its last error or INTERNALERROR line), shortened."""
    lines = [ln.strip().removeprefix("INTERNALERROR>").strip() for ln in output.splitlines()]
    raised = [ln for ln in lines if _RAISED.match(ln)]  # "pkg.SomeError: message", pytest's "E   ..." lines
    return (raised or [ln for ln in lines if ln] or [""])[-1][:200]


def _unparsable_notes(ctx: ProjectContext, sources: list[Path], report: dict) -> list[str]:
    """Files Python cannot compile, said the way the figure treats them: coverage.py still counts a file
    it can read (undecodable bytes replaced) as all-missing statements; others are left out of it."""
    in_report = {rel(ctx, name): data for name, data in report.get("files", {}).items()}
    counted, left_out = [], []
    for path in sources:
        why = file_facts(path).why
        if why is None:
            continue
        relpath = rel(ctx, path)
        data = in_report.get(relpath)
        if data is not None:
            missing = (data.get("summary") or {}).get("missing_lines", 0)
            counted.append(f"{relpath} ({why}; {missing} statement(s) counted as not run)")
        else:
            left_out.append(f"{relpath} ({why})")
    notes = []
    if counted:
        notes.append("Python cannot compile, so no test can run them; included in the coverage figure: "
                     + "; ".join(counted))
    if left_out:
        notes.append("not measured, Python cannot compile: " + "; ".join(left_out))
    return notes


def _xdist_failure(pytest_exit: int | None, tests: TestRun | None) -> str | None:
    """Why an unrequested parallel run is repeated serially (it failed under xdist), or None."""
    if pytest_exit in (0, 5) and not (tests is not None and (tests.failed or tests.errors)):
        return None
    what = (f"{tests.failed} failed, {tests.errors} error(s)" if tests is not None and (tests.failed or tests.errors)
            else f"pytest exit {pytest_exit}")
    return f"under pytest-xdist ({what}), so the suite was run again serially and this is that run"


@dataclass
class Measured:
    """One test run under coverage, reported: what `measured_result` turns into the analyzer's result."""

    tool: str
    pytest_exit: int | None
    tests: TestRun | None
    report: dict
    live_metrics: dict | None
    answer: dict


async def _driver_spec(ctx: ProjectContext, tmp: Path, junit: Path | None, scope: tuple[list[str] | None, ...],
                       live: LiveRun | None, parallel: ParallelPlan | None) -> dict:
    source, omit = scope
    spec = {"data_file": str(tmp / ".coverage"), "json_file": str(tmp / "coverage.json"), "source": source,
            "omit": omit, "debug_file": str(tmp / "coverage-debug.log"),
            "extra_omit": [str(path) for path, _ in oversized_files(ctx)],
            "pytest_args": pytest_args(ctx, tmp, junit) + (ctx.shard.tests if ctx.shard else []),
            "env": isolated_env(tmp)}
    if ctx.sandbox is None and (pycache := bytecode_cache(ctx)) is not None:
        spec["pycache_prefix"] = str(pycache)
    if parallel is not None:
        spec["parallel"] = parallel.driver_spec()
    if live is not None:
        spec["per_test"] = await asyncio.to_thread(live.driver_spec, tmp)
    return spec


def _tool(ctx: ProjectContext, run: DriverRun, scope: str) -> str:
    """"coverage X, pytest Y" from the driver's answer; NotMeasured when there is none or a tool is missing."""
    if run.answer is None:
        raise NotMeasured(f"the test run under {ctx.python} ended without a report (exit {run.returncode}): "
                          f"{run.output.strip()[-400:]}", scope)
    missing = [m for m in ("coverage", "pytest") if not run.answer.get(m)]
    if missing:
        raise NotMeasured(f"{' and '.join(missing)} not installed in {ctx.python} "
                          f"(install with: {ctx.python} -m pip install {' '.join(missing)})")
    return f"coverage {run.answer['coverage']}, pytest {run.answer['pytest']}"


def _check_ran(run: DriverRun, tests: TestRun | None, json_file: Path, tool: str, scope: str) -> None:
    """NotMeasured when coverage could not report, or no test ran (a 0 % would be read as "the tests cover
    nothing", which nobody measured)."""
    answer, pytest_exit = run.answer or {}, (run.answer or {}).get("pytest_exit")
    if answer.get("report_error") or not json_file.exists():
        raise NotMeasured(f"coverage could not report ({answer.get('report_error')}); "
                          f"pytest exit {pytest_exit}: {run.output.strip()[-300:]}", scope, tool)
    if pytest_exit in NOT_RUN_EXITS and not (tests and tests.passed + tests.failed):
        last = last_error_line(run.output)
        raise NotMeasured(f"the project's tests did not run (pytest exit {pytest_exit}: "
                          f"{PYTEST_EXIT[pytest_exit]}){': ' + last if last else ''}", scope, tool)


async def _measure(ctx: ProjectContext, scope: tuple[list[str] | None, list[str] | None, str],
                   live: LiveRun | None, parallel: ParallelPlan | None = None) -> Measured:
    """Run the driver (again in full when a partial run cannot be merged, again serially when an unrequested
    parallel run failed); NotMeasured says why there is no figure."""
    timeout = float(setting(ctx, "coverage_timeout", 900))
    # Inside a sandbox only its own folder is writable, so our data lives there.
    scratch = ctx.sandbox.base / "data" if ctx.sandbox is not None else None
    serial_again = None  # why an unrequested parallel run was repeated serially
    for _attempt in range(3):
        with tempfile.TemporaryDirectory(prefix="empathy-cov-", dir=scratch) as tmpdir:
            tmp = Path(tmpdir)
            # With per-test data the driver records every outcome itself: no JUnit report to write and read.
            junit = tmp / "junit.xml" if live is None else None
            spec = await _driver_spec(ctx, tmp, junit, scope[:2], live, parallel)
            run = await run_driver(ctx, spec, isolated_env(tmp), timeout)
            tool, answer = _tool(ctx, run, scope[2]), run.answer or {}
            if live is not None and (why := live.retry_reason(answer, tmp)) is not None:
                live.run_all(why)
                continue
            tests = read_junit(junit) if junit is not None else live.test_run(tmp)
            if parallel is not None and parallel.auto and answer.get("parallel") and (
                    failure := _xdist_failure(answer.get("pytest_exit"), tests)) is not None:
                # Nobody said this suite is parallel-safe: its failures under xdist are not reported as its own.
                serial_again, parallel = failure, None
                continue
            if serial_again is not None:
                answer["serial_again"] = serial_again
            _check_ran(run, tests, Path(spec["json_file"]), tool, scope[2])
            if ctx.shard is not None:  # the raw results a merge combines (workflows/shards.py)
                await asyncio.to_thread(ctx.shard.keep, Path(spec["data_file"]), junit)
            report = load_json(Path(spec["json_file"]).read_text(encoding="utf-8"), "coverage json")
            live_metrics = await asyncio.to_thread(live.finish, answer, tmp, report) if live else None
            return Measured(tool, answer.get("pytest_exit"), tests, report, live_metrics, answer)
    raise AssertionError("unreachable: the second attempt runs every test")


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    tool = "coverage.py + pytest"
    if not is_trusted(ctx):
        return not_run(NAME, tool, UNTRUSTED_MESSAGE)
    sources = source_files(ctx)
    if not sources:
        return not_run(NAME, tool, f"no Python source files to measure in {ctx.root}")
    scope = scope_args(ctx)
    try:
        parallel = parallel_plan(ctx) if ctx.sandbox is None else None
    except ParallelSettingError as exc:
        return not_run(NAME, tool, str(exc))
    # Per-test data (coverage_live) where the cache is used: not for --no-cache, nor for the private copies of
    # the boost and the verification engine (they need only the figure and must not grow a `.empathy/`).
    per_test = ctx.sandbox is None and ctx.use_cache
    live = await asyncio.to_thread(LiveRun, ctx, scope[0], scope[1]) if per_test else None
    if live is not None and live.partial:
        # The affected tests only: a few tests (workers would cost more than they save), and the selection
        # and the imports of changed modules happen in this process, not in xdist's workers.
        parallel = None
    try:
        m = await _measure(ctx, scope, live, parallel)
    except NotMeasured as exc:
        return not_run(NAME, exc.tool or tool, exc.message, scope=exc.scope)
    return measured_result(ctx, sources, scope[2], m.tool, m.pytest_exit, m.tests, m.report, m.live_metrics,
                           _parallel_notes(m.answer, live))


def _parallel_notes(answer: dict, live: LiveRun | None) -> list[str]:
    if answer.get("parallel"):
        return [f"tests ran in parallel: {answer['parallel']}" + (
            "" if live is not None else "; no per-test data kept (live coverage re-runs every test)")]
    if answer.get("serial_again"):
        return [f"tests failed {answer['serial_again']}"]
    if answer.get("parallel_refused"):
        return [f"tests ran serially: {answer['parallel_refused']}"]
    return []


def measured_result(ctx: ProjectContext, sources: list[Path], scope: str, tool: str, pytest_exit: int | None,
                    tests, report: dict, live_metrics: dict | None, run_notes: list[str]) -> AnalyzerResult:
    """The analyzer's result from coverage's JSON report and the test outcomes (also a sharded run's merge)."""
    notes = _unparsable_notes(ctx, sources, report) + run_notes
    if (big := size_note(ctx)) is not None:
        notes.append(big + " (also left out of the coverage figure)")
    if pytest_exit in PYTEST_EXIT:
        notes.append(f"pytest exit {pytest_exit}: {PYTEST_EXIT[pytest_exit]}")
    if live_metrics:
        if live_metrics["coverage_note"]:
            notes.append(str(live_metrics["coverage_note"]))
        failed, errors = live_metrics["tests_failed"], live_metrics["tests_errors"]
        if failed or errors:
            notes.append(f"{failed} test(s) failed, {errors} error(s); coverage measured anyway")
    elif tests and (tests.failed or tests.errors):
        notes.append(f"{tests.failed} test(s) failed, {tests.errors} error(s); coverage measured anyway")
    elif tests is None:
        notes.append("pytest wrote no JUnit report: test counts unknown")
    totals = report.get("totals", {})
    branch = bool(report.get("meta", {}).get("branch_coverage"))
    return AnalyzerResult(
        analyzer=NAME,
        tool=tool,
        ran=True,
        error=join_notes(notes),
        findings=gap_findings(ctx, report),
        metrics={
            "coverage_percent": totals.get("percent_covered"),
            "line_percent": totals.get("percent_statements_covered", totals.get("percent_covered")
                                       if not branch else None),
            "branch_percent": totals.get("percent_branches_covered") if branch else None,
            "files_measured": len(report.get("files", {})),
            "num_statements": totals.get("num_statements"),
            "covered_lines": totals.get("covered_lines"),
            "missing_lines": totals.get("missing_lines"),
            "num_branches": totals.get("num_branches") if branch else None,
            "tests_passed": tests.passed if tests else None,
            "tests_failed": tests.failed if tests else None,
            "tests_errors": tests.errors if tests else None,
            "tests_skipped": tests.skipped if tests else None,
            "pytest_exit_code": pytest_exit,
            **(live_metrics or {}),
        },
        score=round(float(totals.get("percent_covered") or 0) / 10, 2),
        score_formula="coverage percent / 10",
        scope=scope,
    )

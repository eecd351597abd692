"""Performance: how long the project's tests take, from pytest's own JUnit XML timings.

A separate plain pytest run (no coverage tracing, which would inflate the times) in the project's
interpreter. Tests slower than `slow_test_seconds` (default 1.0) are findings (rule `slow-test`, low).
Never runs in an untrusted workspace. No score: durations depend on the machine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from empathy_os import runners
from empathy_os.analyzer_spec import AnalyzerSpec, Kind
from empathy_os.analyzers._pytest import (
    PYTEST_EXIT,
    isolated_env,
    pytest_args,
    read_junit,
    runnable_pytest,
)
from empathy_os.analyzers._util import join_notes, not_run, setting
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.analyzers.project import rel
from empathy_os.execution import run_project_code

NAME = "test_durations"
SPEC = AnalyzerSpec(name=NAME, distribution="pytest", measures="the slowest tests of the project's suite",
                    kind=Kind.PERFORMANCE, per_file=False, test_running=True, prior_seconds=6.0)


def _locate(ctx: ProjectContext, node_id: str, file: str) -> str:
    if file:
        return rel(ctx, file)
    module = node_id.split("::", 1)[0]
    return module.replace(".", "/") + ".py"


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    why_not, tool = await runnable_pytest(ctx)
    if why_not:
        return not_run(NAME, tool, why_not)
    threshold = float(setting(ctx, "slow_test_seconds", 1.0))
    with tempfile.TemporaryDirectory(prefix="empathy-dur-") as tmpdir:
        tmp = Path(tmpdir)
        junit = tmp / "junit.xml"
        run = await run_project_code(
            ctx, runners.command(ctx.python, "pytest_main", *pytest_args(ctx, tmp, junit)),
            ctx.root, timeout=float(setting(ctx, "coverage_timeout", 900)), env=isolated_env(tmp))
        tests = read_junit(junit)
    if tests is None:
        return not_run(NAME, tool, f"pytest exit {run.returncode}, no JUnit report: "
                       f"{(run.stdout + run.stderr).strip()[-300:]}")
    if not tests.cases:
        return not_run(NAME, tool, f"no tests were collected in {ctx.root}")
    slowest = sorted(tests.cases, key=lambda c: c[1], reverse=True)
    findings = [
        Finding(tool="test_durations", rule="slow-test", severity=Severity.LOW,
                path=_locate(ctx, node, file), line=1, symbol=node,
                message=f"{node} took {secs:.2f}s (threshold {threshold:g}s)", extra={"seconds": secs})
        for node, secs, file in slowest if secs > threshold
    ]
    notes = []
    if run.returncode in PYTEST_EXIT:
        notes.append(f"pytest exit {run.returncode}: {PYTEST_EXIT[run.returncode]}")
    if tests.failed or tests.errors:
        notes.append(f"{tests.failed} test(s) failed, {tests.errors} error(s)")
    return AnalyzerResult(
        analyzer=NAME,
        tool=tool,
        ran=True,
        error=join_notes(notes),
        findings=findings,
        metrics={
            "tests": tests.tests,
            "slowest_test_seconds": slowest[0][1],
            "slowest_test": slowest[0][0],
            "total_test_seconds": round(sum(c[1] for c in tests.cases), 3),
            "suite_seconds": tests.total_seconds,
            "slow_tests": len(findings),
        },
        scope="the project's pytest suite (its own pytest config)",
    )

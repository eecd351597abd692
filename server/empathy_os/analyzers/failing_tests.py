"""Tests: the project's tests that fail or error, one finding per test function.

One plain run of the project's suite (no coverage) in the project's interpreter, through the same runner
the verification engine uses (runners/suite.py: every test's outcome by node id, and the end of each
failure's text). A finding is placed on the test function's `def` line, with the first failing node id,
all of them (a parametrized test fails per case) and the failure's one-line message (pytest's first `E`
line). A test module that does not import is a `collection-error` on its line 1. Never runs in an untrusted
workspace. The fix workflow's `test_generator` proposes repairs of these tests (changes/repair.py judges
them: only the failing test may change, and it must pass on the unchanged code without being weakened).
"""

from __future__ import annotations

import ast
import json
import re
import tempfile
from pathlib import Path

from empathy_os import runners
from empathy_os.analyzer_spec import AnalyzerSpec, Kind
from empathy_os.analyzers._pytest import PYTEST_EXIT, isolated_env, pytest_args, runnable_pytest
from empathy_os.analyzers._util import join_notes, not_run, setting
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.execution import run_project_code

NAME = "failing_tests"
SPEC = AnalyzerSpec(name=NAME, distribution="pytest", measures="the project's tests that fail or error",
                    kind=Kind.TESTS, per_file=False, test_running=True, prior_seconds=6.0, fixer="test_generator")
_PARAMS = re.compile(r"\[.*\]$", re.DOTALL)


def function_of(node_id: str) -> tuple[str, str]:
    """(file, qualified name of the test function) of a pytest node id: `t.py::C::test_f[1]` → (t.py, C.test_f)."""
    path, _, rest = node_id.partition("::")
    return path, ".".join(_PARAMS.sub("", part) for part in rest.split("::"))


def def_line(root: Path, path: str, qualname: str) -> int:
    """The `def` line of `qualname` in `path` (1 when it cannot be found: a generated or inherited test)."""
    try:
        node: ast.AST = ast.parse((root / path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return 1
    for name in qualname.split("."):
        node = next((c for c in ast.iter_child_nodes(node) if getattr(c, "name", None) == name
                     and isinstance(c, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))), None)
        if node is None:
            return 1
    return node.lineno


def one_line(text: str) -> str:
    """pytest's crash line: the first `E   ` line of the failure's last section, else its last line."""
    lines = text.strip().splitlines()
    errors = [ln[1:].strip() for ln in lines if ln.startswith("E ")]
    return (errors[0] if errors else (lines[-1].strip() if lines else "failed"))[:300]


def findings_from(root: Path, outcomes: dict[str, list[str]], failures: dict[str, str]) -> list[Finding]:
    by_function: dict[tuple[str, str], list[str]] = {}
    for node, runs in outcomes.items():
        if "failed" in runs:
            by_function.setdefault(function_of(node.removeprefix("collect:")), []).append(node)
    out = []
    for (path, qualname), nodes in sorted(by_function.items()):
        first = nodes[0]
        collect = first.startswith("collect:")
        out.append(Finding(
            tool=NAME, rule="collection-error" if collect else "failing-test", severity=Severity.MEDIUM,
            path=path or ".", line=1 if collect or not path.endswith(".py") else def_line(root, path, qualname),
            symbol=None if collect or not qualname else qualname,
            message=f"{first}{f' (and {len(nodes) - 1} more case(s))' if len(nodes) > 1 else ''}: "
                    f"{one_line(failures.get(first, ''))}",
            extra={"nodeid": first, "nodeids": nodes, "failure": failures.get(first, "")[-1500:]}))
    return out


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    why_not, tool = await runnable_pytest(ctx)
    if why_not:
        return not_run(NAME, tool, why_not)
    with tempfile.TemporaryDirectory(prefix="empathy-failing-") as tmpdir:
        tmp = Path(tmpdir)
        out = tmp / "suite.json"
        args = [*pytest_args(ctx, tmp, None), "-p", "no:randomly"]
        run = await run_project_code(ctx, runners.command(ctx.python, "suite", str(out), "null", *args),
                                     ctx.root, timeout=float(setting(ctx, "coverage_timeout", 900)),
                                     env=isolated_env(tmp))
        try:
            data = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {"error": f"pytest exit {run.returncode}, no outcomes: {(run.stdout + run.stderr).strip()[-300:]}"}
    if data.get("error"):
        return not_run(NAME, tool, data["error"])
    outcomes = data["outcomes"]
    if not outcomes:
        return not_run(NAME, tool, f"no tests were collected in {ctx.root}")
    findings = findings_from(ctx.root, outcomes, data.get("failures", {}))
    failing = sum(1 for runs in outcomes.values() if "failed" in runs)
    notes = [f"pytest exit {data['rc']}: {PYTEST_EXIT[data['rc']]}"] if data.get("rc") in PYTEST_EXIT else []
    return AnalyzerResult(
        analyzer=NAME, tool=tool, ran=True, error=join_notes(notes), findings=findings,
        metrics={"tests": len(outcomes), "tests_failing": failing, "failing_test_functions": len(findings)},
        scope="the project's pytest suite (its own pytest config), one plain run",
    )

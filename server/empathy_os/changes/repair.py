"""Check 6 for a repair of a failing test (kind `test-repair`): run in the sandboxed copy, on the UNCHANGED code.

The change may only have edited the claimed test functions (judging.py) without weakening them
(repair_rules.py). Here: the whole suite runs with the repaired test file — each claimed test (every case of
a parametrized one) now passes, and no other test of the project fails that passed before (a newly failing
one is re-run, as for any change) or disappears; then the claimed tests run alone under coverage.py, and
mutants of the lines they run inside the project's functions (the boost's mutants, testgen/mutate.py, in its
mutant runner) must make each of them fail at least once: a test no mutant can fail no longer tests anything.
"""

from __future__ import annotations

import ast
from collections.abc import Awaitable, Callable

from empathy_os.analyzers.failing_tests import function_of, one_line
from empathy_os.changes import suite_checks
from empathy_os.changes.model import Change, Check
from empathy_os.changes.repair_rules import test_ids
from empathy_os.changes.suite import SuiteRun, run_suite
from empathy_os.testgen.mutate import mutants, strength
from empathy_os.testgen.sandbox import Sandbox

MAX_FILES = 3  # source files mutated per repaired test: those where it runs the most lines
Blame = Callable[[list[str]], Awaitable[tuple[list[str], list[str]]]]  # newly failing → (broken, flaky)


async def run_checks(sandbox: Sandbox, base: SuiteRun | None, sources: list[str], change: Change, timeout: float,
                     blame: Blame, reruns: int) -> list[Check]:
    """`base`: the suite on the unchanged copy (None: the workspace is not trusted, nothing runs); `blame`
    re-runs a newly failing test `reruns` times."""
    if base is None or base.error:
        return [Check(name="repaired", passed=False, detail="not run: workspace not trusted (project code is "
                      "never run)" if base is None else f"the suite could not run before the repair: {base.error}")]
    ids = test_ids(change)
    claimed = {function_of(t) for t in ids}
    run = await run_suite(sandbox, sources, timeout=timeout)
    if run.error:
        return [Check(name="repaired", passed=False, detail=f"the suite could not run: {run.error}")]
    mine = {t for t in {*run.outcomes, *base.outcomes} if function_of(t) in claimed}
    newly, flaky = await blame(sorted(run.failed - base.failed - mine))
    checks = [_repaired(run, sorted(t for t in run.outcomes if t in mine)),
              suite_checks.tests_check(base, run, newly, flaky, reruns, "the suite with the repaired test, on the "
                                       "unchanged code")]
    if all(c.passed for c in checks):
        checks.append(await _bites(sandbox, sources, ids, timeout))
    return checks


def _repaired(run: SuiteRun, nodes: list[str]) -> Check:
    if not nodes:
        return Check(name="repaired", passed=False, detail="the claimed test(s) no longer run")
    bad = [t for t in nodes if any(o != "passed" for o in run.outcomes[t])]
    if bad:
        why = "; ".join(f"{t}: {one_line(run.failures.get(t, ''))}" if "failed" in run.outcomes[t]
                        else f"{t}: skipped" for t in bad[:3])
        return Check(name="repaired", passed=False, measured={"not_passing": bad},
                     detail=f"{len(bad)} of {len(nodes)} claimed test case(s) do not pass on the unchanged code: {why}")
    return Check(name="repaired", passed=True, measured={"tests": nodes},
                 detail=f"{len(nodes)} claimed test case(s) pass on the unchanged code: {', '.join(nodes[:5])}")


def _function_lines(source: str) -> set[int]:
    """Lines of statements inside functions: what a test runs by calling the code, not by importing it."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {s.lineno for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for s in ast.walk(fn) if isinstance(s, ast.stmt) and s is not fn}


async def _bites(sandbox: Sandbox, sources: list[str], ids: list[str], timeout: float) -> Check:
    alone = await run_suite(sandbox, sources, ids, timeout=timeout)
    if alone.error or alone.failed or not alone.passed:
        return Check(name="still-bites", passed=False,
                     detail=f"the repaired test(s) did not pass when run alone: {alone.error or sorted(alone.failed)}")
    ran: dict[str, tuple[str, set[int]]] = {}
    for p in alone.missing_lines:
        text = (sandbox.copy / p).read_text(encoding="utf-8", errors="replace")
        lines = _function_lines(text) - set(alone.missing_lines[p])
        if lines:
            ran[p] = (text, lines)
    files = sorted(ran, key=lambda p: -len(ran[p][1]))[:MAX_FILES]
    made = {p: mutants(ran[p][0], ran[p][1]) for p in files}
    jobs = [(t, p, made[p]) for t in ids for p in files if made[p]]
    if not jobs:
        return Check(name="still-bites", passed=False, measured={"files": files},
                     detail="no longer tests anything: it runs no function of the project's code that a mutant "
                            "could change" + (f" (ran lines of {', '.join(files)})" if files else ""))
    scores = await strength(sandbox, jobs, sandbox.pytest_args(sandbox.next_id())[2:], timeout=timeout)
    return _strength_check(ids, jobs, scores)


def _strength_check(ids: list[str], jobs: list, scores: list) -> Check:
    per_test: dict[str, dict] = {t: {"made": 0, "killed": 0, "surviving": [], "errors": []} for t in ids}
    for (test, path, _), score in zip(jobs, scores):
        entry = per_test[test]
        entry["made"] += score.made
        entry["killed"] += score.killed
        entry["surviving"] += [f"{path} {s}" for s in score.survivors]
        if score.error:
            entry["errors"].append(f"{path}: {score.error}")
    weak = [t for t, e in per_test.items() if not e["killed"]]
    summary = ", ".join(f"{t}: {e['killed']} of {e['made']} mutant(s) killed" for t, e in per_test.items())
    if weak:
        e = per_test[weak[0]]
        why = (f"strength not measured ({'; '.join(e['errors'][:2])})" if e["errors"] and not e["killed"]
               else f"surviving: {'; '.join(e['surviving'][:3])}")
        return Check(name="still-bites", passed=False, measured=per_test,
                     detail=f"no longer tests anything: {summary} ({why})")
    return Check(name="still-bites", passed=True, measured=per_test,
                 detail=f"fails on mutants of the code it runs: {summary}")

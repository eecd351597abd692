"""Check 6 of the verification engine, from measured suite runs: the original tests still pass, the new
tests a change adds pass, and no touched file has more statements the tests leave unrun (coverage.py).
engine.py runs the suites; this module only reads their results."""

from __future__ import annotations

from empathy_os.changes.judging import Additions
from empathy_os.changes.model import Check
from empathy_os.changes.suite import SuiteRun


def tests_check(base: SuiteRun, run: SuiteRun, newly: list[str], flaky: list[str], reruns: int,
                what: str = "the project's tests as they were before it") -> Check:
    missing = sorted(set(base.outcomes) - set(run.outcomes))
    parts = [(f"{len(run.passed)} passed, {len(run.skipped)} skipped, {len(run.failed)} failed "
              f"({len(base.failed)} failed before the change) — {what}")]
    if newly:
        parts.append(f"broken by the change (failed {1 + reruns} times): {', '.join(newly[:5])}")
    if flaky:
        parts.append(f"flaky (failed once, passed on a re-run; not blamed): {', '.join(flaky[:5])}")
    if missing:
        parts.append(f"{len(missing)} test(s) no longer run: {', '.join(missing[:5])}")
    detail = "; ".join(parts) + (f"\n{run.tail(1500)}" if newly else "")
    return Check(name="tests", passed=not newly and not missing, detail=detail,
                 measured={"tests_passed": len(run.passed), "tests_skipped": len(run.skipped),
                           "tests_failed": len(run.failed), "broken": newly,
                           "flaky": flaky, "not_run": missing, "seconds": round(run.duration, 2)})


def additions_check(additions: Additions, run: SuiteRun) -> Check:
    """The change's new tests, run on their own on the changed code: every one must pass."""
    what = ", ".join(additions.targets[:5])
    if run.error:
        return Check(name="additions", passed=False, detail=f"the new tests could not run: {run.error}")
    failed = sorted(run.failed)
    if failed:
        return Check(name="additions", passed=False, measured={"failed": failed},
                     detail=f"new test(s) fail on the changed code: {', '.join(failed[:5])}\n{run.tail(1500)}")
    if not run.passed:
        return Check(name="additions", passed=False, detail=f"the new tests ({what}) collected no test")
    return Check(name="additions", passed=True, measured={"tests": sorted(run.passed)},
                 detail=f"{len(run.passed)} new test(s) pass on the changed code ({what}); they do not judge it")


def combined_coverage(run: SuiteRun, extra: SuiteRun | None) -> dict[str, tuple[int, int]]:
    """(statements, missing) per file when both runs count: a line is run if either run ran it."""
    if extra is None:
        return dict(run.coverage)
    out = dict(run.coverage)
    for path, (statements, _) in run.coverage.items():
        if path in extra.missing_lines and path in run.missing_lines:
            out[path] = (statements, len(set(run.missing_lines[path]) & set(extra.missing_lines[path])))
    return out


def coverage_checks(sources: list[str], base: SuiteRun, after: dict[str, tuple[int, int]],
                    improves: list[str] | None) -> list[Check]:
    """"Not lower" is counted in statements coverage.py reports missing, not in percent: a fix that deletes
    a covered line lowers the percentage without leaving any code less tested. `improves` (kind `tests`):
    those files must have fewer."""
    lower = []
    cov: dict[str, dict[str, float | int | None]] = {}
    for p in sources:
        old, new = base.coverage.get(p), after.get(p)
        old_pct, new_pct = _percent(old), _percent(new)
        cov[p] = {"missing_before": old[1] if old else None, "missing_after": new[1] if new else None,
                  "percent_before": None if old_pct is None else round(old_pct, 2),
                  "percent_after": None if new_pct is None else round(new_pct, 2)}
        if old is not None and (new is None or new[1] > old[1]):
            lower.append(f"{p}: {old[1]} → {'n/a' if new is None else new[1]} statement(s) not run by the "
                         f"tests ({_pct(old_pct)} → {_pct(new_pct)})")
    checks = [Check(name="coverage", passed=not lower, measured={"files": cov},
                    detail=("lower: " + "; ".join(lower)) if lower else
                    "no touched file has more statements left unrun (coverage.py): "
                    + ", ".join(f"{p} {v['missing_before']} → {v['missing_after']} missed, "
                                f"{_pct(v['percent_before'])} → {_pct(v['percent_after'])}" for p, v in cov.items()))]
    if improves is not None:
        checks.append(_coverage_gain(improves, cov))
    return checks


def _coverage_gain(improves: list[str], cov: dict[str, dict[str, float | int | None]]) -> Check:
    """New tests must make the tests run more of what they claim to cover, or they add nothing."""
    flat = [p for p in improves if not (isinstance(cov.get(p, {}).get("missing_before"), int)
                                        and isinstance(cov[p].get("missing_after"), int)
                                        and cov[p]["missing_after"] < cov[p]["missing_before"])]
    if not improves:
        return Check(name="coverage-gain", passed=False, detail="claims no source file to cover")
    gains = ", ".join(f"{p} {cov[p]['missing_before']} → {cov[p]['missing_after']} missed"
                      for p in improves if p in cov)
    detail = (f"no fewer statements left unrun in {', '.join(flat)}; {gains}" if flat
              else f"the tests now run more of the claimed file(s) (coverage.py): {gains}")
    return Check(name="coverage-gain", passed=not flat, measured={p: cov.get(p) for p in improves}, detail=detail)


def _percent(stats: tuple[int, int] | None) -> float | None:
    if not stats or not stats[0]:
        return None
    return 100.0 * (stats[0] - stats[1]) / stats[0]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"

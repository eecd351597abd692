"""One coverage run with per-test data: plan from the stored map, the driver's part, merge and store.

Used by the coverage analyzer (release prep, the CLI, the daemon's refresh on save); see coverage_map for
how tests are chosen and why the merged figure equals a full run's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from empathy_os.analyzers import coverage_map as cmap
from empathy_os.analyzers._pytest import TestRun
from empathy_os.analyzers.contract import ProjectContext

# pytest exits a partial run may end with and still be merged: tests passed, some failed, none collected
# (a new, still empty test file). Anything else (interrupted by a collection error, an internal error, a
# usage error) says nothing reliable about the tests not re-run, so the run is repeated in full.
_MERGEABLE_EXITS = (0, 1, 5)
_MAX_NODE_ARGS = 400


class LiveRun:
    def __init__(self, ctx: ProjectContext, source: Any, omit: Any) -> None:
        self.ctx = ctx
        self.ident = cmap.identity(ctx, source, omit)
        self.snap = cmap.snapshot(ctx)
        self.state = cmap.load_map(ctx)
        self.plan = cmap.plan(ctx, self.state, self.ident, self.snap)
        self.kept: tuple[dict[str, Any], dict[str, Any]] = ({}, {})

    @property
    def partial(self) -> bool:
        return not self.plan.full

    def run_all(self, reason: str) -> None:
        self.plan = cmap.Plan(full=True, reason=reason, changed=self.plan.changed)

    def driver_spec(self, tmp: Path) -> dict[str, Any]:
        """The driver's `per_test` argument (the base data of the tests not re-run goes into `tmp`)."""
        out = str(tmp / "per-test.json")
        if not self.partial:
            return {"out": out, "plan": None}
        assert self.state is not None
        self.kept = (cmap.kept_tests(self.state, self.plan), cmap.kept_imports(self.state, self.plan))
        base = tmp / "base.json"
        base.write_text(json.dumps(cmap.base_union(self.ctx.root, *self.kept)), encoding="utf-8")
        return {"out": out, "plan": {
            "paths": self._paths(), "select": sorted(self.plan.select),
            "run_files": sorted(self.plan.run_files), "imports": self.plan.imports, "base": str(base),
            "env": self.state.get("env")}}

    def _paths(self) -> list[str]:
        """What pytest is given: the test files that run whole, and the selected tests by node id (pytest
        then builds only their classes' items, not a whole large module's), or their files when there are
        very many (the command line has a limit)."""
        run_files = self.plan.run_files
        others = sorted(n for n in self.plan.select if n.split("::", 1)[0] not in run_files)
        if len(others) > _MAX_NODE_ARGS:
            others = sorted({n.split("::", 1)[0] for n in others})
        return [str(self.ctx.root / f) for f in sorted(run_files)] + [str(self.ctx.root / n) for n in others]

    def retry_reason(self, answer: dict[str, Any], tmp: Path) -> str | None:
        """Why a partial run cannot be merged (then it is repeated in full), or None."""
        if not self.partial or not answer.get("partial"):
            return None
        if answer.get("pytest_exit") not in _MERGEABLE_EXITS:
            return f"the affected tests' run ended with pytest exit {answer.get('pytest_exit')}"
        try:
            measured = json.loads((tmp / "per-test.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "the affected tests' run left no per-test data"
        if measured.get("import_errors"):
            name, why = next(iter(measured["import_errors"].items()))
            return f"changed module {name} could not be imported on its own ({why})"
        return None

    @staticmethod
    def test_run(tmp: Path) -> TestRun | None:
        """The run's counts from the driver's per-test outcomes (no JUnit report is written with them)."""
        try:
            outcomes = list(json.loads((tmp / "per-test.json").read_text(encoding="utf-8"))["outcomes"].values())
        except (OSError, ValueError, KeyError, AttributeError):
            return None
        return TestRun(tests=len(outcomes), passed=outcomes.count("passed"), failed=outcomes.count("failed"),
                       errors=outcomes.count("error"), skipped=outcomes.count("skipped"))

    def finish(self, answer: dict[str, Any], tmp: Path, report: dict[str, Any]) -> dict[str, Any]:
        """Merge, store the new map (when `.empathy/` is writable) and return the run's metrics."""
        measured = json.loads((tmp / "per-test.json").read_text(encoding="utf-8"))
        partial = self.partial and bool(answer.get("partial"))
        if self.partial and not partial:  # the driver found other installed packages and ran everything
            self.run_all("the installed packages changed")
        tests, imports = cmap.merge(self.ctx, measured, *(self.kept if partial else ({}, {})))
        state = cmap.new_state(self.ctx, self.ident, self.snap, answer.get("env"), bool(measured["branch"]),
                               tests, imports, report)
        stored = cmap.save_map(self.ctx, state)
        outcomes = [t["o"] for t in tests.values()]
        rerun = len(measured["outcomes"])
        metrics: dict[str, Any] = {
            "coverage_run": "affected" if partial else "full",
            "tests_rerun": rerun,
            "tests_reused": len(tests) - rerun if partial else 0,
            "tests_passed": outcomes.count("passed"),
            "tests_failed": outcomes.count("failed"),
            "tests_errors": outcomes.count("error"),
            "tests_skipped": outcomes.count("skipped"),
        }
        if partial:
            note = f"{rerun} test(s) re-run, {metrics['tests_reused']} reused (per-test data in .empathy/)"
            if self.plan.changed:
                note += ": changed " + ", ".join(self.plan.changed[:5]) + (" …" if len(self.plan.changed) > 5 else "")
        else:
            note = f"every test run ({self.plan.reason})"
        if not stored:
            note += "; per-test data not stored (.empathy/ not writable)"
        metrics["coverage_how"] = note
        # Said in the report when per-test data was used, or was there and could not be (and why).
        metrics["coverage_note"] = note if partial or self.state is not None or not stored else None
        return metrics

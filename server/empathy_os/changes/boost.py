"""test_coverage_analyzer: the coverage boost as a proposer, its kept tests verified like any other change.

The boost (`workflows.test_coverage_boost`) already keeps only tests that pass, gain coverage and kill a
mutant, in its own sandboxed copy; here each of its new test files becomes a `Change` of kind `tests`
(a diff creating the file) and goes through the same `Verifier` as every fix: it may add new test files
only, the whole suite must pass with it, and the source file it targets must have fewer statements the
tests leave unrun. The boost writes nothing (`write=False`); only `fix --apply` does, for verified files.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from empathy_os.analyzers.contract import ProjectContext
from empathy_os.changes.model import Change, ChangeKind
from empathy_os.changes.patch import make_diff
from empathy_os.progress_callback import Progress

AGENT = "test_coverage_analyzer"

# The boost lives above this layer (empathy_os.workflows); it registers how to run it when that package
# is imported (the CLI, the daemon's worker and `import empathy_os.workflows` do), as compositions do.
BoostRunner = Callable[..., Awaitable[Any]]
_runner: BoostRunner | None = None


def register_runner(runner: BoostRunner) -> None:
    """`runner(root, only=, max_cost=, trusted=, python=, progress=)` -> the boost's report (files, kept...)."""
    global _runner
    _runner = runner


async def propose(ctx: ProjectContext, only: str | None, max_cost: float | None,
                  progress: Progress | None = None) -> tuple[list[Change], list[str], float]:
    """(changes, notes, model cost in USD) from one boost run over the project (or `only` FILE[:FUNCTION])."""
    if _runner is None:
        return [], [f"{AGENT}: the coverage boost is not loaded (import empathy_os.workflows first)"], 0.0
    report = await _runner(ctx.root, only=only, max_cost=max_cost, trusted=ctx.trusted, python=ctx.python,
                           progress=progress)
    notes = [f"{AGENT}: {n}" for n in ([report.refused] if report.refused else []) + list(report.notes)]
    changes = []
    for generated in report.files:
        kept = [v for v in report.kept if v.candidate.gap.path == generated.target]
        names = ", ".join(sorted({v.candidate.gap.symbol for v in kept if v.candidate.gap.symbol})) or "its gaps"
        changes.append(Change(
            id=f"boost:{generated.path}", agent=AGENT, kind=ChangeKind.TESTS,
            diff=make_diff(generated.path, None, generated.content), files=[generated.path],
            improves=[generated.target] if generated.target else [],
            description=f"new tests {generated.path} for {names} in {generated.target}",
            source="coverage boost (kept: passes 3 runs, gains coverage, kills a mutant)",
        ))
    return changes, notes, float(report.cost_usd or 0.0)

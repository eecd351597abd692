"""Coverage boost, the use case behind `empathy orchestrate test-coverage` and the daemon's Boost Test Coverage
and Generate Tests: candidate tests, kept only when they pass and add coverage. Refused in an untrusted
workspace (the candidates are project code)."""

from __future__ import annotations

from empathy_os.app.requests import CoverageBoostRequest
from empathy_os.app.results import CoverageBoostResult
from empathy_os.progress_callback import Progress, no_progress


async def run(request: CoverageBoostRequest, progress: Progress = no_progress) -> CoverageBoostResult:
    from empathy_os.testgen.report import render_text
    from empathy_os.workflows.test_coverage_boost import TestCoverageBoostWorkflow

    workflow = TestCoverageBoostWorkflow(target=request.target, max_iterations=request.max_iterations,
                                         max_cost=request.max_cost)
    report = await workflow.execute(request.root, only=request.only, dry_run=request.dry_run,
                                    write=request.write, trusted=request.trusted, python=request.python,
                                    progress=progress)
    covered: dict[str, set[int]] = {}
    for verdict in report.kept:
        covered.setdefault(verdict.candidate.gap.path, set()).update(verdict.new_lines)
    text = render_text(report)
    if request.dry_run:
        text += "".join(f"\n\n----- {f.path} (not written: --dry-run) -----\n{f.content}" for f in report.files)
    return CoverageBoostResult(
        report=report.to_json(), files=[f.to_json() for f in report.files],
        covered={path: sorted(lines) for path, lines in covered.items()}, text=text,
        exit_code=2 if report.refused else 0 if report.target_reached else 1,
        usage_error=f"test-coverage refused: {report.refused}" if report.refused else None)

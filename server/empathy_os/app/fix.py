"""Verified fixes and patch verification, the use cases behind `empathy orchestrate fix`, `empathy verify` and
the daemon's Fix (verified) / Verify: each change applied in a private copy and kept only if it works."""

from __future__ import annotations

from empathy_os.app.requests import FixRequest, VerifyRequest
from empathy_os.app.results import FixResult, VerifyResult
from empathy_os.app.wire import fix_report_wire, verdict_wire
from empathy_os.progress_callback import Progress, no_progress


async def fix(request: FixRequest, progress: Progress = no_progress) -> FixResult:
    import empathy_os.workflows  # noqa: F401 - registers the boost as the test_coverage_analyzer proposer
    from empathy_os.changes.workflow import render_text, run_fix

    report = await run_fix(request.root, rules=request.rules, paths=request.paths, agents=request.agents,
                           max_cost=request.max_cost, apply=request.apply, python=request.python,
                           trusted=request.trusted, lines=set(request.lines) if request.lines else None,
                           progress=progress)
    return FixResult(report=report.to_json(), wire=fix_report_wire(report),
                     text=render_text(report, applied=request.apply),
                     exit_code=0 if not report.unresolved and not report.refused else 1)


async def verify(request: VerifyRequest, progress: Progress = no_progress) -> VerifyResult:
    from empathy_os.changes.engine import verify_patch

    verdict = await verify_patch(request.root, request.patch, python=request.python, trusted=request.trusted,
                                 max_bytes=request.max_patch_bytes)
    return VerifyResult(verdict=verdict.to_json(), wire=verdict_wire(verdict),
                        exit_code=2 if verdict.bad_input else 0 if verdict.verified else 1,
                        usage_error=verdict.bad_input or None)

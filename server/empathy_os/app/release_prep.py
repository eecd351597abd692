"""Release prep and release fix, the use cases behind `empathy orchestrate release-prep [--fix [--apply]]` and
the daemon's Prepare release / Make Release-Ready.

Everything around the workflow is here, so every front end gets it: an unchanged re-run answered from the
stored report (app/replay.py), the project's interpreter started early to import coverage and pytest while we
import the workflows (early_tests.py), the trust rule, and the release fix with its re-measure after writing.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator
from typing import Any

from empathy_os.app import replay
from empathy_os.app.requests import ReleaseFixRequest, ReleasePrepRequest
from empathy_os.app.results import ReleasePrepResult, Unit
from empathy_os.progress_callback import Progress, no_progress

Prep = ReleasePrepRequest | ReleaseFixRequest


def replay_key(request: Prep) -> str | None:
    """The key this run's report is stored under for the next identical run (None: never replayed)."""
    return replay.key(request.root, replay.options(request.root, python=request.python, gates=request.gates,
                                                  max_cost=request.max_cost, trusted=request.trusted))


async def run(request: Prep, progress: Progress = no_progress) -> ReleasePrepResult:
    started = time.perf_counter()
    run_key = replay_key(request)
    # A fix, a SARIF document or --no-cache need a real run (their report is still kept for the next one).
    may_replay = run_key is not None and request.kind == "release_prep" and request.use_cache and not request.sarif
    if may_replay and (stored := replay.lookup(request.root, run_key, started=started)) is not None:
        return ReleasePrepResult(report=stored["report"], text=stored["text"], replayed=True,
                                 exit_code=0 if stored["approved"] else 1)
    workflow, report = await _measure(request, progress)
    if run_key is not None:
        replay.store(request.root, run_key, report, trusted=request.trusted)
    from empathy_os.workflows.reports import render_sarif, render_text

    result = ReleasePrepResult(report=report.to_json(), text=render_text(report),
                               exit_code=0 if report.approved else 1,
                               sarif=render_sarif(report) if request.sarif else None)
    if request.kind == "release_fix":
        await _fix(request, workflow, report, result, progress)
    return result


async def _measure(request: Prep, progress: Progress) -> tuple[Any, Any]:
    from empathy_os import early_tests

    # The test run's interpreter starts now and imports coverage and pytest while we import the workflows.
    early_tests.start(request.root, request.python, request.trusted)
    try:
        with _gc_paused():
            from empathy_os.workflows.orchestrated_release_prep import OrchestratedReleasePrepWorkflow

        workflow = OrchestratedReleasePrepWorkflow(quality_gates=request.gates, max_cost=request.max_cost)
        return workflow, await _execute(workflow, request, progress, use_cache=request.use_cache)
    finally:
        early_tests.stop()  # not taken: the coverage analyzer did not run the tests (cached, not run, ...)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Import the workflows with the cyclic GC off: importing pydantic, the orchestration and the analyzers
    creates many objects that are never garbage, and the collections they trigger cost 0.08-0.15 s
    (measured, import of the release prep workflow)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _execute(workflow: Any, request: Prep, progress: Progress, *, use_cache: bool) -> Any:
    return await workflow.execute(request.root, python=request.python, trusted=request.trusted,
                                  use_cache=use_cache, progress=progress)


async def _fix(request: ReleaseFixRequest, workflow: Any, report: Any, result: ReleasePrepResult,
               progress: Progress) -> None:
    """The release-fix plan on the measured report; with `apply`, the project measured again after writing
    (the verdict is the project's, not the copy's)."""
    import empathy_os.workflows  # noqa: F401 - registers the boost as the test_coverage_analyzer proposer
    from empathy_os.app import release_fix
    from empathy_os.app.release_fix_report import render
    from empathy_os.app.wire import verdict_wire

    fixed = await release_fix.run(request.root, report, gates=request.gates, python=request.python,
                                  trusted=request.trusted, max_cost=request.max_cost, apply=request.apply,
                                  progress=progress)
    fix = result.fix = fixed.json
    result.units = [Unit(ids=ids, verdict=verdict_wire(verdict)) for ids, verdict in fixed.measured]
    result.text += "\n" + render(fix, report, applied=request.apply)
    if fix.get("applied"):
        final = await _execute(workflow, request, progress, use_cache=False)
        fix["verdict_after_writing"] = {"approved": final.approved, "gates": [g.model_dump() for g in final.gates]}
        result.text += ("\n  after writing, measured in the project: "
                        f"{'RELEASE APPROVED' if final.approved else 'RELEASE NOT APPROVED'}")
        result.exit_code = 0 if final.approved else 1

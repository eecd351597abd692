"""The daemon's workflow commands (release prep, coverage boost, verified fixes, verify) run here, in a
child process: one worker mechanism for every command that measures a project.

Why a process and not a thread: the analyzers and the boost parse, measure and copy whole projects. On a
workspace holding a 22 MB generated module the daemon grew by gigabytes, and CPython's allocator keeps
most freed memory, so it never shrank back. A child process hands all of it back to the OS when it exits;
the daemon only keeps the JSON answer (bench/lsp_bench.py --memory measures both).

Protocol (`python -m empathy_os.lsp.worker`): the daemon writes one JSON job line on stdin and keeps stdin
open; the worker writes JSON lines on stdout: `{"progress": [message, percent]}` any number of times, then
one `{"result": ...}` or `{"error": {"kind": "invalid" | "failed" | "cancelled", "message": ...}}`.
SIGTERM/SIGHUP/SIGINT, or the daemon going away (stdin at its end), cancel the job: `run_tool` kills the
tools' process groups and the workflows' `finally` blocks remove their temp folders before the exit, which
comes within empathy_os.shutdown.HARD_EXIT_SECONDS whatever an analysis thread is doing.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

Say = Callable[[str, "float | None"], None]


async def release_prep(job: dict[str, Any], say: Say) -> dict[str, Any]:
    from empathy_os.workflows.orchestrated_release_prep import OrchestratedReleasePrepWorkflow

    workflow = OrchestratedReleasePrepWorkflow(quality_gates=job["gates"], max_cost=job["max_cost"])
    report = await workflow.execute(job["root"], python=job["python"], trusted=job["trusted"] is True,
                                    use_cache=True, progress=say)
    return report.to_json()


async def coverage_boost(job: dict[str, Any], say: Say) -> dict[str, Any]:
    from empathy_os.workflows.test_coverage_boost import TestCoverageBoostWorkflow

    workflow = TestCoverageBoostWorkflow(target=job["target"], max_iterations=3, max_cost=job["max_cost"])
    report = await workflow.execute(job["root"], only=job["only"], dry_run=job["dry_run"], write=False,
                                    trusted=job["trusted"] is True, python=job["python"], progress=say)
    covered: dict[str, set[int]] = {}
    for verdict in report.kept:
        covered.setdefault(verdict.candidate.gap.path, set()).update(verdict.new_lines)
    return {"report": report.to_json(), "files": [f.to_json() for f in report.files],
            "covered": {path: sorted(lines) for path, lines in covered.items()}}


async def fix(job: dict[str, Any], say: Say) -> dict[str, Any]:
    import empathy_os.workflows  # noqa: F401 - registers the boost as the test_coverage_analyzer proposer
    from empathy_os.changes.workflow import run_fix

    report = await run_fix(job["root"], rules=job["rules"], paths=job["paths"], agents=job["agents"],
                           max_cost=job["max_cost"], apply=False, python=job["python"],
                           trusted=job["trusted"] is True, lines=set(job["lines"]) if job["lines"] else None,
                           progress=say)
    data = report.model_dump(mode="json")
    for wire, result in zip(data["results"], report.results, strict=True):
        wire["verdict"] = _verdict_wire(result.verdict)
    if report.change_set is not None:
        data["change_set"]["verdict"] = _verdict_wire(report.change_set.verdict)
    return data


async def release_fix(job: dict[str, Any], say: Say) -> dict[str, Any]:
    import empathy_os.workflows  # noqa: F401 - registers the boost as the test_coverage_analyzer proposer
    from empathy_os.app import release_fix as use_case
    from empathy_os.workflows.orchestrated_release_prep import OrchestratedReleasePrepWorkflow

    trusted = job["trusted"] is True
    workflow = OrchestratedReleasePrepWorkflow(quality_gates=job["gates"], max_cost=job["max_cost"])
    report = await workflow.execute(job["root"], python=job["python"], trusted=trusted, use_cache=True,
                                    progress=say)
    result = await use_case.run(job["root"], report, gates=job["gates"], python=job["python"], trusted=trusted,
                                max_cost=job["max_cost"], progress=say)
    return {"report": report.to_json(), "fix": result.json,
            "units": [{"ids": ids, "verdict": _verdict_wire(verdict)} for ids, verdict in result.measured]}


async def verify(job: dict[str, Any], say: Say) -> dict[str, Any]:
    from empathy_os.changes.engine import verify_patch

    return _verdict_wire(await verify_patch(job["root"], job["patch"], python=job["python"],
                                            trusted=job["trusted"] is True))


def _verdict_wire(verdict: Any) -> dict[str, Any]:
    # `after_content` (the bytes an applied change writes) is excluded from dumps on purpose; the daemon
    # needs it to build the edit, so it travels here as base64.
    return {**verdict.model_dump(mode="json"), "after_content": {
        path: None if data is None else base64.b64encode(data).decode("ascii")
        for path, data in verdict.after_content.items()}}


def verdict_from_wire(data: dict[str, Any]) -> Any:
    from empathy_os.changes.model import Verdict

    return Verdict.model_validate({**data, "after_content": {
        path: None if text is None else base64.b64decode(text) for path, text in data["after_content"].items()}})


def fix_report_from_wire(data: dict[str, Any]) -> Any:
    from empathy_os.changes.workflow import FixReport

    results = [{**r, "verdict": verdict_from_wire(r["verdict"])} for r in data["results"]]
    whole = data.get("change_set")
    whole = whole and {**whole, "verdict": verdict_from_wire(whole["verdict"])}
    return FixReport.model_validate({**data, "results": results, "change_set": whole})


JOBS: dict[str, Callable[[dict[str, Any], Say], Awaitable[dict[str, Any]]]] = {
    "release_prep": release_prep,
    "coverage_boost": coverage_boost,
    "fix": fix,
    "release_fix": release_fix,
    "verify": verify,
}


def main() -> int:
    # The protocol gets its own copy of stdout; fd 1 then points at stderr, so nothing printed by a library
    # (or a tool run in process) can corrupt it.
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    lock = threading.Lock()

    def emit(message: dict[str, Any]) -> None:
        with lock:  # progress may come from a workflow's threads
            channel.write(json.dumps(message) + "\n")
            channel.flush()

    def say(message: str, percent: float | None = None) -> None:
        emit({"progress": [message, percent]})

    from empathy_os.lsp import logs

    logs.configure(os.environ.get("EMPATHY_LSP_LOG", "WARNING"))
    job = json.loads(sys.stdin.readline() or "{}")
    run = JOBS.get(job.get("kind", ""))
    if run is None:
        emit({"error": {"kind": "invalid", "message": f"unknown job {job.get('kind')!r}"}})
        return 2

    async def guarded() -> int:
        from empathy_os import shutdown

        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        assert task is not None
        shutdown.on_terminate(task, [], signals=(signal.SIGTERM, signal.SIGHUP, signal.SIGINT))

        def watch_parent() -> None:  # the daemon keeps our stdin open; its end means the daemon is gone
            sys.stdin.read()
            shutdown.exit_later(130)
            loop.call_soon_threadsafe(task.cancel)

        threading.Thread(target=watch_parent, daemon=True).start()
        try:
            emit({"result": await run(job, say)})
            return 0
        except asyncio.CancelledError:
            emit({"error": {"kind": "cancelled", "message": "cancelled"}})
            # Unwound (temp folders removed): end without waiting for analysis threads (shutdown.py).
            shutdown.exit_now(130)
            return 130
        except ValueError as exc:  # an unusable project or setting: the caller's InvalidParams
            emit({"error": {"kind": "invalid", "message": str(exc)}})
            return 2
        except Exception as exc:  # noqa: BLE001 - the daemon reports it in one line; the traceback goes to its log
            traceback.print_exc(file=sys.stderr)
            emit({"error": {"kind": "failed", "message": f"{type(exc).__name__}: {exc}"}})
            return 1
        finally:
            from empathy_os.proc import kill_live_groups

            kill_live_groups()

    return asyncio.run(guarded())


if __name__ == "__main__":
    sys.exit(main())

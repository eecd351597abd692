"""The daemon's workflow commands (release prep, coverage boost, verified fixes, verify) run here, in a
child process: one worker mechanism for every command that measures a project.

Why a process and not a thread: the analyzers and the boost parse, measure and copy whole projects. On a
workspace holding a 22 MB generated module the daemon grew by gigabytes, and CPython's allocator keeps
most freed memory, so it never shrank back. A child process hands all of it back to the OS when it exits;
the daemon only keeps the JSON answer (bench/lsp_bench.py --memory measures both).

Protocol (`python -m empathy_os.lsp.worker`): the daemon writes one request (app/requests.py, its
`model_dump(mode="json")`) as a JSON line on stdin and keeps stdin open; the worker runs `app.run` on it and
writes JSON lines on stdout: `{"progress": [message, percent]}` any number of times, then one
`{"result": ...}` (the use case's result, app/results.py) or
`{"error": {"kind": "invalid" | "failed" | "cancelled", "message": ...}}`.
SIGTERM/SIGHUP/SIGINT, or the daemon going away (stdin at its end), cancel the job: `run_tool` kills the
tools' process groups and the workflows' `finally` blocks remove their temp folders before the exit, which
comes within empathy_os.shutdown.HARD_EXIT_SECONDS whatever an analysis thread is doing.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

Say = Callable[[str, "float | None"], None]


async def run_job(job: Any, say: Say) -> dict[str, Any]:
    """The use case the request names (`app.run`), its typed result as JSON. A malformed request is a
    ValueError in one line (the caller's InvalidParams)."""
    from pydantic import ValidationError

    from empathy_os import app
    from empathy_os.app.requests import Request, one_line

    try:
        request = Request.model_validate(job).root
    except ValidationError as exc:
        raise ValueError(one_line(exc)) from None
    result = await app.run(request, say)
    return result.model_dump(mode="json")


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
    try:
        job = json.loads(sys.stdin.readline() or "{}")
    except ValueError as exc:
        emit({"error": {"kind": "invalid", "message": f"the job is not JSON: {exc}"}})
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
            emit({"result": await run_job(job, say)})
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

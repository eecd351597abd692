"""Long commands: work-done progress that always ends, cancellation from the client, work off the loop.

A workflow runs in a child process (`run_in_child`, see lsp/worker.py), so CPU-bound analysis (AST walks,
radon) never stalls the language server's loop: diagnostics on save and `$/cancelRequest` stay
responsive, and the memory it needed goes back to the OS when it ends. Cancelling the command's task stops
the worker, which kills each tool's process group first; we wait for it before answering, so nothing is
left running.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcRequestCancelled

from empathy_os.lsp import lifecycle

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

GRACE_SECONDS = 3.0  # a worker asked to stop gets this long before it is killed (it ends in 1.5 s: shutdown.py)
log = logging.getLogger(__name__)


def _cancel_on(future: Future | None, task: asyncio.Task, loop: asyncio.AbstractEventLoop) -> None:
    """Cancel `task` when pygls cancels `future` (it does so on `$/cancelRequest` / progress cancel)."""
    if future is None:
        return

    def done(fut: Future) -> None:
        if fut.cancelled() and not task.done():
            loop.call_soon_threadsafe(task.cancel)

    future.add_done_callback(done)


class RequestFailed(JsonRpcException):
    """LSP's RequestFailed: the request was valid but could not be carried out (reason in the message)."""

    CODE = -32803
    MESSAGE = "Request Failed"


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command handler clean JSON-RPC errors.

    Cancellation becomes RequestCancelled: pygls answers `$/cancelRequest` itself, but a task cancelled
    another way (the client cancelling the progress) would otherwise leave the request unanswered.
    An unexpected exception becomes a one-line RequestFailed (the traceback goes to the log, not the
    user), where pygls would send the whole traceback as the message.
    """

    def failed(exc: Exception) -> RequestFailed:
        log.exception("command %s failed", fn.__name__)
        return RequestFailed(f"{type(exc).__name__}: {exc}")

    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            lifecycle.track(asyncio.current_task())  # cancelled and awaited if the daemon is stopped
            try:
                return await fn(*args, **kwargs)
            except asyncio.CancelledError:
                raise JsonRpcRequestCancelled("cancelled") from None
            except JsonRpcException:
                raise
            except Exception as exc:  # noqa: BLE001 - reported to the client as one line
                raise failed(exc) from None

        return async_wrapper

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except JsonRpcException:
            raise
        except Exception as exc:  # noqa: BLE001 - reported to the client as one line
            raise failed(exc) from None

    return wrapper


def link_request_cancel(ls: LanguageServer, task: asyncio.Task) -> None:
    """Make `$/cancelRequest` for the request being handled cancel `task`.

    pygls cancels only the request's bookkeeping future (and answers "cancelled"); the coroutine running an
    executeCommand handler is a separate task it does not touch, so we chain the two.
    """
    msg_id = ls.protocol.msg_id
    if msg_id is not None:
        # pygls keeps in-flight request futures here; there is no public accessor.
        _cancel_on(ls.protocol._request_futures.get(msg_id), task, asyncio.get_running_loop())


class WorkDone:
    """`$/progress` begin/report/end around one long command; the end is sent whatever happens.

    Uses the client's `workDoneToken` when the request carried one, else creates a server-initiated token
    when the client supports `window.workDoneProgress`, else reports nothing (but still runs).
    Cancelling the progress in the client cancels the current task.
    """

    def __init__(self, ls: LanguageServer, title: str, token: types.ProgressToken | None = None):
        self.ls = ls
        self.title = title
        self.token = token
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: int | None = None
        self._ended = False
        self.outcome = "done"

    def _supported(self) -> bool:
        window = self.ls.client_capabilities.window
        return bool(window and window.work_done_progress)

    async def __aenter__(self) -> WorkDone:  # noqa: PYI034
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        progress = self.ls.work_done_progress
        if self.token is None and self._supported():
            token = f"empathy-{uuid.uuid4()}"
            try:
                await progress.create_async(token)
                self.token = token
            except Exception as exc:  # noqa: BLE001 - a client may refuse; the command still runs without a progress bar
                log.warning("client refused work-done progress: %s", exc)
        if self.token is not None:
            progress.begin(self.token, types.WorkDoneProgressBegin(title=self.title, cancellable=True,
                                                                   percentage=0))
            task = asyncio.current_task()
            if task is not None:
                _cancel_on(progress.tokens.get(self.token), task, self._loop)
        return self

    def report(self, message: str, percent: float | None = None) -> None:
        """A `Progress` callback; safe to call from the worker thread."""
        if self.token is None or self._loop is None:
            return
        value = types.WorkDoneProgressReport(
            message=message,
            percentage=None if percent is None else max(0, min(100, int(percent))),
            cancellable=True,
        )
        if threading.get_ident() == self._thread:
            self._send(value)
        else:  # from the worker: the protocol's writer belongs to the server's loop
            self._loop.call_soon_threadsafe(self._send, value)

    def _send(self, value: types.WorkDoneProgressReport) -> None:
        if not self._ended and self.token is not None:  # a late report after the end would be invalid
            self.ls.work_done_progress.report(self.token, value)

    async def __aexit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            if issubclass(exc_type, asyncio.CancelledError):
                self.outcome = "cancelled"
            else:
                self.outcome = f"failed: {exc}"
        self._ended = True
        if self.token is not None:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=self.outcome))
            self.ls.work_done_progress.tokens.pop(self.token, None)


async def run_in_child(request: Any, progress: Callable[[str, float | None], None]) -> dict[str, Any]:
    """Run one use case (an app request) in a child process (`empathy_os.lsp.worker`, which says why) and
    return its result as JSON.

    Progress lines are handed to `progress`. A `ValueError` (a malformed request, an unusable project or
    setting) comes back as InvalidParams, any other failure as RequestFailed. Cancelling the caller sends the worker SIGTERM and
    waits for it to exit (it kills its tools and removes its temp folders first), so "cancelled" means
    nothing is still running; a worker that ignores it is killed after GRACE_SECONDS.
    """
    # The worker's TMPDIR is a folder of ours, removed once it has exited whatever happened: a temp folder
    # the job made (a sandbox copy half created when the job was cancelled) cannot outlive the command.
    scratch = tempfile.mkdtemp(prefix="empathy-worker-")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "empathy_os.lsp.worker",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        cwd=scratch,  # nothing of the project's on the worker's import path
        env={**os.environ, "TMPDIR": scratch},
        limit=256 * 2**20,  # the answer is one JSON line (a big project's findings)
    )
    try:
        answer = await _exchange(proc, request.model_dump(mode="json"), progress)
    finally:
        if proc.returncode is None:  # cancelled, or any other way out: the worker must not outlive us
            await asyncio.shield(_end(proc))
        shutil.rmtree(scratch, ignore_errors=True)
    if "result" in answer:
        return answer["result"]
    error = answer.get("error") or {}
    if error.get("kind") == "invalid":
        raise JsonRpcInvalidParams(error.get("message"))
    if error.get("kind") == "cancelled":  # by a signal from someone else
        raise RequestFailed("the run was stopped from outside (signal)")
    raise RequestFailed(error.get("message") or f"the worker process ended with exit code {proc.returncode}")


async def _exchange(proc: asyncio.subprocess.Process, job: dict[str, Any],
                    progress: Callable[[str, float | None], None]) -> dict[str, Any]:
    """Send the job, relay progress, return the worker's last message."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(job).encode() + b"\n")  # stdin stays open: its end tells the worker we died
    await proc.stdin.drain()
    answer: dict[str, Any] = {}
    while line := await proc.stdout.readline():
        message = json.loads(line)
        if "progress" in message:
            progress(*message["progress"])
        else:
            answer = message
    await proc.wait()
    return answer


async def _end(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), GRACE_SECONDS)
        except TimeoutError:
            proc.kill()
            await proc.wait()

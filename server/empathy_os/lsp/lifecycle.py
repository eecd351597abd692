"""How the daemon ends: the client going away, SIGTERM and SIGHUP.

- Client gone. pygls's stdout writer raises on every message once the client has closed its end (a
  BrokenPipeError, then "I/O operation on closed file" from a closed stream), and pygls logs each with a
  traceback: a release prep still reporting progress wrote megabytes of them. `QuietWriter` turns the first
  failure into one log line and a clean stop, and drops whatever is written after it.
- SIGTERM / SIGHUP (an editor killing its server, a closed terminal). Python's default is to die on the
  spot, leaving the tools we started (a coverage run, a generation script: each in its own process group,
  so not killed with us) running without a parent, and their temp folders behind. `stop` kills every
  process group `run_tool` started, cancels the running commands and waits (briefly) for them to unwind,
  which removes their temp folders, then exits.
- stdin closed (the client's end of the connection): pygls would end its loop under the running commands
  (each then logs "unhandled exception during asyncio.run() shutdown"); `StdinWatcher` hands the end of
  input to `stop` instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)

# How long cancelled commands get to unwind before we exit anyway: more than a worker process gets
# (progress.GRACE_SECONDS) before it is killed, so its folder is removed by the command itself.
GRACE_SECONDS = 5.0
SIGNALS = (signal.SIGTERM, signal.SIGHUP)

# Command and analysis tasks that must be cancelled (and awaited) before the process ends.
_RUNNING: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()
_state: dict[str, Any] = {}  # "loop": the server's event loop; "stopping": a stop has begun


def kill_live_groups() -> None:
    """Kill every process group `run_tool` started and that still runs. The analyzers are imported on
    first use only (start-up stays light): if they were never imported, nothing was started."""
    base = sys.modules.get("empathy_os.proc")
    if base is not None:
        base.kill_live_groups()


def track(task: asyncio.Task[Any] | None) -> None:
    if task is not None:
        _RUNNING.add(task)


class QuietWriter:
    """The server's writer; once a write fails because the client is gone, stop instead of raising."""

    def __init__(self, inner: Any, on_gone: Callable[[str], None]) -> None:
        self.inner = inner
        self.on_gone = on_gone
        self.gone = False

    def write(self, data: bytes) -> Any:
        if self.gone:
            return None
        try:
            return self.inner.write(data)
        except (OSError, ValueError) as exc:  # BrokenPipeError, ConnectionResetError, closed file
            self.gone = True
            self.on_gone(f"the client went away ({type(exc).__name__}: {exc})")
            return None

    def close(self) -> Any:
        try:
            return self.inner.close()
        except (OSError, ValueError):
            return None


class StdinWatcher:
    """The stream pygls reads messages from; at its end, stop the daemon our way (see the module doc)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def readline(self) -> bytes:
        return self._or_stop(self.inner.readline())

    def read(self, n: int = -1) -> bytes:
        return self._or_stop(self.inner.read(n))

    def _or_stop(self, data: bytes) -> bytes:
        if data:
            return data
        request_stop("the client closed the connection", 0)
        threading.Event().wait()  # pygls's reader thread waits here until stop() ends the process
        return data


def request_stop(reason: str, code: int = 0) -> None:
    """Stop from anywhere (a signal handler, a worker thread): kill our tool processes now, the rest on the
    server's loop."""
    kill_live_groups()
    loop = _state.get("loop")
    if loop is None or loop.is_closed():
        os._exit(code)
    loop.call_soon_threadsafe(lambda: asyncio.ensure_future(stop(reason, code)))


async def stop(reason: str, code: int) -> None:
    if _state.get("stopping"):
        return
    _state["stopping"] = True
    kill_live_groups()  # first: nothing we started may outlive us, however slow the rest is
    tasks = [t for t in list(_RUNNING) if not t.done()]
    # A client leaving an idle server is the normal end: worth a line only when work is cut short.
    log.log(logging.WARNING if tasks or code else logging.INFO, "%s: stopping%s", reason,
            f" ({len(tasks)} running task(s) cancelled)" if tasks else "")
    for task in tasks:
        task.cancel()
    if tasks:
        # Their `finally` blocks (run_tool's kill, the temp folders' removal) run as they unwind.
        await asyncio.wait(tasks, timeout=GRACE_SECONDS)
    kill_live_groups()
    logging.shutdown()
    # Not sys.exit: pygls's reader thread is blocked on stdin and would keep the process alive.
    os._exit(code)


def install(ls: LanguageServer) -> None:
    """Called on the server's loop (at `initialize`): signal handlers, and a writer that notices the client
    going away."""
    loop = _state["loop"] = asyncio.get_running_loop()
    for sig in SIGNALS:
        try:
            loop.add_signal_handler(sig, request_stop, f"received {sig.name}", 128 + sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread / not POSIX
            log.info("cannot handle %s here", sig.name)
    writer = ls.protocol.writer
    if writer is not None and not isinstance(writer, QuietWriter):
        ls.protocol.writer = QuietWriter(writer, lambda why: request_stop(why, 0))

"""SIGTERM and SIGHUP end a run within seconds, whatever it is doing (used by the CLI and the daemon's worker).

On the signal the process groups of every tool and worker we started are killed at once, and the run's
task is cancelled, so its `finally` blocks remove temp folders on the way out. Then the process ends with
`os._exit`: a normal exit would first join the analysis threads (concurrent.futures joins its workers at
interpreter exit, asyncio.run its default executor), and a thread cannot be interrupted: on a 5 MB module
that kept the CLI alive for minutes after it printed "terminated". If the unwinding itself does not finish
within HARD_EXIT_SECONDS, a watchdog thread kills the groups again and exits anyway.

The handler is a plain `signal.signal` one (as asyncio.Runner's own SIGINT handler), not the loop's
add_signal_handler: it runs between two bytecodes of the main thread even while the loop is busy.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

TERMINATING = (signal.SIGTERM, signal.SIGHUP)
HARD_EXIT_SECONDS = 1.5


def kill_started_processes() -> None:
    """Kill every process group run_tool and the worker pools started. The analyzers are imported on first
    use only: if they were never imported, nothing was started."""
    base = sys.modules.get("empathy_os.proc")
    if base is not None:
        base.kill_live_groups()


def exit_now(code: int, last_words: bytes = b"") -> None:
    """Kill what we started, write `last_words` to stderr, flush, and end the process (no thread joins)."""
    kill_started_processes()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    if last_words:
        try:
            os.write(2, last_words)
        except OSError:
            pass
    os._exit(code)


def exit_later(code: int, last_words: bytes = b"") -> None:
    """exit_now after HARD_EXIT_SECONDS, from a thread of its own, unless the process has ended by then."""
    def wait_then_exit() -> None:
        time.sleep(HARD_EXIT_SECONDS)
        exit_now(code, last_words)

    threading.Thread(target=wait_then_exit, name="empathy-hard-exit", daemon=True).start()


def on_terminate(task: asyncio.Task, received: list[int], last_words: Callable[[int], bytes] = lambda signum: b"",
                 signals: tuple[int, ...] = TERMINATING) -> Callable[[], None]:
    """Install the handlers for `task` (running on this thread's loop); returns the function that restores
    the previous ones. The first signal received is appended to `received`; the forced exit's code is
    128 + its number."""
    loop = asyncio.get_running_loop()

    def handler(signum: int, frame: object) -> None:
        if received:
            return  # the first one is being handled; the watchdog is armed
        received.append(signum)
        kill_started_processes()
        exit_later(128 + signum, last_words(signum))
        if not task.done():
            task.cancel()
        loop.call_soon_threadsafe(lambda: None)  # wake the loop, as asyncio.Runner does for SIGINT

    previous = {signum: signal.signal(signum, handler) for signum in signals}

    def restore() -> None:
        for signum, old in previous.items():
            signal.signal(signum, old)

    return restore

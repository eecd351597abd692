"""Starting and killing processes: every tool run gets its own process group, killed whole on timeout,
cancellation or a terminating signal. Project code is started only through `empathy_os.execution`, which
adds the trust check and the scrubbed environment on top of `run_tool`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

# asyncio and concurrent.futures are imported where used: execution and early_tests import this module
# before anything heavy, so the early test interpreter (early_tests) starts while the rest is imported.


@dataclass
class ToolRun:
    returncode: int
    stdout: str
    stderr: str
    duration: float


class ToolTimeout(Exception):
    pass


# Process groups we started and that are still running: a SIGTERM/SIGHUP handler (CLI or daemon) kills them
# all with kill_live_groups(), since it may run while the tasks that own them are not scheduled.
_LIVE_GROUPS: set[int] = set()


def track_group(pgid: int) -> None:
    """Count the process group `pgid` (started by us, in its own session) among those kill_live_groups ends."""
    _LIVE_GROUPS.add(pgid)


def forget_group(pgid: int) -> None:
    """The group `pgid` has been killed or has ended: kill_live_groups need not end it."""
    _LIVE_GROUPS.discard(pgid)


# Static analysis runs at a lower CPU priority than the project's tests. On a 2-CPU machine the test run is
# the longest path of a release prep; bandit, radon and interrogate taking turns on its CPU made it slower.
# On an idle machine a lower priority costs nothing. Linux sets a priority per thread, so the analyzers'
# threads are lowered and the event loop's thread is not; elsewhere this is a no-op for threads.
BACKGROUND_NICE = 10
_background: ThreadPoolExecutor | None = None


def lower_priority(pid: int) -> None:
    """Nice `pid` (a process, or a thread id on Linux) to BACKGROUND_NICE, never raising its priority."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, pid, max(os.getpriority(os.PRIO_PROCESS, pid), BACKGROUND_NICE))


async def in_background(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` in a thread of lower priority (asyncio.to_thread's semantics otherwise)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    global _background
    if _background is None:
        _background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="empathy-analysis",
                                         initializer=lambda: lower_priority(threading.get_native_id()))
    call = functools.partial(contextvars.copy_context().run, fn, *args)
    return await asyncio.get_running_loop().run_in_executor(_background, call)


async def run_tool(
    cmd: list[str],
    cwd: Path,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
    *,
    inherit_env: bool = True,
    background: bool = False,
) -> ToolRun:
    """Run a tool in its own process group; on timeout or cancellation the whole group is killed.

    A tool like pytest spawns children; killing only the leader would leave them behind.
    `env` is merged over our environment, or replaces it when `inherit_env` is False (project code:
    see empathy_os.execution, which decides what of our environment it may see). `background`: a static
    analysis tool, run at a lower CPU priority than the tests (BACKGROUND_NICE).
    """
    import asyncio

    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *cmd,
        cwd=str(cwd),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
        env={**os.environ, **(env or {})} if inherit_env else dict(env or {}),
        start_new_session=True,
    )
    track_group(proc.pid)
    if background:
        lower_priority(proc.pid)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except (TimeoutError, asyncio.CancelledError) as exc:
        kill_group(proc.pid)
        await proc.wait()
        if isinstance(exc, asyncio.TimeoutError):
            raise ToolTimeout(f"{Path(cmd[0]).name} timed out after {timeout:.0f}s") from None
        raise
    finally:
        # The leader has exited; its group may still hold children (a test's own subprocesses).
        kill_group(proc.pid)
        forget_group(proc.pid)
    return ToolRun(
        proc.returncode or 0,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        time.perf_counter() - started,
    )


def kill_live_groups() -> int:
    """SIGKILL every process group run_tool started that is still running; how many. Signal-safe."""
    groups = list(_LIVE_GROUPS)
    for pgid in groups:
        kill_group(pgid)
    return len(groups)


def isolated_python(code: str, *args: str) -> list[str]:
    """Command running `code` in OUR interpreter isolated from the project: `-I` (no working folder or
    script folder on sys.path, no PYTHON* variables, no user site) and `-B` (no bytecode written)."""
    return [sys.executable, "-I", "-B", "-c", code, *args]


def neutral_cwd() -> Path:
    """A working folder that holds nothing of the project's (helpers get the project's paths as arguments)."""
    return Path(tempfile.gettempdir())


def tool_bin(name: str) -> str:
    """The tool's executable beside the running interpreter (our venv), else on PATH."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def kill_group(pid: int) -> None:
    """SIGKILL the process group `pid` leads (project code runs in its own group: its children die too)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass

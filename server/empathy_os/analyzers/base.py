"""The analyzer contract: every tool wrapper returns an `AnalyzerResult` of typed findings + metrics.

An analyzer never invents a figure. If its tool cannot run, the result says so (`ran=False`, `error`),
and carries no metrics; callers (gates, reports) treat that as "not measured".
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import os
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from empathy_os.execution import kill_group


class Severity(StrEnum):
    """Ordered from most to least severe. `critical` is reserved for findings that fail a gate."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class Finding(BaseModel):
    """One thing a tool reported, located in the project (paths are relative to the project root)."""

    tool: str  # "bandit", "ruff", "coverage", "docstrings", ...
    rule: str  # tool's own rule id: "B602", "F401", "coverage-gap", "missing-docstring"
    severity: Severity
    path: str  # posix, relative to the project root
    line: int = Field(ge=1)
    end_line: int | None = None
    column: int | None = None  # 1-based when known
    end_column: int | None = None
    message: str
    symbol: str | None = None  # qualified function/class name when the finding is about one
    confidence: str | None = None  # the tool's own confidence (bandit)
    cwe: int | None = None
    url: str | None = None  # rule documentation
    extra: dict[str, Any] = Field(default_factory=dict)


class AnalyzerResult(BaseModel):
    """What one tool run measured. `metrics` holds only measured values, each named in `source`."""

    analyzer: str  # registry name, e.g. "bandit"
    tool: str  # tool + version actually run, e.g. "bandit 1.9.4"
    ran: bool
    error: str | None = None  # why it could not run (or ran partially)
    findings: list[Finding] = Field(default_factory=list)
    metrics: dict[str, float | int | str | bool | None] = Field(default_factory=dict)
    score: float | None = Field(default=None, ge=0, le=10)  # 0-10, only when a formula applies
    score_formula: str | None = None  # how `score` was computed, in words
    scope: str | None = None  # what was measured ("inventory/ (from .coveragerc)")
    duration_seconds: float = 0.0
    cached: bool = False


@dataclass
class ProjectContext:
    """Everything an analyzer needs to know about the project it measures."""

    root: Path
    python: str = field(default_factory=lambda: sys.executable)  # interpreter for the project's tests
    python_reason: str = ""  # why that interpreter (empathy_os.environment), quoted by reports
    python_source: str = ""  # how it was found: "explicit", a venv folder, "poetry", "empathy", ...
    trusted: bool = True  # False: never execute project code (coverage, test generation)
    settings: dict[str, Any] = field(default_factory=dict)  # [tool.empathy] + overrides
    only_files: list[Path] | None = None  # restrict per-file analyzers to these files
    use_cache: bool = True
    # testgen.sandbox.Sandbox: when set, project code runs inside it (OS sandbox), cwd = root.
    sandbox: Any = None
    # asyncio.Event or None: when set by a workflow (release prep), the other analyzers start once the test
    # run has started (analyzers.run_analyzer), so the longest job is not slowed at its start (GIL, forks).
    tests_first: Any = None
    # Sharded release prep (workflows/shards.py): analyzer results already measured (served by run_analyzer
    # instead of running the tool), and a shard's test files plus the folder keeping its raw test results.
    provided: dict[str, Any] | None = None
    shard: Any = None

    @property
    def cache_dir(self) -> Path:
        return self.root / ".empathy" / "cache"


Analyzer = Callable[[ProjectContext], Awaitable[AnalyzerResult]]

# name -> analyzer; filled by `empathy_os.analyzers` on import (see register()).
REGISTRY: dict[str, Analyzer] = {}


def register(name: str) -> Callable[[Analyzer], Analyzer]:
    def deco(fn: Analyzer) -> Analyzer:
        REGISTRY[name] = fn
        return fn

    return deco


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
    _LIVE_GROUPS.add(proc.pid)
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
        _LIVE_GROUPS.discard(proc.pid)
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

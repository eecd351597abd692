"""The daemon's end of live coverage's warm interpreter (runners/live_worker.py), one per trusted workspace.

The coverage analyzer runs its driver through `launch` (the context's `test_launcher`) instead of starting
the project's interpreter: the worker forks a child that already has pytest, its plugins, coverage and the
test modules' third-party imports loaded, and the child runs the driver exactly as `python -c DRIVER SPEC`
would. When the worker is gone the run is started cold, as before.

Rebuilt (`key`) when what it loaded could be stale: another interpreter or a new build of it, a package
installed or removed (the mtime of every folder on its sys.path), a conftest or a pytest/coverage/packaging
config changed. Stopped with the workspace, when trust is revoked and at exit (its stdin closes with the
daemon, so it ends by itself too). Bounded: after a refresh whose worker holds more than
`live_worker_max_mb` ([tool.empathy], default 512) MiB resident, it is stopped and started afresh.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from empathy_os.analyzers._pytest import isolated_env
from empathy_os.analyzers.contract import ProjectContext
from empathy_os.analyzers.coverage_map import config_hash
from empathy_os.analyzers.project import all_py_files
from empathy_os.execution import check_trusted, project_env, run_project_code
from empathy_os.proc import ToolRun, forget_group, kill_group, track_group
from empathy_os.testgen.warm import WarmGone, WarmWorker

log = logging.getLogger(__name__)
RUNNER = Path(__file__).resolve().parents[1] / "runners" / "live_worker.py"
DEFAULT_MAX_MB = 512
START_TIMEOUT = 120


def _conftests(ctx: ProjectContext) -> list[Path]:
    return [p for p in all_py_files(ctx) if p.name == "conftest.py"]


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _mtime(path: str) -> str:
    try:
        return str(os.stat(path).st_mtime_ns)
    except OSError:
        return "-"


def project_key(ctx: ProjectContext) -> str:
    """What the worker's preload depends on in the project: the interpreter, conftests and configs."""
    parts = [ctx.python, _mtime(os.path.realpath(ctx.python)), config_hash(ctx)]
    for path in sorted(_conftests(ctx)):
        try:
            parts.append(f"{path}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
        except OSError:
            parts.append(f"{path}:-")
    return _digest(parts)


def test_imports(ctx: ProjectContext, test_files: list[str]) -> list[str]:
    """The absolute imports of the test modules and conftests: what the worker may preload (it skips
    those that are the project's own)."""
    names: set[str] = set()
    for path in [*(ctx.root / f for f in test_files), *_conftests(ctx)]:
        try:
            tree = ast.parse(path.read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return sorted(names)


class LiveWorker:
    def __init__(self, warm: WarmWorker, key: str, path: list[str], scratch: Path, max_mb: float) -> None:
        self.warm, self.key, self.path, self.scratch, self.max_mb = warm, key, path, scratch, max_mb
        self._stamp = self._paths_stamp()  # the folders on its sys.path as they were when it started
        self.warm_runs = 0  # runs that went through the worker (not cold after it was gone)
        self.closed = False  # set by close(): a run it was serving must not go on cold

    @classmethod
    async def start(cls, ctx: ProjectContext, test_files: list[str], measured: list[str]) -> LiveWorker:
        """`measured`: the files coverage reported last time (relative), whose analysis the worker keeps."""
        check_trusted(ctx)  # the same door as every cold run
        key = await asyncio.to_thread(project_key, ctx)  # before it loads anything: a change meanwhile rebuilds it
        scratch = Path(tempfile.mkdtemp(prefix="empathy-live-"))
        spec = {"root": str(ctx.root), "preload": await asyncio.to_thread(test_imports, ctx, test_files),
                "measured": [str(ctx.root / rel) for rel in measured]}
        proc = await asyncio.create_subprocess_exec(
            ctx.python, str(RUNNER), json.dumps(spec), cwd=str(ctx.root), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
            env=project_env(isolated_env(scratch)), start_new_session=True)
        track_group(proc.pid)
        try:
            ready = json.loads(await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT) or b"{}")
        except (TimeoutError, asyncio.CancelledError, ValueError):
            _end(proc, scratch)
            raise
        if not ready.get("ready"):
            _end(proc, scratch)
            raise WarmGone(f"the warm interpreter did not start (exit {proc.returncode})")
        log.info("warm interpreter for %s: %d module(s) preloaded, %d file analyses kept, dropped %s", ctx.root,
                 len(ready.get("preloaded") or []), ready.get("cached", 0), ready.get("dropped") or "none")
        return cls(WarmWorker(proc, scratch, ctx.python), key, ready["path"], scratch, _max_mb(ctx))

    def current_key(self, key: str) -> bool:
        """Still the worker for this project: same key, and no package installed or removed since."""
        return self.alive and key == self.key and self._paths_stamp() == self._stamp

    @property
    def alive(self) -> bool:
        return self.warm.alive

    @property
    def pid(self) -> int:
        return self.warm.proc.pid

    def _paths_stamp(self) -> str:
        return _digest([_mtime(p or ".") for p in self.path])

    async def launch(self, ctx: ProjectContext, cmd: list[str], cwd: Path, env: dict[str, str],
                     timeout: float | None) -> ToolRun:
        """`cmd` is what run_project_code would start ([python, *argv]); run in a child of the worker."""
        check_trusted(ctx)
        try:
            run = await self.warm.run(cmd[1:], cwd, project_env(env), timeout)
            self.warm_runs += 1
            return run
        except WarmGone:
            if self.closed:  # stopped on purpose (trust revoked, folder removed, exit): no cold run instead
                raise
            return await run_project_code(ctx, cmd, cwd, timeout=timeout, env=env)

    async def reparse(self) -> None:
        """After a refresh: the worker analyses the files edited since, before the next one needs them."""
        with contextlib.suppress(WarmGone):
            await self.warm.tell({"reparse": True})

    def rss_mb(self) -> float:
        import psutil

        try:
            return psutil.Process(self.pid).memory_info().rss / 2**20
        except psutil.Error:
            return 0.0

    def over_budget(self) -> bool:
        return self.rss_mb() > self.max_mb

    async def close(self) -> None:
        self.closed = True
        await self.warm.close()
        forget_group(self.pid)
        shutil.rmtree(self.scratch, ignore_errors=True)


def _max_mb(ctx: ProjectContext) -> float:
    """`live_worker_max_mb`; a value that is not a positive number keeps the default (the refresh must not fail
    on it: the worker is an optimisation)."""
    try:
        value = float(ctx.settings.get("live_worker_max_mb", DEFAULT_MAX_MB))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return DEFAULT_MAX_MB
    return value if value > 0 else DEFAULT_MAX_MB


def _end(proc: asyncio.subprocess.Process, scratch: Path) -> None:
    kill_group(proc.pid)
    forget_group(proc.pid)
    shutil.rmtree(scratch, ignore_errors=True)


def state_test_files(state: dict[str, Any] | None) -> list[str]:
    return sorted({node.split("::", 1)[0] for node in (state or {}).get("tests", {})})


def state_measured(state: dict[str, Any] | None) -> list[str]:
    return sorted(((state or {}).get("report") or {}).get("files") or {})

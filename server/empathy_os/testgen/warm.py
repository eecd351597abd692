"""One warm interpreter per sandbox: the project's Python with pytest, coverage and Hypothesis imported
once, forking a fresh child for every run.

A boost starts pytest ten or more times in its private copy (baseline, generation, candidate batches, mutants,
final runs). Importing pytest, its plugins and Hypothesis costs ~1.7 s of CPU per process on a 2-CPU machine,
more than most of those runs spend on tests. The server below pays it once: it runs inside the same bubblewrap
sandbox as a cold run would (one `bwrap` for the whole boost), never imports project code itself, and for each
request forks a child that takes the request's working folder, environment, argv and `sys.path[0]` exactly as
`python -c CODE ...` / `python -m MODULE ...` / a runner (runners/launch.py) would, with its output in files
of the sandbox (runners/warm_server.py). A forked child starts from the server's memory, so project modules a
run imports are gone for the next run: each run is as fresh as a new process, except for the pre-imported
tools. The cold path (a new process per run) stays for everything else and is taken whenever the server is not
running.

Protocol (JSON lines): Empathy writes {"id", "argv", "cwd", "env", "out", "err"} or {"kill": id}; the server
answers {"ready": true} once, then {"id", "rc", "cpu"} per finished run. End of stdin ends the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from empathy_os import runners
from empathy_os.execution import check_trusted, project_env
from empathy_os.proc import ToolRun, ToolTimeout, forget_group, kill_group, track_group

if TYPE_CHECKING:
    from empathy_os.testgen.sandbox import Sandbox

class WarmGone(RuntimeError):
    """The server is not running (any more): the caller runs the command cold."""


class WarmWorker:
    """Empathy's end of the server: send a run, await its exit code, read its output files."""

    def __init__(self, proc: asyncio.subprocess.Process, scratch: Path, python: str):
        # `scratch`: where a run's output files go (the sandbox's data folder; the live worker's temp folder)
        self.proc, self.scratch, self.python = proc, scratch, python
        self._pending: dict[int, asyncio.Future[int]] = {}
        self._ids = 0
        # user + sys of every finished run and what it waited for (the kernel's rusage): a figure of
        # work done that, unlike wall time, does not depend on what else the machine is doing.
        self.cpu_seconds = 0.0
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, sandbox: Sandbox, timeout: float = 60) -> WarmWorker:
        check_trusted(sandbox)  # the same door as every cold run
        env = project_env(sandbox.env())
        env["EMPATHY_SANDBOX_LOG"] = str(sandbox.base / "data" / "warm-server.log")
        cmd = sandbox.command(runners.command(sandbox.python, "warm_server"))
        proc = await asyncio.create_subprocess_exec(
            *cmd, cwd=str(sandbox.copy), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, env=env, start_new_session=True)
        track_group(proc.pid)
        try:
            first = await asyncio.wait_for(proc.stdout.readline(), timeout)
        except (TimeoutError, asyncio.CancelledError):
            cls._end(proc)
            raise
        if not first.startswith(b'{"ready"'):
            cls._end(proc)
            raise WarmGone(f"the warm interpreter did not start (exit {proc.returncode})")
        return cls(proc, sandbox.base / "data", sandbox.python)

    async def _read(self) -> None:
        try:
            while line := await self.proc.stdout.readline():
                answer = json.loads(line)
                future = self._pending.pop(answer.get("id"), None)
                self.cpu_seconds += float(answer.get("cpu") or 0.0)
                if future is not None and not future.done():
                    future.set_result(int(answer["rc"]))
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(WarmGone("the warm interpreter ended"))
            self._pending.clear()

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None and not self._reader.done()

    async def run(self, argv: list[str], cwd: Path, env: dict[str, str], timeout: float | None) -> ToolRun:
        """`argv` = ["-c", code, *args] or ["-m", module, *args]; like run_tool's answer and timeout."""
        if not self.alive:
            raise WarmGone("the warm interpreter ended")
        self._ids += 1
        rid = self._ids
        out, err = (self.scratch / f"warm-{rid}.{s}" for s in ("out", "err"))
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending[rid] = future
        started = time.perf_counter()
        await self._send({"id": rid, "argv": argv, "cwd": str(cwd), "env": env, "out": str(out), "err": str(err)})
        try:
            rc = await asyncio.wait_for(asyncio.shield(future), timeout)
        except (TimeoutError, asyncio.CancelledError) as exc:
            with contextlib.suppress(WarmGone):  # closed meanwhile (untrust): the cancellation must still win
                await self._send({"kill": rid})
            try:
                await asyncio.wait_for(future, 10)
            except (TimeoutError, WarmGone):
                pass
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise ToolTimeout(f"{Path(self.python).name} timed out after {timeout:.0f}s") from None
        texts = []
        for path in (out, err):
            texts.append(path.read_text(encoding="utf-8", errors="replace") if path.exists() else "")
            path.unlink(missing_ok=True)
        return ToolRun(rc, texts[0], texts[1], time.perf_counter() - started)

    async def tell(self, message: dict) -> None:
        """A message that gets no answer (the live worker's {"reparse": true}); WarmGone once it has ended."""
        await self._send(message)

    async def _send(self, message: dict) -> None:
        try:
            self.proc.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            await self.proc.stdin.drain()
        except (ConnectionError, RuntimeError) as exc:
            raise WarmGone(f"the warm interpreter ended: {exc}") from None

    async def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 5)
        except TimeoutError:
            pass
        self.kill()

    def kill(self) -> None:
        self._end(self.proc)
        self._reader.cancel()

    @staticmethod
    def _end(proc: asyncio.subprocess.Process) -> None:
        kill_group(proc.pid)
        forget_group(proc.pid)

"""Per-file analyses in worker processes we own and can kill (_perfile.py says why), each file under a
CPU-time limit: `[tool.empathy] file_timeout` seconds (default FILE_TIMEOUT). A file past it is skipped and
named by the analyzer's result.

Workers are started per analysis (two at most, one for a small project), niced like the other static
analysis (base.BACKGROUND_NICE), each in its own process group registered with run_tool's, so a SIGTERM
handler's kill_live_groups() ends them at once, whatever they are computing. A worker that does not answer
within a wall-clock bound well past the CPU limit (a file stuck in C code) is killed and replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from empathy_os.analyzers import _perfile
from empathy_os.analyzers._util import setting
from empathy_os.analyzers.contract import ProjectContext
from empathy_os.analyzers.project import rel
from empathy_os.proc import forget_group, kill_group, lower_priority, track_group

FILE_TIMEOUT = 5.0  # seconds of CPU per file and analyzer: radon needs ~0.2 s for a 2,000-line module
SMALL_PROJECT_BYTES = 256_000  # below this much source, one worker: a second start costs more than it saves
_WORKER = [sys.executable, "-I", "-B", str(Path(_perfile.__file__))]


def file_timeout(ctx: ProjectContext) -> float:
    """The setting, or the default when it is missing or not a positive number."""
    value = setting(ctx, "file_timeout", FILE_TIMEOUT)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return FILE_TIMEOUT
    return seconds if math.isfinite(seconds) and seconds > 0 else FILE_TIMEOUT


@dataclass
class PerFile:
    """Answers by file; files over the time limit; other files skipped, with the reason."""

    limit: float
    results: dict[Path, dict[str, Any]] = field(default_factory=dict)
    timed_out: list[Path] = field(default_factory=list)
    skipped: dict[Path, str] = field(default_factory=dict)  # cannot compile, the tool failed on it

    def notes(self, ctx: ProjectContext, cannot: str) -> list[str]:
        """Report lines naming every file left out: `cannot` says what the others are (\"radon cannot
        parse\")."""
        notes = []
        if self.timed_out:
            names = ", ".join(rel(ctx, p) for p in self.timed_out)
            notes.append(f"skipped {len(self.timed_out)} file(s) over the time limit of {self.limit:g} s of CPU "
                         f"per file ([tool.empathy] file_timeout): {names}")
        if self.skipped:
            notes.append(f"skipped {len(self.skipped)} file(s) {cannot}: "
                         + "; ".join(f"{rel(ctx, p)} ({why})" for p, why in self.skipped.items()))
        return notes


class _Worker:
    def __init__(self) -> None:
        self.proc: asyncio.subprocess.Process | None = None
        self.ids = 0

    async def ask(self, request: dict[str, Any], wall: float) -> dict[str, Any] | None:
        """The worker's answer, or None when it took too long and was killed (a new one starts on the next
        call)."""
        if self.proc is None:
            self.proc = await asyncio.create_subprocess_exec(
                *_WORKER, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL, start_new_session=True, limit=64 * 2**20)
            track_group(self.proc.pid)
            lower_priority(self.proc.pid)
        self.ids += 1
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write((json.dumps({**request, "id": self.ids}) + "\n").encode())
            await self.proc.stdin.drain()
            line = await asyncio.wait_for(self.proc.stdout.readline(), wall)
            return json.loads(line)
        except TimeoutError:
            await self.close()
            return None
        except (ConnectionError, json.JSONDecodeError):  # it died on this file (memory, a crash in C)
            code = self.proc.returncode
            await self.close()
            return {"error": f"the analysis process ended ({'exit ' + str(code) if code is not None else 'no answer'})"}
        except asyncio.CancelledError:
            await asyncio.shield(self.close())
            raise

    async def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        kill_group(proc.pid)  # nothing it computes is wanted any more
        with contextlib.suppress(ProcessLookupError):
            await proc.wait()
        forget_group(proc.pid)


async def per_file(ctx: ProjectContext, job: str, files: list[Path], options: dict | None = None) -> PerFile:
    """Run `job` (see _perfile.JOBS) on every file, each under the CPU-time limit."""
    limit = file_timeout(ctx)
    wall = 10 * limit + 30  # CPU time is the limit; this bound only catches a worker stuck outside Python
    size = sum(p.stat().st_size for p in files if p.is_file())
    workers = [_Worker() for _ in range(1 if size < SMALL_PROJECT_BYTES or len(files) < 2 else 2)]
    queue = list(reversed(files))
    done = PerFile(limit)

    async def drain(worker: _Worker) -> None:
        try:
            while queue:
                path = queue.pop()
                reply = await worker.ask({"job": job, "path": str(path), "limit": limit, "options": options}, wall)
                if reply is None or reply.get("timeout"):
                    done.timed_out.append(path)
                elif "error" in reply:
                    done.skipped[path] = reply["error"]
                elif "skipped" in reply["ok"]:
                    done.skipped[path] = reply["ok"]["skipped"]
                else:
                    done.results[path] = reply["ok"]
        finally:
            await worker.close()

    await asyncio.gather(*(drain(w) for w in workers))
    return done

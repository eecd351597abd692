"""One warm interpreter per sandbox: the project's Python with pytest, coverage and Hypothesis imported
once, forking a fresh child for every run.

A boost starts pytest ten or more times in its private copy (baseline, generation, candidate batches,
mutants, final runs). Importing pytest, its plugins and Hypothesis costs ~1.7 s of CPU per process on a
2-CPU machine, more than most of those runs spend on tests. The server below pays it once: it runs
inside the same bubblewrap sandbox as a cold run would (one `bwrap` for the whole boost), never imports
project code itself, and for each request forks a child that takes the request's working folder,
environment, argv and `sys.path[0]` exactly as `python -c CODE ...` / `python -m MODULE ...` would, with
its output in files of the sandbox. A forked child starts from the server's memory, so project modules a
run imports are gone for the next run: each run is as fresh as a new process, except for the
pre-imported tools. The cold path (a new process per run) stays for everything else and is taken
whenever the server is not running.

Protocol (JSON lines): Empathy writes {"id", "argv", "cwd", "env", "out", "err"} or {"kill": id}; the server
answers {"ready": true} once, then {"id", "rc", "cpu"} per finished run. End of stdin ends the server.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from empathy_os.execution import check_trusted, project_env
from empathy_os.proc import ToolRun, ToolTimeout, forget_group, kill_group, track_group

if TYPE_CHECKING:
    from empathy_os.testgen.sandbox import Sandbox

# The tools every run imports, and pytest's plugins (entry points): what a forked child then skips.
PRELOAD = r"""
for _name in ("coverage", "pytest", "hypothesis"):
    try:
        __import__(_name)
    except Exception:
        pass
try:
    from importlib.metadata import entry_points
    for _ep in entry_points(group="pytest11"):
        try:
            _ep.load()
        except Exception:
            pass
except Exception:
    pass
"""

SERVER = r'''
import atexit, builtins, json, os, runpy, select, signal, sys, traceback, types
# `python -c` put the working folder (the project copy) first on sys.path: take it off while the tools
# are imported, so a project folder named `pytest` or `coverage` cannot stand in for them.
if sys.path and sys.path[0] in ("", os.getcwd()):
    sys.path.pop(0)
''' + PRELOAD + r'''
# Hypothesis builds its Unicode tables (~2.5 s) the first time a text strategy draws, and caches them in
# its home folder, which is new in every sandbox (seeded by unicode_cache.py when Empathy has them): load
# or build them here once, in memory every child inherits.
try:
    from hypothesis.configuration import set_hypothesis_home_dir
    from hypothesis.internal import charmap as _charmap
    set_hypothesis_home_dir(os.environ["EMPATHY_SANDBOX_HYPOTHESIS"])
    _charmap.charmap()
    _charmap.intervals_from_codec("utf-8")
except Exception:
    pass
# Hypothesis scans every module in sys.modules for "local" constants before its first example, and
# remembers which it has seen: scanned once here, a child only scans what it imports itself.
try:
    import warnings
    from hypothesis.internal.conjecture.providers import _get_local_constants
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _get_local_constants()
except Exception:
    pass
# pytest warns that a plugin imported before it started cannot have its asserts rewritten; for what we
# imported above that is our doing, not the project's, and a `filterwarnings = error` would make it fatal.
_preloaded = set(sys.modules)
try:
    from _pytest.assertion.rewrite import AssertionRewritingHook as _Hook
    _warn = _Hook._warn_already_imported
    _Hook._warn_already_imported = lambda self, name: None if name in _preloaded else _warn(self, name)
except Exception:
    pass
_guard = sys.modules.get("_empathy_sandbox_guard")
_out = os.fdopen(os.dup(1), "w")
_null = os.open(os.devnull, os.O_RDWR)
os.dup2(_null, 1)  # nothing but replies may reach Empathy's pipe

def reply(obj):
    _out.write(json.dumps(obj) + "\n")
    _out.flush()

def child(req):
    os.setpgid(0, 0)
    _out.close()  # Empathy's pipe: the run must not reach it
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    os.dup2(_null, 0)
    for fd, path in ((1, req["out"]), (2, req["err"])):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    if _guard is not None:  # this run's log, and whether its effects are recorded (never the server's)
        _guard.configure()
    atexit._clear()
    if req["env"].get("EMPATHY_SANDBOX_PYCACHE"):  # Sandbox.share_bytecode; the server itself wrote none
        sys.pycache_prefix = req["env"]["EMPATHY_SANDBOX_PYCACHE"]
        sys.dont_write_bytecode = False
    flag, target, *args = req["argv"]
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    code = 0
    try:
        if flag == "-c":
            sys.argv = ["-c", *args]
            sys.path.insert(0, "")
            exec(compile(target, "<string>", "exec"), main.__dict__)
        else:
            sys.argv = [target, *args]
            sys.path.insert(0, os.getcwd())
            runpy.run_module(target, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code & 0xFF)

import gc
# What the server imported is never garbage: frozen, a child's collections (pytest runs gc.collect()
# several times per session) skip it, and its pages stay shared with the server.
gc.freeze()
running = {}
buf = b""
reply({"ready": True})
while True:
    ready, _, _ = select.select([0], [], [], 0.01 if running else 1.0)
    if ready:
        chunk = os.read(0, 1 << 16)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            req = json.loads(line)
            if "kill" in req:
                for pid, rid in list(running.items()):
                    if rid == req["kill"]:
                        for kill in (os.killpg, os.kill):
                            try:
                                kill(pid, signal.SIGKILL)
                            except OSError:
                                pass
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                child(req)
            running[pid] = req["id"]
    while running:
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if pid == 0:
            break
        rid = running.pop(pid, None)
        if rid is not None:
            try:
                os.killpg(pid, signal.SIGKILL)  # whatever the run left behind in its group
            except OSError:
                pass
            reply({"id": rid, "rc": os.waitstatus_to_exitcode(status), "cpu": usage.ru_utime + usage.ru_stime})
'''


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
        cmd = sandbox.command([sandbox.python, "-c", SERVER])
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

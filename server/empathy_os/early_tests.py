"""The project's interpreter started at the very beginning of a CLI release prep, before Empathy's own
imports (~0.5 s: pydantic, the orchestration, the analyzers). It imports coverage and pytest meanwhile
(0.2-0.4 s), then waits: it is the coverage driver (runners/coverage_driver.py) started with the spec `-`,
which the coverage analyzer writes on its stdin when it runs (analyzers/coverage_run.py), so the test run,
the longest path of a release prep, starts ~0.5 s sooner. Nothing on stdin: nothing runs.

Only the standard library, `execution` and `runners` (a path) are imported here: this module is loaded before
anything heavy. The process is started through `execution.start_project_process` (trust checked there, the
environment scrubbed as for every project run). It is used only when the analyzer's interpreter and root are
the ones it was started with; otherwise, or if nobody takes it, it is stopped. If Empathy dies first, its
stdin closes and it exits without running anything.
"""

from __future__ import annotations

import subprocess
import time
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from empathy_os import runners
from empathy_os.environment import detect
from empathy_os.execution import TEST_ENV, start_project_process
from empathy_os.proc import kill_group

if TYPE_CHECKING:
    from empathy_os.proc import ToolRun

class EarlyInterpreter:
    def __init__(self, proc: subprocess.Popen, python: str, root: Path) -> None:
        self.proc, self.python, self.root = proc, python, root

    async def run(self, spec: str, timeout: float | None) -> ToolRun:
        """Hand over the driver's spec and wait, as run_tool does: timeout or cancellation kills its group."""
        import asyncio  # here, not at the top: this module is imported before anything heavy

        from empathy_os.proc import ToolRun, ToolTimeout, forget_group, track_group

        started = time.perf_counter()
        track_group(self.proc.pid)
        try:
            out, err = await asyncio.to_thread(self.proc.communicate, f"{spec}\n".encode(), timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise ToolTimeout(f"the test run timed out after {timeout:.0f}s") from None
        except asyncio.CancelledError:
            kill_group(self.proc.pid)  # its thread is still in communicate(): it returns once the group is gone
            raise
        finally:
            kill_group(self.proc.pid)  # the leader has exited; a test's own subprocesses may remain
            forget_group(self.proc.pid)
        return ToolRun(self.proc.returncode or 0, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                       time.perf_counter() - started)

    def stop(self) -> None:
        kill_group(self.proc.pid)
        try:
            self.proc.communicate(timeout=5)
        except (subprocess.TimeoutExpired, ValueError, OSError):
            pass


_waiting: EarlyInterpreter | None = None


def _configured(text: str) -> dict:
    """`[tool.empathy] python` of the project's pyproject.toml text, as settings for environment.detect."""
    try:
        table = tomllib.loads(text)["tool"]["empathy"]
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        return {}
    return {"python": table["python"]} if isinstance(table, dict) and table.get("python") else {}


class _Trust:
    def __init__(self, trusted: object) -> None:
        self.trusted = trusted


def start(root: Path, python: str | None, trusted: object) -> None:
    """Start the interpreter the coverage analyzer will pick (environment.detect, without asking poetry or
    hatch: when those may decide, nothing is started). Untrusted: nothing is started."""
    global _waiting
    stop()
    if trusted is not True:
        return
    text = _pyproject_text(root)
    found = detect(root, explicit=python, settings=_configured(text), trusted=False)
    if found.own and any(f"[tool.{tool}" in text for tool in ("poetry", "hatch")):
        return
    try:
        proc = start_project_process(_Trust(trusted), runners.command(found.python, "coverage_driver", "-"), root,
                                     TEST_ENV)
    except OSError:
        return  # the analyzer says why the interpreter cannot start
    _waiting = EarlyInterpreter(proc, found.python, root)


def _pyproject_text(root: Path) -> str:
    try:
        return (root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def take(python: str, root: Path) -> EarlyInterpreter | None:
    """The waiting interpreter if it is this one (then it is no longer waiting); None otherwise."""
    global _waiting
    early, _waiting = _waiting, None
    if early is not None and (early.python != python or early.root != root or early.proc.poll() is not None):
        early.stop()
        return None
    return early


def stop() -> None:
    """Stop an interpreter nobody took (a no-op when there is none)."""
    global _waiting
    early, _waiting = _waiting, None
    if early is not None:
        early.stop()

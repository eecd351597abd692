"""The coverage analyzer's one test launcher: runners/coverage_driver.py in the project's interpreter.

Where it runs is decided here, once: inside the boost's or the verification engine's sandbox when the context
has one (bubblewrap, the copy's HOME/TMPDIR), else in the interpreter the CLI started early (early_tests.py,
coverage and pytest already imported) when it is the same one, else in the context's `test_launcher` (the
daemon's warm interpreter), else in a new process through the trust door (execution.run_project_code). Every way gets the same spec and gives back the same typed `DriverRun`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from empathy_os import early_tests, runners
from empathy_os.analyzers._util import load_json
from empathy_os.analyzers.contract import ProjectContext
from empathy_os.execution import run_project_code


class NotMeasured(Exception):
    """The run gave no coverage figure: `message` says why (the analyzer's result is a not-run)."""

    def __init__(self, message: str, scope: str | None = None, tool: str | None = None) -> None:
        super().__init__(message)
        self.message, self.scope, self.tool = message, scope, tool


@dataclass(frozen=True)
class DriverRun:
    returncode: int
    stdout: str
    stderr: str
    answer: dict[str, Any] | None  # the driver's last line; None when it ended without one

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def driver_answer(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith(runners.COVERAGE_MARK):
            return load_json(line[len(runners.COVERAGE_MARK):], "coverage driver")
    return None


async def run_driver(ctx: ProjectContext, spec: dict[str, Any], env: dict[str, str], timeout: float) -> DriverRun:
    """The driver with `spec` (and `env` for the process), in the sandbox, the early interpreter or a new
    process; NotMeasured when the interpreter cannot start."""
    text = json.dumps(spec)
    argv = runners.command(ctx.python, "coverage_driver", text)
    early = early_tests.take(ctx.python, ctx.root) if ctx.sandbox is None else None
    if ctx.tests_first is not None:
        ctx.tests_first.set()  # the test run starts now: the other analyzers may start too
    try:
        if ctx.sandbox is not None:  # the coverage boost's copy, inside the OS sandbox
            run = await ctx.sandbox.run(argv, cwd=ctx.root, timeout=timeout, env=env)
        elif early is not None:  # started by the CLI before its imports, coverage and pytest loaded
            run = await early.run(text, timeout)
        elif ctx.test_launcher is not None:  # the daemon's warm interpreter (live coverage, lsp/warm_tests.py)
            run = await ctx.test_launcher(ctx, argv, ctx.root, env, timeout)
        else:
            run = await run_project_code(ctx, argv, ctx.root, timeout=timeout, env=env)
    except OSError as exc:
        raise NotMeasured(f"project interpreter {ctx.python} cannot be started: {exc.strerror or exc}") from None
    return DriverRun(run.returncode, run.stdout, run.stderr, driver_answer(run.stdout))

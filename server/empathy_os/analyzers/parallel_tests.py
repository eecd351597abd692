"""Running the project's suite on more than one core with pytest-xdist, and measuring its workers.

When: the project opts in with `[tool.empathy] parallel_tests = N` (or `true`/"auto": one worker per
CPU), or its own pytest `addopts` already ask xdist for workers (`-n`, `--numprocesses`). We never turn
xdist on by ourselves for a suite that did not ask: a suite is not parallel-safe until its authors say so.

How the workers are measured: coverage.py's own `[run] patch = subprocess` (coverage >= 7.10 ships a .pth
file that starts coverage in every Python child whose environment carries the serialized configuration),
with `parallel = true` data files combined at the end, so nothing of ours has to be installed in the
project's interpreter and nothing is written outside our temp folder. The figure equals the serial run's
(tests/unit/test_parallel_tests.py). Per-test contexts (live coverage) are recorded in the controller
process only, so a parallel run keeps no per-test data and the report says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from empathy_os.analyzers._pytest import project_addopts
from empathy_os.analyzers._util import setting
from empathy_os.analyzers.base import ProjectContext

_PROJECT_N = ("-n", "--numprocesses")


@dataclass(frozen=True)
class ParallelPlan:
    workers: int | None  # the -n we add; None: the project's own addopts choose
    reason: str  # why the suite runs in parallel (shown in the report)

    def driver_spec(self) -> dict:
        return {"workers": self.workers, "reason": self.reason}


class ParallelSettingError(ValueError):
    pass


def _workers(value: object) -> int | None:
    """The `parallel_tests` setting as a worker count (None: off); a bad value is an error, not a guess."""
    if value is False or value in (0, 1, "0", "1", "off", "false"):
        return None
    if value is True or value in ("auto", "true", "on"):
        return max(2, os.cpu_count() or 2)
    if isinstance(value, int) and value > 1:
        return value
    if isinstance(value, str) and value.isdigit() and int(value) > 1:
        return int(value)
    raise ParallelSettingError(f"[tool.empathy] parallel_tests must be true, false, \"auto\" or a number of "
                               f"workers >= 2; got {value!r}")


def parallel_plan(ctx: ProjectContext) -> ParallelPlan | None:
    """How this project's suite runs in parallel, or None for the plain serial run."""
    workers = _workers(setting(ctx, "parallel_tests", False))
    if workers is not None:
        return ParallelPlan(workers, f"pytest-xdist with {workers} workers ([tool.empathy] parallel_tests)")
    addopts = project_addopts(ctx.root)
    if any(opt in _PROJECT_N or opt.startswith(tuple(f"{o}=" for o in _PROJECT_N))
           or (opt.startswith("-n") and opt[2:].strip().isalnum()) for opt in addopts):
        return ParallelPlan(None, "pytest-xdist as the project's addopts ask")
    return None

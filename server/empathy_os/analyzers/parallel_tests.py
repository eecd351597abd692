"""Running the project's suite on more than one core with pytest-xdist, and measuring its workers.

When: the project opts in with `[tool.empathy] parallel_tests = N` (or `true`/"auto": one worker per
CPU), or its own pytest `addopts` already ask xdist for workers (`-n`, `--numprocesses`), or, unless
`parallel_tests = 0` (or false) turns it off, pytest-xdist is installed in the project's interpreter, the
suite has at least AUTO_MIN_TESTS test functions and the machine has CPUs to spare: one worker per CPU but
one, which the other agents' tools (bandit, radon, interrogate: 2-4 s of CPU on a real project) need beside
the tests, so at least 3 CPUs (`auto`: the driver checks the import; without xdist the run is serial and
nothing is said). Measured on 2 shared CPUs, more-itertools 10.5.0 under coverage: 2 workers took 14.6 s
wall and 23.9 s of CPU against 16.0 s and 15.9 s serially (load 1.5), and release prep with them 19.2 s
against 15.5 s serially (load 2.4-3.0): every worker starts an interpreter and collects the whole suite, and
the second one competes with the other agents, so on two CPUs it is opt-in only. A suite is not known to be parallel-safe until its authors say so: when such an
unrequested parallel run has a failing test or error, the coverage analyzer runs the suite again serially
and reports that run (so a suite that only fails under xdist never gets a red report it does not deserve);
a run of the affected tests only (live coverage) is always serial (a few tests: workers cost more).

How the workers are measured: coverage.py's own `[run] patch = subprocess` (coverage >= 7.10 ships a .pth
file that starts coverage in every Python child whose environment carries the serialized configuration),
with `parallel = true` data files combined at the end, so nothing of ours has to be installed in the
project's interpreter and nothing is written outside our temp folder. The figure equals the serial run's
(tests/unit/test_parallel_tests.py). Per-test contexts (live coverage) are recorded in the workers by a
small pytest plugin the driver writes into its temp folder (`-p`, found through PYTHONPATH): each test
switches the worker's coverage context to its node id, and `coverage combine` keeps the contexts.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from empathy_os.analyzers._pytest import project_addopts
from empathy_os.analyzers._util import setting
from empathy_os.analyzers.contract import ProjectContext
from empathy_os.analyzers.project import all_py_files, is_test_file

_PROJECT_N = ("-n", "--numprocesses")
# Unrequested parallel runs start at this many test functions: every xdist worker starts an interpreter,
# imports pytest, coverage and the project and collects the whole suite again (about a second of CPU each
# here), which a suite of a few dozen tests does not win back. more-itertools 10.5.0 (660 test functions,
# 15 s serially under coverage) is far above; the sample project (5) far below.
AUTO_MIN_TESTS = 100
_TEST_DEF = re.compile(rb"^[ \t]*(?:async[ \t]+)?def test", re.MULTILINE)


@dataclass(frozen=True)
class ParallelPlan:
    workers: int | None  # the -n we add; None: the project's own addopts choose
    reason: str  # why the suite runs in parallel (shown in the report)
    auto: bool = False  # not asked for: only because pytest-xdist is installed (serial re-run on a failure)

    def driver_spec(self) -> dict:
        return {"workers": self.workers, "reason": self.reason, "auto": self.auto}


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
    value = setting(ctx, "parallel_tests", None)
    workers = _workers(value) if value is not None else None
    if workers is not None:
        return ParallelPlan(workers, f"pytest-xdist with {workers} workers ([tool.empathy] parallel_tests)")
    addopts = project_addopts(ctx.root)
    if any(opt in _PROJECT_N or opt.startswith(tuple(f"{o}=" for o in _PROJECT_N))
           or (opt.startswith("-n") and opt[2:].strip().isalnum()) for opt in addopts):
        return ParallelPlan(None, "pytest-xdist as the project's addopts ask")
    workers = (os.cpu_count() or 1) - 1  # one CPU stays for the other agents' tools
    if value is None and workers >= 2 and (count := test_functions(ctx)) >= AUTO_MIN_TESTS:
        return ParallelPlan(workers, f"pytest-xdist with {workers} workers: it is installed in the project's "
                            f"interpreter and the suite has {count} test functions ([tool.empathy] "
                            "parallel_tests = 0 turns this off)", auto=True)
    return None


def test_functions(ctx: ProjectContext) -> int:
    """`def test_...` lines in the project's test files: a cheap size of the suite, before pytest collects."""
    count = 0
    for path in all_py_files(ctx):
        if is_test_file(path.relative_to(ctx.root)):
            try:
                count += len(_TEST_DEF.findall(path.read_bytes()))
            except OSError:
                continue
    return count

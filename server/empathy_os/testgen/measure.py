"""One candidate's runs: pytest 3 times over the file in ONE process, under coverage.py's API.

Starting pytest and coverage costs ~1 s per process; repeating the file with `--keep-duplicates` inside
one process gives the 3 runs for the price of one start, and every run's outcome is recorded per test
so a test that passes once and fails once is seen as flaky.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from empathy_os.analyzers.base import ToolTimeout
from empathy_os.testgen.sandbox import Sandbox

# Runs in the project's interpreter; argv: result file, include file, then pytest arguments.
_RUNNER = r"""
import json, sys
import coverage
out, include, args = sys.argv[1], sys.argv[2], sys.argv[3:]
cov = coverage.Coverage(data_file=None, branch=True, include=[include], config_file=False)
outcomes = {}
class Recorder:
    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.failed or (report.when == "setup" and report.skipped):
            outcomes.setdefault(report.nodeid, []).append(report.outcome)
cov.start()
try:
    import pytest
    rc = int(pytest.main(args, plugins=[Recorder()]))
finally:
    cov.stop()
data = cov.get_data()
files = {f: {"lines": sorted(data.lines(f) or []), "arcs": sorted(data.arcs(f) or [])}
         for f in data.measured_files()}
with open(out, "w", encoding="utf-8") as fh:
    json.dump({"rc": rc, "outcomes": outcomes, "files": files}, fh)
"""


@dataclass
class CandidateRun:
    returncode: int
    output: str
    duration: float
    outcomes: dict[str, list[str]] = field(default_factory=dict)  # test id -> outcome of each run
    lines: set[int] = field(default_factory=set)  # executed lines of the target file
    arcs: set[tuple[int, int]] = field(default_factory=set)
    target_measured: bool = False
    error: str | None = None
    blocked: list[str] = field(default_factory=list)  # writes outside the sandbox that were refused

    @property
    def timed_out(self) -> bool:
        return bool(self.error and "timed out" in self.error)

    def tail(self, limit: int = 3000) -> str:
        return self.output[-limit:]


async def run_candidate(sandbox: Sandbox, test_path: str, target: str, runs: int = 3,
                        timeout: float = 120) -> CandidateRun:
    run_id = sandbox.next_id()
    out = sandbox.base / "data" / f"run-{run_id}.json"
    target_abs = str(sandbox.copy / target)
    pytest_args = sandbox.pytest_args(run_id)[2:]  # drop "-m pytest": the runner calls pytest.main
    cmd = [sandbox.python, "-c", _RUNNER, str(out), target_abs, *pytest_args, "--keep-duplicates",
           *([test_path] * runs)]
    try:
        ran = await sandbox.run(cmd, timeout=timeout)
    except ToolTimeout as exc:
        return CandidateRun(returncode=-1, output="", duration=timeout, error=str(exc))
    # pytest prints the failures on stdout; stderr is mostly warnings, so it goes first.
    output = ((ran.stderr.strip() + "\n") if ran.stderr.strip() else "") + ran.stdout.strip()
    result = CandidateRun(returncode=ran.returncode, output=output, duration=ran.duration, blocked=ran.blocked)
    if not out.exists():
        last = (ran.stderr.strip().splitlines() or [f"exit code {ran.returncode}"])[-1]
        result.error = f"the test runner did not finish: {last}"
        return result
    data = json.loads(out.read_text(encoding="utf-8"))
    result.returncode = int(data["rc"])
    result.outcomes = data["outcomes"]
    for name, entry in data["files"].items():
        if name == target_abs or name.endswith("/" + target):
            result.target_measured = True
            result.lines = set(entry["lines"])
            result.arcs = {tuple(a) for a in entry["arcs"]}
    return result

"""The project's test suite in the private copy: per-test outcomes and per-file statement coverage.

One process of the project's interpreter runs pytest under coverage.py's API (runners/suite.py: like the
coverage analyzer's driver, but measuring the copy's files and recording every test's outcome), started through
the sandbox, so it gets the sandbox's HOME/TMPDIR, no API key, and whatever OS isolation the sandbox adds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from empathy_os import runners
from empathy_os.proc import ToolTimeout
from empathy_os.testgen.sandbox import Sandbox


@dataclass
class SuiteRun:
    returncode: int | None
    output: str
    duration: float
    outcomes: dict[str, list[str]] = field(default_factory=dict)  # test id -> outcome of each run
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)  # rel path -> (statements, missing)
    missing_lines: dict[str, list[int]] = field(default_factory=dict)  # rel path -> lines no test ran
    failures: dict[str, str] = field(default_factory=dict)  # test id -> the end of its last failure's text
    error: str | None = None

    @property
    def failed(self) -> set[str]:
        return {t for t, o in self.outcomes.items() if "failed" in o}

    @property
    def passed(self) -> set[str]:
        """Tests that ran and passed (a skipped test shows nothing, so it is not counted here)."""
        return {t for t, o in self.outcomes.items() if "passed" in o and all(x in ("passed", "skipped") for x in o)}

    @property
    def skipped(self) -> set[str]:
        return {t for t, o in self.outcomes.items() if o and all(x == "skipped" for x in o)}

    def tail(self, limit: int = 2500) -> str:
        return self.output[-limit:]


async def run_suite(sandbox: Sandbox, measure: list[str], node_ids: list[str] | None = None,
                    timeout: float = 900) -> SuiteRun:
    """The whole suite (or `node_ids`), measuring coverage of `measure` (paths relative to the copy)."""
    run_id = sandbox.next_id()
    out = sandbox.base / "data" / f"suite-{run_id}.json"
    include = [str(sandbox.copy / p) for p in measure]
    args = sandbox.pytest_args(run_id)[2:] + ["-p", "no:randomly"] + list(node_ids or [])
    cmd = runners.command(sandbox.python, "suite", str(out), json.dumps(include), *args)
    try:
        ran = await sandbox.run(cmd, timeout=timeout)
    except ToolTimeout as exc:
        return SuiteRun(None, "", timeout, error=str(exc))
    output = ((ran.stderr.strip() + "\n") if ran.stderr.strip() else "") + ran.stdout.strip()
    if not out.exists():
        last = (ran.stderr.strip().splitlines() or [f"exit code {ran.returncode}"])[-1]
        return SuiteRun(ran.returncode, output, ran.duration, error=f"the test run did not finish: {last}")
    data = json.loads(out.read_text(encoding="utf-8"))
    out.unlink()
    if data.get("error"):
        return SuiteRun(None, output, ran.duration, error=data["error"])
    prefix = str(sandbox.copy) + "/"
    files = {name.removeprefix(prefix): v for name, v in data["files"].items()}
    return SuiteRun(data["rc"], output, ran.duration, outcomes=data["outcomes"],
                    coverage={p: (v["statements"], len(v["missing"])) for p, v in files.items()},
                    missing_lines={p: v["missing"] for p, v in files.items()}, failures=data.get("failures", {}))

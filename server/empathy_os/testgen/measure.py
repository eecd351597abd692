"""Candidate runs: many candidate files, 3 times each, in ONE sandboxed pytest process under coverage.py
(runners/batch.py).

Starting pytest and coverage costs ~1 s per process; repeating the files with `--keep-duplicates` inside
one process gives the 3 runs for the price of one start. Each test runs in its own coverage context
(its node id), so lines are attributed per test, and every run's outcome is recorded per test, so a test
that passes once and fails once is seen as flaky. Around each test the recorder also notes any file of
the copy or HOME that changed, and marks the guard's log, so a write is pinned on the test that made it.
A collection error in one candidate file does not stop the others (`--continue-on-collection-errors`).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path

from empathy_os import runners
from empathy_os.proc import ToolTimeout
from empathy_os.testgen.sandbox import EFFECTS_ENV, Sandbox


@dataclass
class BatchRun:
    returncode: int
    output: str
    duration: float
    outcomes: dict[str, list[str]] = field(default_factory=dict)  # node id -> outcome of each run
    failures: dict[str, str] = field(default_factory=dict)  # node id -> failure text
    collect_errors: dict[str, str] = field(default_factory=dict)  # test file -> collection error
    # target path (relative) -> node id -> (lines, arcs) run by that test
    coverage: dict[str, dict[str, tuple[set[int], set[tuple[int, int]]]]] = field(default_factory=dict)
    writes: dict[str, list[str]] = field(default_factory=dict)  # node id -> changed files (copy, HOME)
    # node id -> refused writes outside, network use and new processes (guard log lines, _guard.py)
    blocked: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None

    @property
    def timed_out(self) -> bool:
        return bool(self.error and "timed out" in self.error)

    def tail(self, limit: int = 3000) -> str:
        return self.output[-limit:]

    def tests_of(self, test_path: str) -> list[str]:
        return [t for t in self.outcomes if t.split("::", 1)[0] == test_path]


async def run_batch(sandbox: Sandbox, test_paths: list[str], targets: list[str], runs: int = 3,
                    timeout: float = 300, measure: bool = True) -> BatchRun:
    """Every file of `test_paths` `runs` times in one process; coverage of the `targets` files per test
    (not measured with `measure=False`: a re-run that only judges outcomes runs without the tracer,
    which slows Hypothesis tests several times)."""
    run_id = sandbox.next_id()
    out = sandbox.base / "data" / f"run-{run_id}.json"
    spec_file = sandbox.base / "data" / f"run-{run_id}-spec.json"
    pytest_args = sandbox.pytest_args(run_id)[2:]  # drop "-m pytest": the runner calls pytest.main
    spec = {
        "out": str(out), "include": [str(sandbox.copy / t) for t in targets], "measure": measure,
        "watch": [str(sandbox.copy), str(sandbox.home)],
        "args": [*pytest_args, "--keep-duplicates", "--continue-on-collection-errors",
                 *[p for _ in range(runs) for p in test_paths]],
    }
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    try:
        ran = await sandbox.run(runners.command(sandbox.python, "batch", str(spec_file)), timeout=timeout,
                                 env={**sandbox.bytecode_env(), **EFFECTS_ENV})
    except ToolTimeout as exc:
        return BatchRun(returncode=-1, output="", duration=timeout, error=str(exc))
    # pytest prints the failures on stdout; stderr is mostly warnings, so it goes first.
    output = ((ran.stderr.strip() + "\n") if ran.stderr.strip() else "") + ran.stdout.strip()
    result = BatchRun(returncode=ran.returncode, output=output, duration=ran.duration)
    result.blocked = _by_test(ran.log)
    if not out.exists():
        last = (ran.stderr.strip().splitlines() or [f"exit code {ran.returncode}"])[-1]
        result.error = f"the test runner did not finish: {last}"
        return result
    data = json.loads(out.read_text(encoding="utf-8"))
    result.returncode = int(data["rc"])
    result.outcomes = data["outcomes"]
    result.failures = data["longrepr"]
    result.collect_errors = data["errors"]
    prefix = len(str(sandbox.copy)) + 1
    result.writes = {t: sorted({p[prefix:] if p.startswith(str(sandbox.copy)) else "~/" + p[len(str(sandbox.home)) + 1:]
                                for p in paths}) for t, paths in data["writes"].items()}
    wanted = {str(sandbox.copy / t): t for t in targets}
    for name, contexts in data["files"].items():
        rel = wanted.get(name)
        if rel is None:
            continue
        result.coverage[rel] = {ctx: (set(v["lines"]), {tuple(a) for a in v["arcs"]})
                                for ctx, v in contexts.items() if ctx}
    return result


def _by_test(log_lines: list[str]) -> dict[str, list[str]]:
    """The guard's log split by the recorder's `@@ node id` marks ("" = outside any test)."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in log_lines:
        if line.startswith("@@ "):
            current = line[3:]
        elif line not in out.setdefault(current, []):
            out[current].append(line)
    return out


async def run_batches(sandbox: Sandbox, test_paths: list[str], targets: list[str], runs: int = 3,
                      timeout: float = 300, measure: bool = True, parts: int = 2) -> BatchRun:
    """run_batch over `parts` processes at once (the files dealt out in turn), merged into one answer.

    Both CPUs work on one batch. The watch for writes sees the whole copy, so a test that writes into it
    also gets a test of the other process that ran meanwhile rejected (never the other way round)."""
    shares = [share for share in _deal(sandbox, test_paths, parts) if share]
    if len(shares) < 2:
        return await run_batch(sandbox, test_paths, targets, runs=runs, timeout=timeout, measure=measure)
    done = await asyncio.gather(*(run_batch(sandbox, share, targets, runs=runs, timeout=timeout, measure=measure)
                                  for share in shares))
    merged = BatchRun(returncode=max(r.returncode for r in done), output="\n".join(r.output for r in done),
                      duration=max(r.duration for r in done))
    errors = [r.error for r in done if r.error]
    merged.error = "; ".join(errors) if errors else None
    for r in done:
        merged.outcomes.update(r.outcomes)
        merged.failures.update(r.failures)
        merged.collect_errors.update(r.collect_errors)
        merged.writes.update(r.writes)
        for test, blocked in r.blocked.items():
            merged.blocked.setdefault(test, []).extend(blocked)
        for target, per_test in r.coverage.items():
            merged.coverage.setdefault(target, {}).update(per_test)
    return merged


def _deal(sandbox: Sandbox, test_paths: list[str], parts: int) -> list[list[str]]:
    """`test_paths` over `parts` processes so they end together: the heaviest go first, each to the
    lightest share."""
    weights = {path: test_weight(sandbox.copy / path) for path in test_paths}
    shares: list[list[str]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for path in sorted(test_paths, key=weights.__getitem__, reverse=True):  # stable among equals
        k = loads.index(min(loads))
        shares[k].append(path)
        loads[k] += weights[path]
    return shares


FUZZ_WEIGHT = 12  # measured on the sample: a 25-example fuzz test ~0.3 s, a plain-call test ~0.02 s


def test_weight(path: Path) -> int:
    """A test file's relative cost: a Hypothesis test (many examples) about a dozen plain ones."""
    try:
        return FUZZ_WEIGHT if "@given" in path.read_text(encoding="utf-8") else 1
    except (OSError, UnicodeDecodeError):
        return 1


test_weight.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite the name

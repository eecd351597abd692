"""Stage 3 for one candidate, on its own: a fresh project copy, 3 passing runs, a coverage gain, no writes.

A test is "failed" if every run fails it, "flaky" if some runs pass it and some fail it.

A bad candidate never affects another: each gets its own copy, HOME and TMPDIR.
"""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

from empathy_os.testgen.candidates import Candidate, Reason, Verdict
from empathy_os.testgen.measure import run_candidate
from empathy_os.testgen.sandbox import Sandbox, changed, tree_hashes

RUNS = 3


async def validate(
    project_root: Path,
    python: str,
    candidate: Candidate,
    test_path: str,
    already_lines: set[int],
    already_arcs: set[tuple[int, int]],
    timeout: float = 120,
) -> Verdict:
    """Keep `candidate` (written at `test_path`, relative to the root) only if it earns it.

    A gain is a line (or branch) the suite misses in the target function and no kept test covers yet
    (`already_*`).
    """
    try:
        ast.parse(candidate.source)
    except SyntaxError as exc:
        return Verdict(candidate, Reason.SYNTAX, detail=f"SyntaxError line {exc.lineno}: {exc.msg}")
    sandbox = await asyncio.to_thread(Sandbox.create, project_root, python)
    try:
        return await _validate_in(sandbox, candidate, test_path, already_lines, already_arcs, timeout)
    finally:
        await asyncio.to_thread(sandbox.cleanup)


async def _validate_in(
    sandbox: Sandbox,
    candidate: Candidate,
    test_path: str,
    already_lines: set[int],
    already_arcs: set[tuple[int, int]],
    timeout: float,
) -> Verdict:
    target = candidate.gap.path
    test_file = sandbox.copy / test_path
    test_file.parent.mkdir(parents=True, exist_ok=True)
    test_file.write_text(candidate.source, encoding="utf-8")
    before = tree_hashes(sandbox.copy), tree_hashes(sandbox.home)
    run = await run_candidate(sandbox, test_path, target, runs=RUNS, timeout=timeout)
    after = tree_hashes(sandbox.copy), tree_hashes(sandbox.home)
    written = changed(before[0], after[0]) + [f"~/{p}" for p in changed(before[1], after[1])]
    if run.blocked:
        how = ("refused by the kernel (read-only file system in the bubblewrap sandbox)"
               if sandbox.isolation.os_sandbox else "refused by the in-process guard (best-effort isolation)")
        return Verdict(candidate, Reason.WRITES, runs=RUNS,
                       detail=f"tried to write outside its sandbox, {how}: " + "; ".join(run.blocked[:5]))
    if run.timed_out:
        return Verdict(candidate, Reason.TIMEOUT, detail=run.error or "", runs=RUNS)
    if run.error:
        return Verdict(candidate, Reason.FAILED, detail=f"{run.error}\n{run.tail()}", runs=RUNS)
    if run.returncode == 5:
        return Verdict(candidate, Reason.NO_TESTS, detail=run.tail(), runs=RUNS)
    if not run.outcomes:  # collection error: an import or syntax problem in the test module
        return Verdict(candidate, Reason.FAILED, detail=run.tail(), runs=RUNS)
    results = [o for outcomes in run.outcomes.values() for o in outcomes]
    flaky = [t for t, o in run.outcomes.items() if "passed" in o and "failed" in o]
    if flaky:
        return Verdict(candidate, Reason.FLAKY, runs=RUNS,
                       detail=f"{', '.join(flaky)}: passed and failed across {RUNS} runs\n{run.tail()}")
    if run.returncode != 0 or "failed" in results:
        return Verdict(candidate, Reason.FAILED, detail=run.tail(), runs=RUNS)
    if written:
        return Verdict(candidate, Reason.WRITES, detail="wrote " + ", ".join(written[:10]), runs=RUNS)
    gap = candidate.gap
    if not run.target_measured:
        return Verdict(candidate, Reason.NO_GAIN, runs=RUNS, detail=f"{gap.path} was never imported by the test")
    new_lines = (run.lines & gap.missing) - already_lines
    new_arcs = (run.arcs & gap.missing_arcs) - already_arcs
    if not new_lines and not new_arcs:
        still = sorted(gap.missing - already_lines)
        return Verdict(candidate, Reason.NO_GAIN, runs=RUNS,
                       detail=f"passed, but covered no new line of {gap.symbol}; still missing lines: {still}")
    return Verdict(candidate, Reason.KEPT, new_lines=new_lines, new_arcs=new_arcs, runs=RUNS)


def test_path_for(root: Path, tests_dir: str, module: str, taken: set[str]) -> str:
    """`tests/test_<module>_generated.py`, or the first free numbered sibling; never an existing file."""
    stem = f"test_{module.split('.')[-1]}_generated"
    n = 1
    while True:
        name = f"{stem}.py" if n == 1 else f"{stem}_{n}.py"
        rel = f"{tests_dir}/{name}" if tests_dir else name
        if not (root / rel).exists() and rel not in taken:
            return rel
        n += 1


test_path_for.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite the name


def tests_folder(root: Path) -> str:
    for name in ("tests", "test"):
        if (root / name).is_dir():
            return name
    return "tests"


tests_folder.__test__ = False  # type: ignore[attr-defined]

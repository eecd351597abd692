"""Stage 3: candidates validated together in the sandboxed copy, then only the survivors re-checked.

1. Every candidate file runs once, the files dealt over two pytest processes that run at once
   (measure.run_batches), each test in its own coverage context: per candidate its outcomes, the lines
   it ran, and any write it attempted.
2. A candidate survives when all its tests pass (failed: a ghostwriter test whose target raised on
   valid input is reported as a crash found, with Hypothesis' falsifying example), it wrote nothing
   (the copy and HOME are watched around each test; writes outside are refused by the OS sandbox and
   logged) and it runs lines of its target the suite misses.
3. Survivors alone are run again 3 times (again over two processes), so none passes only because of another
   candidate, and one that fails any of those runs is flaky. (One first run, not three: most
   candidates are dropped by it.) Hypothesis does not shrink in these runs (runners/no_shrink.py).
4. Strength: each survivor must kill at least one mutant of the lines it newly covers (mutate.py).
5. Gains are assigned in candidate order, so two tests never claim the same line.
"""

from __future__ import annotations

import ast
import asyncio
import re
import shutil
from pathlib import Path

from empathy_os.testgen.candidates import Candidate, Reason, Verdict
from empathy_os.testgen.measure import BatchRun, run_batches
from empathy_os.testgen.mutate import mutants, strength
from empathy_os.testgen.sandbox import Sandbox, changed, copy_project, tree_hashes

RUNS = 3
Gained = dict[str, tuple[set[int], set[tuple[int, int]]]]  # gap key -> lines, arcs already gained


async def validate(
    project_root: Path,
    python: str,
    candidate: Candidate,
    test_path: str,
    already_lines: set[int],
    already_arcs: set[tuple[int, int]],
    timeout: float = 120,
) -> Verdict:
    """One candidate in its own sandbox (the same checks as a batch of one)."""
    sandbox = await asyncio.to_thread(Sandbox.create, project_root, python)
    try:
        gained = {candidate.gap.key: (set(already_lines), set(already_arcs))}
        return (await validate_batch(sandbox, [candidate], {candidate.gap.path: test_path}, gained,
                                     timeout=timeout))[0]
    finally:
        await asyncio.to_thread(sandbox.cleanup)


async def validate_batch(sandbox: Sandbox, candidates: list[Candidate], paths: dict[str, str],
                         gained: Gained, timeout: float = 900) -> list[Verdict]:
    """Verdicts in the order of `candidates`; `gained` is updated with the kept tests' lines."""
    pristine = await asyncio.to_thread(tree_hashes, sandbox.copy)
    verdicts: dict[int, Verdict] = {}
    files: dict[int, str] = {}
    for i, c in enumerate(candidates):
        try:
            ast.parse(c.source)
        except SyntaxError as exc:
            verdicts[i] = Verdict(c, Reason.SYNTAX, detail=f"SyntaxError line {exc.lineno}: {exc.msg}")
            continue
        folder = Path(paths[c.gap.path]).parent.as_posix()
        rel = f"{folder}/test_empathy_candidate_{sandbox.next_id()}.py" if folder != "." else \
            f"test_empathy_candidate_{sandbox.next_id()}.py"
        (sandbox.copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (sandbox.copy / rel).write_text(c.source, encoding="utf-8")
        files[i] = rel
    try:
        await _judge(sandbox, candidates, files, gained, verdicts, timeout)
    finally:
        for rel in files.values():
            (sandbox.copy / rel).unlink(missing_ok=True)
        # A candidate that wrote into the copy (rejected for it) must not change what the next sees.
        if changed(pristine, await asyncio.to_thread(tree_hashes, sandbox.copy)):
            await asyncio.to_thread(_restore, sandbox)
    return [verdicts[i] for i in range(len(candidates))]


def _restore(sandbox: Sandbox) -> None:
    shutil.rmtree(sandbox.copy, ignore_errors=True)
    shutil.rmtree(sandbox.pycache, ignore_errors=True)  # what a changed file compiled to is stale now
    copy_project(sandbox.source, sandbox.copy)


async def _judge(sandbox: Sandbox, candidates: list[Candidate], files: dict[int, str], gained: Gained,
                 verdicts: dict[int, Verdict], timeout: float) -> None:
    if not files:
        return
    targets = sorted({candidates[i].gap.path for i in files})
    first = await run_batches(sandbox, list(files.values()), targets, runs=1, timeout=timeout)
    if first.error and len(files) > 1:
        # One candidate hung or killed the process: judge each alone, so the others still count.
        for i, rel in files.items():
            await _judge(sandbox, candidates, {i: rel}, gained, verdicts, timeout)
        return
    raw: dict[int, tuple[set[int], set[tuple[int, int]]]] = {}
    for i, rel in files.items():
        verdict, lines = _verdict(sandbox, candidates[i], rel, first, gained)
        if verdict is not None:
            verdicts[i] = verdict
        else:
            raw[i] = lines
    if not raw:
        return
    # Outcomes only: the lines each test runs were measured in the first run.
    again = await run_batches(sandbox, [files[i] for i in raw], targets, runs=RUNS, timeout=timeout, measure=False)
    for i in list(raw):
        tests = again.tests_of(files[i])
        if again.error or not tests or any(o != "passed" for t in tests for o in again.outcomes[t]):
            failing = next((again.failures[t] for t in tests if t in again.failures), again.tail())
            verdicts[i] = Verdict(candidates[i], Reason.FLAKY, runs=RUNS,
                                  detail=f"passed its first run, failed one of {RUNS} runs with the survivors "
                                         f"only\n{failing}")
            del raw[i]
    await _strength_and_gain(sandbox, candidates, files, raw, gained, verdicts)


async def _strength_and_gain(sandbox: Sandbox, candidates: list[Candidate], files: dict[int, str],
                             raw: dict, gained: Gained, verdicts: dict[int, Verdict]) -> None:
    """Gains in candidate order; only a candidate that gains is mutation-tested (a weak one frees its
    lines for the next candidate, which is then tested in a second round)."""
    pending = sorted(raw)
    for _ in range(2):
        claimed: Gained = {k: (set(v[0]), set(v[1])) for k, v in gained.items()}
        trial = []
        for i in pending:
            c = candidates[i]
            lines, arcs = claimed[c.gap.key]
            new_lines, new_arcs = raw[i][0] - lines, raw[i][1] - arcs
            if new_lines or new_arcs:
                lines |= new_lines
                arcs |= new_arcs
                trial.append((i, new_lines, new_arcs))
        if not trial:
            break
        jobs = []
        for i, new_lines, _ in trial:
            gap = candidates[i].gap
            source = (sandbox.copy / gap.path).read_text(encoding="utf-8")
            jobs.append((files[i], gap.path, mutants(source, new_lines)))
        scores = await strength(sandbox, jobs, sandbox.pytest_args(sandbox.next_id())[2:])
        weak = False
        for (i, new_lines, new_arcs), score in zip(trial, scores):
            c = candidates[i]
            if score.killed:
                gained[c.gap.key][0].update(new_lines)
                gained[c.gap.key][1].update(new_arcs)
                verdicts[i] = Verdict(c, Reason.KEPT, new_lines=new_lines, new_arcs=new_arcs, runs=RUNS,
                                      strength=score)
                continue
            weak = True
            what = (f"strength not measured ({score.error}): not kept, as its strength is unknown"
                    if score.error else
                    f"killed none of {score.made} mutant(s) of the lines it newly covers "
                    f"(surviving: {'; '.join(score.survivors[:3])})" if score.made else
                    "no mutant could be made of the lines it newly covers, so its strength is unknown")
            verdicts[i] = Verdict(c, Reason.WEAK, runs=RUNS, strength=score, detail=what)
        pending = [i for i in pending if i not in verdicts]
        if not weak:
            break
    for i in pending:
        c = candidates[i]
        verdicts[i] = Verdict(c, Reason.NO_GAIN, runs=RUNS,
                              detail=f"an earlier kept test already covers what it covers in {c.gap.symbol}")


def _verdict(sandbox: Sandbox, c: Candidate, rel: str, run: BatchRun, gained: Gained):
    """(a rejection, None) or (None, (lines, arcs) the candidate newly runs in its target)."""
    tests = run.tests_of(rel)
    # In order: the run itself, what the tests did outside, their outcomes, then what they newly cover.
    rejected = _run_failed(c, run) or _escaped(sandbox, c, run, tests) or _test_outcome(c, rel, run, tests)
    if rejected is not None:
        return rejected, None
    return _gain(c, run, tests, gained)


def _run_failed(c: Candidate, run: BatchRun) -> Verdict | None:
    if run.timed_out:
        return Verdict(c, Reason.TIMEOUT, detail=run.error or "", runs=RUNS)
    if run.error:
        return Verdict(c, Reason.FAILED, detail=f"{run.error}\n{run.tail()}", runs=RUNS)
    return None


def _escaped(sandbox: Sandbox, c: Candidate, run: BatchRun, tests: list[str]) -> Verdict | None:
    """Network use, a new process, or a write outside the candidate's temp folder (refused or not)."""
    logged = [w for t in tests for w in run.blocked.get(t, [])]
    effect = _effect(sandbox, c, logged)
    if effect is not None:
        return effect
    blocked = [w for w in logged if not w.startswith(_EFFECT_PREFIXES)]
    if blocked:
        how = ("refused by the kernel (read-only file system in the bubblewrap sandbox)"
               if sandbox.isolation.os_sandbox else "refused by the in-process guard (best-effort isolation)")
        return Verdict(c, Reason.WRITES, runs=RUNS,
                       detail=f"tried to write outside its sandbox, {how}: " + "; ".join(blocked[:5]))
    written = sorted({w for t in tests for w in run.writes.get(t, [])})
    if written:
        return Verdict(c, Reason.WRITES, detail="wrote " + ", ".join(written[:10]), runs=RUNS)
    return None


def _test_outcome(c: Candidate, rel: str, run: BatchRun, tests: list[str]) -> Verdict | None:
    """Not collected, nothing collected, flaky across the runs, or failing (a fuzz test's crash is a finding)."""
    error = next((e for path, e in run.collect_errors.items() if path.split("::")[0] == rel), None)
    if error is not None:
        return Verdict(c, Reason.FAILED, detail=f"could not be collected:\n{error}", runs=RUNS)
    if not tests:
        return Verdict(c, Reason.NO_TESTS, detail="pytest collected no test from it", runs=RUNS)
    flaky = [t for t in tests if "passed" in run.outcomes[t] and "failed" in run.outcomes[t]]
    if flaky:
        return Verdict(c, Reason.FLAKY, runs=RUNS, detail=f"{', '.join(flaky)}: passed and failed across "
                       f"{RUNS} runs\n{run.failures.get(flaky[0], '')}")
    failed = [t for t in tests if "failed" in run.outcomes[t]]
    if not failed:
        return None
    text = run.failures.get(failed[0], "")
    crash = _crash(c, text)
    if crash:
        return Verdict(c, Reason.CRASH, detail=crash, runs=RUNS)
    return Verdict(c, Reason.FAILED, detail=text or run.tail(), runs=RUNS)


def _gain(c: Candidate, run: BatchRun, tests: list[str], gained: Gained):
    """(no-gain verdict, None) or (None, (lines, arcs) of the target its tests run that no kept test ran)."""
    gap = c.gap
    per_test = run.coverage.get(gap.path, {})
    lines: set[int] = set()
    arcs: set[tuple[int, int]] = set()
    for got in filter(None, (per_test.get(t) for t in tests)):
        lines |= got[0]
        arcs |= got[1]
    have_lines, have_arcs = gained[gap.key]
    still = sorted(gap.missing - have_lines)
    if not lines:
        return Verdict(c, Reason.NO_GAIN, runs=RUNS,
                       detail=f"ran no line of {gap.path} in its tests; still missing lines: {still}"), None
    new_lines = (lines & gap.missing) - have_lines
    new_arcs = (arcs & gap.missing_arcs) - have_arcs
    if not new_lines and not new_arcs:
        return Verdict(c, Reason.NO_GAIN, runs=RUNS,
                       detail=f"passed, but covered no new line of {gap.symbol}; still missing lines: {still}"), None
    return None, (new_lines, new_arcs)


# Guard log prefix (_guard.py) -> verdict, what it did.
_EFFECTS = {"network: ": (Reason.NETWORK, "reached for the network"),
            "spawns-process: ": (Reason.SPAWNS, "started a process")}
_EFFECT_PREFIXES = tuple(_EFFECTS)


def _effect(sandbox: Sandbox, c: Candidate, logged: list[str]) -> Verdict | None:
    """Network use or a new process from project code: rejected even when it failed quietly, since run
    by hand (outside our sandbox) the test would connect or run the program."""
    for prefix, (reason, what) in _EFFECTS.items():
        calls = [w[len(prefix):] for w in logged if w.startswith(prefix)]
        if calls:
            how = ("contained by the OS sandbox; the code may have swallowed the error" if sandbox.isolation.os_sandbox
                   else "refused by the in-process guard (best-effort isolation)")
            return Verdict(c, reason, runs=RUNS, detail=f"{what} from project code: {'; '.join(calls[:3])} ({how})")
    return None


_EXAMPLE_START = ("Falsifying example", "Failing test case")  # Hypothesis' wording, older and newer
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)\b")


def _crash(c: Candidate, failure: str) -> str | None:
    """A fuzz test whose target raised on input Hypothesis drew from the annotations: a finding."""
    if c.origin != "ghostwriter" or not any(m in failure for m in _EXAMPLE_START):
        return None
    errors = [ln[1:].strip() for ln in failure.splitlines() if ln.startswith("E ")]
    raised = [e for e in errors if _EXCEPTION.match(e)]
    if not raised or raised[-1].startswith("AssertionError"):
        return None
    start = next((i for i, e in enumerate(errors) if e.startswith(_EXAMPLE_START)), None)
    example = " ".join(errors[start:start + 12]) if start is not None else "see the test output"
    return f"{c.gap.symbol} raised {raised[-1]} on input the fuzz test drew from its annotations: {example}"


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

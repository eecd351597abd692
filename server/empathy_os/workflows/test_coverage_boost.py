"""Test Coverage Boost: analyse gaps → generate tests → keep only tests that pass and raise coverage.

Stage 1 measures with the coverage analyzer (the same one release prep uses) and ranks the uncovered
functions. Stage 2 writes candidates: Hypothesis' ghostwriter and plain call tests offline, then, with a
model configured, a CHEAP → CAPABLE → PREMIUM cascade fed with the previous failure. Stage 3 runs each
candidate alone in a private copy of the project, 3 times, and keeps it only if every run passes, it
covers lines of its target the suite misses, and it wrote nothing outside its temp folder. A final run
of the whole suite with the kept tests, measured by the same analyzer, gives the "after" figure.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from empathy_os.analyzers import load_project, run_analyzer
from empathy_os.analyzers.contract import ProjectContext
from empathy_os.llm import Budget, ModelClient, load_tier_table, validate_max_cost
from empathy_os.progress_callback import Progress, no_progress
from empathy_os.testgen.candidates import NO_HYPOTHESIS, Candidate, OfflineResult, Verdict, generate_offline
from empathy_os.testgen.gaps import Gap, function_names, gaps_from_findings
from empathy_os.testgen.model_gen import cascade, import_hint
from empathy_os.testgen.output import GeneratedTestFile, as_unittest, merge, test_style, write_files
from empathy_os.testgen.report import CoverageBoostReport
from empathy_os.testgen.sandbox import Sandbox
from empathy_os.testgen.validate import test_path_for, tests_folder, validate_batch

__all__ = ["CoverageBoostReport", "GeneratedTestFile", "TestCoverageBoostWorkflow"]


class TestCoverageBoostWorkflow:
    __test__ = False  # not a pytest class, despite the name

    def __init__(
        self,
        target: float = 80.0,
        max_iterations: int = 3,
        max_cost: float | None = None,
        client: ModelClient | None = None,
    ):
        if not 0 <= float(target) <= 100:
            raise ValueError(f"target must be a percentage between 0 and 100, got {target}")
        if int(max_iterations) < 1:
            raise ValueError(f"max iterations must be at least 1, got {max_iterations}")
        self.target = float(target)
        self.max_iterations = int(max_iterations)
        self.max_cost = validate_max_cost(max_cost)
        self._client = client

    async def execute(
        self,
        project_root: str | os.PathLike[str],
        only: str | None = None,
        dry_run: bool = False,
        write: bool = True,
        trusted: bool = True,
        python: str | None = None,
        progress: Progress | None = None,
    ) -> CoverageBoostReport:
        started = time.perf_counter()
        say = progress or no_progress
        ctx = load_project(project_root, python=python, trusted=trusted)
        scope = parse_only(ctx.root, only)
        report = CoverageBoostReport(project_root=str(ctx.root), target=self.target, only=only,
                                     dry_run=dry_run, max_cost=self.max_cost,
                                     interpreter=f"{ctx.python} ({ctx.python_reason or 'given'})")
        try:
            await self._run(ctx, scope, report, say, dry_run=dry_run, write=write)
        finally:
            report.duration_seconds = time.perf_counter() - started
        say("coverage boost finished", 100.0)
        return report

    async def _run(self, ctx: ProjectContext, scope, report: CoverageBoostReport, say: Progress,
                   *, dry_run: bool, write: bool) -> None:
        if not ctx.trusted:
            report.refused = "workspace not trusted: no project code is run, so no test can be generated"
            return
        say("Stage 1: measuring coverage", 2.0)
        # One private copy for the whole run, inside the OS sandbox: baseline, generation, validation
        # and the final runs all happen there; nothing any of them does can reach the project.
        sandbox = await asyncio.to_thread(Sandbox.create, ctx.root, ctx.python, "empathy-testgen-", ctx.trusted)
        sandbox.share_bytecode = True  # the copy is never edited in place here, only new test files
        report.isolation = sandbox.isolation.description
        report.notes.extend(sandbox.notes)
        # Every run, the baseline too, forks from one warm interpreter (testgen/warm.py): it starts in
        # ~0.6 s, a cold coverage run of the suite takes seconds more than a warm one.
        warming = asyncio.create_task(sandbox.start_warm())
        try:
            await self._in_sandbox(ctx, sandbox, scope, report, say, warming, dry_run=dry_run, write=write)
        finally:
            warming.cancel()
            await asyncio.gather(warming, return_exceptions=True)
            if sandbox.warm is not None:
                report.warm_cpu_seconds = sandbox.warm.cpu_seconds
            await sandbox.stop_warm()
            await asyncio.to_thread(sandbox.cleanup)

    async def _in_sandbox(self, ctx: ProjectContext, sandbox: Sandbox, scope, report: CoverageBoostReport,
                          say: Progress, warming: asyncio.Task, *, dry_run: bool, write: bool) -> None:
        with report.timed("baseline"):
            await warming
            baseline = await run_analyzer("coverage", self._copy_ctx(ctx, sandbox, gaps=True))
        if not baseline.ran:
            # No test collected → coverage.py has no data and cannot report: say that, not its error.
            report.refused = (f"{uncollected_note(ctx.root, refused=True)}" if "pytest exit 5" in (baseline.error or "")
                              else f"could not measure the baseline: {baseline.error}")
            return
        failed = (baseline.metrics.get("tests_failed") or 0) + (baseline.metrics.get("tests_errors") or 0)
        exit_code = baseline.metrics.get("pytest_exit_code")
        if failed or exit_code not in (0, 5):
            report.refused = (
                f"the project's own test suite fails ({failed} failed/errors, pytest exit {exit_code}): "
                "its baseline coverage cannot be trusted; fix the suite first"
            )
            return
        if exit_code == 5:
            report.notes.append(uncollected_note(ctx.root))
        report.coverage_before = _float(baseline.metrics.get("coverage_percent"))
        report.coverage_source = f"{baseline.tool}; {baseline.scope}"
        if report.coverage_before is not None and report.coverage_before >= self.target:
            report.coverage_after = report.coverage_before
            report.notes.append(f"coverage {report.coverage_before:.1f}% already meets the target "
                                f"{self.target:.1f}%: no test generated")
            return
        report.gaps = gaps_from_findings(ctx.root, baseline.findings, scope)
        if scope and scope[1] and not report.gaps:
            report.notes.append(f"{scope[1]} in {scope[0]} has no uncovered line: nothing to do")
        if not report.gaps:
            return
        tests_dir = tests_folder(ctx.root)
        paths: dict[str, str] = {}
        for g in report.gaps:  # one output file per target module, decided before validation
            if g.path not in paths:
                paths[g.path] = test_path_for(ctx.root, tests_dir, g.module, set(paths.values()))
        statements = baseline.metrics.get("num_statements")
        await self._generate(ctx, sandbox, report, say, paths, int(statements) if statements else None)
        with report.timed("final_suite"):
            await self._finish(ctx, sandbox, report, say, paths, dry_run=dry_run, write=write)

    @staticmethod
    def _copy_ctx(ctx: ProjectContext, sandbox: Sandbox, gaps: bool = False) -> ProjectContext:
        # Private functions are targets too (after the public ones), so the baseline lists their gaps.
        settings = {**ctx.settings, "coverage_private_gaps": True} if gaps else ctx.settings
        return ProjectContext(root=sandbox.copy, python=ctx.python, settings=settings, use_cache=False,
                              sandbox=sandbox)

    async def _generate(self, ctx: ProjectContext, sandbox: Sandbox, report: CoverageBoostReport,
                        say: Progress, paths: dict[str, str], statements: int | None) -> None:
        judge = _Judge(sandbox, paths, report, say)
        client = self._client or ModelClient(load_tier_table(ctx.settings))
        owns_client = self._client is None
        await self._offline_round(ctx, sandbox, report, say, judge, statements)
        report.iterations = 1
        if not client.configured:
            return
        report.model = "configured: " + ", ".join(f"{t.value}={s.model}" for t, s in client.tiers.items())
        budget = Budget(self.max_cost)
        try:
            with report.timed("model"):
                await self._model_rounds(ctx, client, budget, report, say, judge, statements)
        finally:
            report.model_calls = budget.calls
            report.cost_usd = budget.spent
            report.budget_note = budget.stopped
            if owns_client:
                await client.aclose()

    async def _offline_round(self, ctx: ProjectContext, sandbox: Sandbox, report: CoverageBoostReport,
                             say: Progress, judge: _Judge, statements: int | None) -> None:
        say(f"Stage 2: generating offline tests for {len(report.gaps)} gap(s)", 10.0)
        with report.timed("generation"):
            offline = await generate_offline(sandbox, report.gaps)
        _note_offline(ctx, report, offline)
        plain, fuzz, later = _offline_candidates(report.gaps, offline)
        say(f"Stage 3: validating {len(plain) + len(fuzz)} candidate(s) together", 20.0)
        with report.timed("validation"):
            await judge.check_all(plain + fuzz)
            met = self._estimated(report, judge.gained, statements) >= self.target
            again = [c for c in later if judge.remaining(c.gap) and not met]
            for c in later:
                if c not in again:
                    report.generator_notes[c.gap.key].append(
                        "fuzz test not run: " + ("the target is met" if met else
                                             "the kept plain test covers every line it missed"))
            if again:
                say(f"Stage 3: validating {len(again)} fuzz candidate(s) the plain tests left", 60.0)
                await judge.check_all(again)

    async def _model_rounds(self, ctx: ProjectContext, client: ModelClient, budget: Budget,
                            report: CoverageBoostReport, say: Progress, judge: _Judge, statements: int | None) -> None:
        """The model cascade over the gaps still missing lines, round after round, while a round keeps a
        test, the target is not met and the budget lasts."""
        tests_dir = tests_folder(ctx.root)
        last: dict[str, Verdict | None] = {}  # per gap: the last rejected candidate, fed to the next round
        for iteration in range(1, self.max_iterations + 1):
            report.iterations = iteration
            if self._estimated(report, judge.gained, statements) >= self.target:
                break
            kept_before = len(report.kept)
            for g in [g for g in report.gaps if judge.remaining(g)]:
                say(f"model cascade for {g.symbol} (iteration {iteration})", None)
                log = await cascade(client, ctx.root, g, judge.remaining(g), import_hint(ctx.root, tests_dir, g),
                                    budget, judge.check, iteration=iteration, previous=last.get(g.key))
                last[g.key] = log.last_rejected or last.get(g.key)
                report.notes.extend(f"{g.symbol}: model error: {e}" for e in log.errors)
                if budget.stopped:
                    break
            if budget.stopped or len(report.kept) == kept_before:
                break

    def _estimated(self, report: CoverageBoostReport, gained, statements: int | None) -> float:
        """Before + kept line gains: only decides whether another paid model round is needed."""
        before = report.coverage_before or 0.0
        total = statements or sum(len(g.missing) for g in report.gaps) or 1
        return before + 100.0 * sum(len(v[0]) for v in gained.values()) / total

    async def _finish(self, ctx: ProjectContext, sandbox: Sandbox, report: CoverageBoostReport,
                      say: Progress, paths: dict[str, str], *, dry_run: bool, write: bool) -> None:
        if not report.kept:
            report.coverage_after = report.coverage_before
            return
        files = await asyncio.to_thread(generated_files, ctx.root, report.kept, paths)
        say(f"final: the whole suite with the kept tests, {FINAL_RUNS} plain runs", 92.0)
        write_files(sandbox.copy, files)
        # Coverage is measured on one of the runs; the others are plain `python -m pytest` runs, at once.
        plain = [sandbox.run([ctx.python, *sandbox.pytest_args(sandbox.next_id())], timeout=900,
                             env=sandbox.bytecode_env())
                 for _ in range(FINAL_RUNS - 1)]
        final, *others = await asyncio.gather(run_analyzer("coverage", self._copy_ctx(ctx, sandbox)), *plain)
        failed = (final.metrics.get("tests_failed") or 0) + (final.metrics.get("tests_errors") or 0)
        passed = final.metrics.get("tests_passed")
        bad = [r for r in others if r.returncode != 0]
        report.final_suite = (f"{passed} passed, {failed} failed/errors; {FINAL_RUNS - len(bad)} of "
                              f"{FINAL_RUNS} plain runs passed") if final.ran else final.error
        if not final.ran or failed or final.metrics.get("pytest_exit_code") != 0 or bad:
            tail = bad[0].stdout.strip()[-300:] if bad else ""
            report.notes.append("the full suite with the kept tests did not pass every run; nothing is written"
                                + (f" ({final.error})" if final.error else "") + (f": {tail}" if tail else ""))
            report.coverage_after = report.coverage_before
            return
        report.coverage_after = _float(final.metrics.get("coverage_percent"))
        report.files = files
        if write and not dry_run:
            try:
                report.written = write_files(ctx.root, files)
            except (ValueError, FileExistsError) as exc:  # e.g. tests/ links outside the project
                report.notes.append(f"nothing written: {exc}")


class _Judge:
    """Validates candidates in the one sandbox copy (batches take turns), records every verdict in the
    report, and keeps per gap the lines and arcs its kept tests newly cover."""

    def __init__(self, sandbox: Sandbox, paths: dict[str, str], report: CoverageBoostReport, say: Progress):
        self.gained: dict[str, tuple[set[int], set[tuple[int, int]]]] = {g.key: (set(), set()) for g in report.gaps}
        self._sandbox, self._paths, self._report, self._say = sandbox, paths, report, say
        self._one_at_a_time = asyncio.Lock()

    async def check_all(self, candidates: list[Candidate]) -> list[Verdict]:
        async with self._one_at_a_time:
            verdicts = await validate_batch(self._sandbox, candidates, self._paths, self.gained)
        report = self._report
        report.verdicts.extend(verdicts)
        self._say(f"validated {len(report.verdicts)} candidate(s), kept {len(report.kept)}",
                  min(90.0, 20 + len(report.verdicts) * 3))
        return verdicts

    async def check(self, candidate: Candidate) -> Verdict:
        return (await self.check_all([candidate]))[0]

    def remaining(self, g: Gap) -> set[int]:
        return g.missing - self.gained[g.key][0]


def _note_offline(ctx: ProjectContext, report: CoverageBoostReport, offline: dict[str, OfflineResult]) -> None:
    """Why the offline generators wrote nothing, per gap (and once: Hypothesis is not installed)."""
    if any(r.ghostwriter_error == NO_HYPOTHESIS for r in offline.values()):
        report.notes.append(f"{NO_HYPOTHESIS} ({ctx.python}): no fuzz test was generated; install it with "
                            f"`{ctx.python} -m pip install 'hypothesis[ghostwriter]'`")
    for g in report.gaps:
        result = offline[g.key]
        report.generator_notes[g.key] = [e for e in (result.ghostwriter_error, result.plain_error)
                                         if e and e != NO_HYPOTHESIS]
        if not result.ghostwriter and not result.plain and report.generator_notes[g.key]:
            report.notes.append(f"{g.symbol}: " + "; ".join(dict.fromkeys(report.generator_notes[g.key])))


def _offline_candidates(gaps: list[Gap], offline: dict[str, OfflineResult]) -> tuple[
        list[Candidate], list[Candidate], list[Candidate]]:
    """(plain, fuzz, later). Plain calls first: they assert exact values (they kill more mutants) and run in
    milliseconds. A fuzz test (many examples, shrinking when one fails) joins only where the plain calls, as
    the generator traced them, leave a missed line (or the target has missed branches); the others wait
    (`later`): if a plain test is then not kept after all, its target's fuzz test runs in a second round."""
    plain, fuzz, later = [], [], []
    for g in gaps:
        result = offline[g.key]
        if result.plain:
            plain.append(Candidate(g, "plain", result.plain, private_why=result.plain_private))
        if not result.ghostwriter:
            continue
        left = g.missing - set(result.plain_reached or []) if result.plain else g.missing
        (fuzz if left or g.missing_arcs else later).append(
            Candidate(g, "ghostwriter", result.ghostwriter, private_why=result.plain_private))
    return plain, fuzz, later


FINAL_RUNS = 3


def generated_files(root: Path, kept: list[Verdict], paths: dict[str, str]) -> list[GeneratedTestFile]:
    """One file per target module, in the project's style (TestCase classes where its tests are)."""
    groups: dict[str, list[Verdict]] = {}
    for v in sorted(kept, key=lambda v: (v.candidate.gap.path, v.candidate.gap.line)):
        groups.setdefault(v.candidate.gap.path, []).append(v)
    unittest_style = test_style(root) == "unittest"
    files = []
    for path, verdicts in groups.items():
        content = merge(verdicts)
        if unittest_style:
            content = as_unittest(content, "".join(p.title() for p in Path(paths[path]).stem.split("_")))
        files.append(GeneratedTestFile(paths[path], content, path))
    return files


def uncollected_note(root: Path, refused: bool = False) -> str:
    """pytest collected nothing: say what test-like files it passed over, so a 0 % baseline is explained."""
    skipped = sorted({p.relative_to(root).as_posix() for p in root.rglob("test*.py")
                      if not p.name.startswith("test_") and ".venv" not in p.parts})
    where = f" (e.g. {', '.join(skipped[:3])}, which pytest's default test_*.py pattern does not match)" if skipped \
        else " (the project has no test file pytest recognises)"
    if refused:
        return (f"pytest collected no test{where}, so coverage.py has no data to report: there is no baseline "
                "to build on (add tests pytest collects, or set python_files in the pytest config)")
    return f"pytest collected no test{where}: the baseline is what importing nothing covers"


def parse_only(root: Path, only: str | None) -> tuple[str, str | None] | None:
    """`FILE` or `FILE:FUNCTION` (relative to the root, or absolute inside it) → (posix path, symbol)."""
    if not only:
        return None
    path_part, _, symbol = only.partition(":") if not _drive(only) else (only, "", "")
    candidate = Path(path_part)
    full = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if not full.is_relative_to(root):
        raise ValueError(f"--only {only}: the file is outside the project {root}")
    if not full.is_file() or full.suffix != ".py":
        raise ValueError(f"--only {only}: no Python file {path_part} in {root}")
    rel = full.relative_to(root).as_posix()
    if symbol:
        names = function_names(full)
        if symbol not in names and symbol not in {n.split(".")[-1] for n in names}:
            raise ValueError(f"--only {only}: no function or method {symbol!r} in {rel}")
    return rel, symbol or None


def _drive(text: str) -> bool:
    return len(text) > 2 and text[1] == ":" and text[2] in "\\/"


def _float(value) -> float | None:
    return None if value is None else float(value)

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
from empathy_os.analyzers.base import ProjectContext
from empathy_os.llm import Budget, ModelClient, load_tier_table, validate_max_cost
from empathy_os.progress_callback import Progress, no_progress
from empathy_os.testgen.candidates import Candidate, Verdict, generate_offline
from empathy_os.testgen.gaps import Gap, function_names, gaps_from_findings
from empathy_os.testgen.model_gen import cascade, import_hint
from empathy_os.testgen.output import GeneratedTestFile, merge, write_files
from empathy_os.testgen.report import CoverageBoostReport
from empathy_os.testgen.sandbox import Sandbox
from empathy_os.testgen.validate import test_path_for, tests_folder, validate

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
        sandbox = await asyncio.to_thread(Sandbox.create, ctx.root, ctx.python)
        report.isolation = sandbox.isolation.description
        report.notes.extend(sandbox.notes)
        try:
            # The project's own suite, measured in the private copy inside the sandbox: nothing it does
            # can reach the project, and paths are the same relative to the copy.
            baseline = await run_analyzer("coverage", ProjectContext(
                root=sandbox.copy, python=ctx.python, settings=ctx.settings, use_cache=False, sandbox=sandbox))
        finally:
            await asyncio.to_thread(sandbox.cleanup)
        if not baseline.ran:
            report.refused = f"could not measure the baseline: {baseline.error}"
            return
        failed = (baseline.metrics.get("tests_failed") or 0) + (baseline.metrics.get("tests_errors") or 0)
        exit_code = baseline.metrics.get("pytest_exit_code")
        if failed or exit_code not in (0, 5):
            report.refused = (
                f"the project's own test suite fails ({failed} failed/errors, pytest exit {exit_code}): "
                "its baseline coverage cannot be trusted; fix the suite first"
            )
            return
        report.coverage_before = _float(baseline.metrics.get("coverage_percent"))
        report.coverage_source = f"{baseline.tool}; {baseline.scope}"
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
        await self._generate(ctx, report, say, paths, int(statements) if statements else None)
        await self._finish(ctx, report, say, paths, dry_run=dry_run, write=write)

    async def _generate(self, ctx: ProjectContext, report: CoverageBoostReport, say: Progress,
                        paths: dict[str, str], statements: int | None) -> None:
        tests_dir = tests_folder(ctx.root)
        gained: dict[str, tuple[set[int], set[tuple[int, int]]]] = {g.key: (set(), set()) for g in report.gaps}
        client = self._client or ModelClient(load_tier_table(ctx.settings))
        owns_client = self._client is None
        budget = Budget(self.max_cost)
        limit = asyncio.Semaphore(max(1, min(8, os.cpu_count() or 2)))

        async def check(candidate: Candidate) -> Verdict:
            lines, arcs = gained[candidate.gap.key]
            async with limit:
                verdict = await validate(ctx.root, ctx.python, candidate, paths[candidate.gap.path], lines, arcs)
            if verdict.kept:
                lines |= verdict.new_lines
                arcs |= verdict.new_arcs
            report.verdicts.append(verdict)
            done = len(report.verdicts)
            say(f"validated {done} candidate(s), kept {len(report.kept)}", min(90.0, 20 + done * 3))
            return verdict

        def remaining(g: Gap) -> set[int]:
            return g.missing - gained[g.key][0]

        say(f"Stage 2: generating offline tests for {len(report.gaps)} gap(s)", 10.0)
        sandbox = await asyncio.to_thread(Sandbox.create, ctx.root, ctx.python)
        try:
            offline = await generate_offline(sandbox, report.gaps)
        finally:
            await asyncio.to_thread(sandbox.cleanup)

        async def offline_for(g: Gap) -> None:
            result = offline[g.key]
            if result.ghostwriter:
                verdict = await check(Candidate(g, "ghostwriter", result.ghostwriter))
                if verdict.kept and not remaining(g):
                    return
            elif result.ghostwriter_error:
                report.notes.append(f"{g.symbol}: ghostwriter: {result.ghostwriter_error}")
            if result.plain:
                await check(Candidate(g, "plain", result.plain))
            elif result.plain_error and not result.ghostwriter:
                report.notes.append(f"{g.symbol}: plain call test: {result.plain_error}")

        await asyncio.gather(*(offline_for(g) for g in report.gaps))
        report.iterations = 1
        if not client.configured:
            return
        report.model = "configured: " + ", ".join(f"{t.value}={s.model}" for t, s in client.tiers.items())
        last: dict[str, Verdict | None] = {}
        try:
            for iteration in range(1, self.max_iterations + 1):
                report.iterations = iteration
                if self._estimated(report, gained, statements) >= self.target:
                    break
                kept_before = len(report.kept)
                for g in [g for g in report.gaps if remaining(g)]:
                    say(f"model cascade for {g.symbol} (iteration {iteration})", None)
                    log = await cascade(client, ctx.root, g, remaining(g), import_hint(ctx.root, tests_dir, g),
                                        budget, check, iteration=iteration, previous=last.get(g.key))
                    last[g.key] = log.last_rejected or last.get(g.key)
                    report.notes.extend(f"{g.symbol}: model error: {e}" for e in log.errors)
                    if budget.stopped:
                        break
                if budget.stopped or len(report.kept) == kept_before:
                    break
        finally:
            report.model_calls = budget.calls
            report.cost_usd = budget.spent
            report.budget_note = budget.stopped
            if owns_client:
                await client.aclose()

    def _estimated(self, report: CoverageBoostReport, gained, statements: int | None) -> float:
        """Before + kept line gains: only decides whether another paid model round is needed."""
        before = report.coverage_before or 0.0
        total = statements or sum(len(g.missing) for g in report.gaps) or 1
        return before + 100.0 * sum(len(v[0]) for v in gained.values()) / total

    async def _finish(self, ctx: ProjectContext, report: CoverageBoostReport, say: Progress,
                      paths: dict[str, str], *, dry_run: bool, write: bool) -> None:
        if not report.kept:
            report.coverage_after = report.coverage_before
            return
        groups: dict[str, list[Verdict]] = {}
        for v in sorted(report.kept, key=lambda v: (v.candidate.gap.path, v.candidate.gap.line)):
            groups.setdefault(v.candidate.gap.path, []).append(v)
        files = [GeneratedTestFile(paths[path], merge(verdicts)) for path, verdicts in groups.items()]
        say("final full run with the kept tests", 92.0)
        sandbox = await asyncio.to_thread(Sandbox.create, ctx.root, ctx.python)
        try:
            write_files(sandbox.copy, files)
            final_ctx = ProjectContext(root=sandbox.copy, python=ctx.python, settings=ctx.settings,
                                       use_cache=False, sandbox=sandbox)
            final = await run_analyzer("coverage", final_ctx)
        finally:
            await asyncio.to_thread(sandbox.cleanup)
        failed = (final.metrics.get("tests_failed") or 0) + (final.metrics.get("tests_errors") or 0)
        passed = final.metrics.get("tests_passed")
        report.final_suite = f"{passed} passed, {failed} failed/errors" if final.ran else final.error
        if not final.ran or failed or final.metrics.get("pytest_exit_code") != 0:
            report.notes.append("the full suite with the kept tests did not pass; nothing is written"
                                + (f" ({final.error})" if final.error else ""))
            report.coverage_after = report.coverage_before
            return
        report.coverage_after = _float(final.metrics.get("coverage_percent"))
        report.files = files
        if write and not dry_run:
            try:
                report.written = write_files(ctx.root, files)
            except (ValueError, FileExistsError) as exc:  # e.g. tests/ links outside the project
                report.notes.append(f"nothing written: {exc}")


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

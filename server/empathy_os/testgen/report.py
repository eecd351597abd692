"""The coverage-boost report: every figure measured, each with where it came from."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from empathy_os.testgen.candidates import Reason, Verdict
from empathy_os.testgen.gaps import Gap
from empathy_os.testgen.output import GeneratedTestFile


@dataclass
class CoverageBoostReport:
    project_root: str
    target: float
    only: str | None = None
    dry_run: bool = False
    refused: str | None = None  # why nothing was attempted (untrusted, failing suite, no measurement)
    coverage_before: float | None = None
    coverage_after: float | None = None
    coverage_source: str = ""  # tool + scope that measured both figures
    gaps: list[Gap] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    files: list[GeneratedTestFile] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    model: str = "not configured (no ANTHROPIC_API_KEY): offline generation only"
    model_calls: int = 0
    cost_usd: float = 0.0
    max_cost: float | None = None
    budget_note: str | None = None
    iterations: int = 0
    final_suite: str | None = None  # pytest summary of the final full run (with the kept tests)
    notes: list[str] = field(default_factory=list)
    interpreter: str = ""  # the project's interpreter, and why it was chosen
    isolation: str = ""  # what contained project code: bubblewrap, or "best effort: …"
    duration_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds (wall)
    warm_cpu_seconds: float | None = None  # user + sys of the runs forked from the warm interpreter
    generator_notes: dict[str, list[str]] = field(default_factory=dict)  # gap key -> why no candidate

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - started

    def target_results(self) -> dict[str, dict]:
        """Per target one outcome: kept, found a crash, no gain, failed, flaky, weak, writes, unreachable."""
        out: dict[str, dict] = {}
        for g in self.gaps:
            mine = [v for v in self.verdicts if v.candidate.gap.key == g.key]
            reasons = {v.reason for v in mine}
            if Reason.KEPT in reasons:
                result = "kept"
            elif Reason.CRASH in reasons:
                result = "found a crash"
            elif not mine:
                result = "unreachable"
            else:
                # What the function does outside first (it is why no test of it can be kept), then
                # the rejection closest to a kept test.
                order = [Reason.NETWORK, Reason.SPAWNS, Reason.WEAK, Reason.NO_MUTANT, Reason.NO_GAIN, Reason.FLAKY,
                         Reason.WRITES, Reason.FAILED, Reason.TIMEOUT, Reason.NO_TESTS, Reason.SYNTAX]
                result = next(r.value for r in order if r in reasons)
            why = "; ".join(self.generator_notes.get(g.key) or []) if not mine else \
                next((v.detail.splitlines()[0] for v in mine if v.reason.value == result and v.detail), "")
            out[g.key] = {"result": result, "public": g.public, "why": why[:300]}
        return out

    def findings(self) -> list[dict]:
        return [{"target": v.candidate.gap.key, "path": v.candidate.gap.path, "line": v.candidate.gap.line,
                 "message": v.detail[:1000]} for v in self.verdicts if v.reason is Reason.CRASH]

    def mutation_totals(self) -> dict[str, int]:
        kept = [v.strength for v in self.kept if v.strength]
        return {"mutants_made": sum(s.made for s in kept), "mutants_killed": sum(s.killed for s in kept)}

    @property
    def kept(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.kept]

    @property
    def rejected(self) -> dict[str, int]:
        return dict(Counter(v.reason.value for v in self.verdicts if not v.kept))

    @property
    def target_reached(self) -> bool:
        figure = self.coverage_after if self.coverage_after is not None else self.coverage_before
        return self.refused is None and figure is not None and figure >= self.target

    @property
    def improvement(self) -> float | None:
        if self.coverage_before is None or self.coverage_after is None:
            return None
        return self.coverage_after - self.coverage_before

    def by_origin(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for v in self.verdicts:
            key = v.candidate.origin if v.candidate.origin != "model" else f"model:{v.candidate.tier}"
            slot = out.setdefault(key, {"tried": 0, "kept": 0})
            slot["tried"] += 1
            slot["kept"] += int(v.kept)
        return out

    def to_json(self) -> dict:
        return {
            "project_root": self.project_root,
            "target": self.target,
            "target_reached": self.target_reached,
            "only": self.only,
            "dry_run": self.dry_run,
            "refused": self.refused,
            "coverage_before": _r(self.coverage_before),
            "coverage_after": _r(self.coverage_after),
            "improvement": _r(self.improvement),
            "coverage_source": self.coverage_source,
            "gaps_found": len(self.gaps),
            "gaps": [g.to_json() for g in self.gaps],
            "candidates_tried": len(self.verdicts),
            "candidates_kept": len(self.kept),
            "rejected": self.rejected,
            "by_origin": self.by_origin(),
            "candidates": [v.to_json() for v in self.verdicts],
            "files": [f.to_json() for f in self.files],
            "written": self.written,
            "model": self.model,
            "model_calls": self.model_calls,
            "cost_usd": round(self.cost_usd, 6),
            "max_cost": self.max_cost,
            "budget_note": self.budget_note,
            "iterations": self.iterations,
            "final_suite": self.final_suite,
            "notes": self.notes,
            "interpreter": self.interpreter,
            "isolation": self.isolation,
            "os_sandbox": self.isolation.startswith("OS sandbox"),
            "duration_seconds": round(self.duration_seconds, 2),
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
            "warm_cpu_seconds": None if self.warm_cpu_seconds is None else round(self.warm_cpu_seconds, 2),
            "targets": self.target_results(),
            "summary": dict(Counter(t["result"] for t in self.target_results().values())),
            "findings": self.findings(),
            **self.mutation_totals(),
        }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def render_text(report: CoverageBoostReport) -> str:
    bar = "=" * 60
    out = [bar, "  TEST COVERAGE BOOST", bar, "", *_setting(report)]
    if report.refused:
        out += ["", f"  ✗ REFUSED: {report.refused}", "", f"  Duration: {report.duration_seconds:.1f} seconds", bar]
        return "\n".join(out)
    out += _gap_lines(report) + _generation_lines(report) + _validation_lines(report) + _outcome_lines(report)
    out += ["", "  SUCCESS: Coverage target achieved!" if report.target_reached
            else f"  Target {report.target:.1f}% not reached."]
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in report.timings.items())
    out += ["", f"  Duration: {report.duration_seconds:.1f} seconds" + (f" ({stages})" if stages else ""), bar]
    return "\n".join(out)


def _setting(report: CoverageBoostReport) -> list[str]:
    """The project, the target and what the run used to measure and contain it."""
    out = [f"  Project: {report.project_root}" + (f"  (only {report.only})" if report.only else ""),
           f"  Target Coverage: {report.target:.1f}%"]
    if report.coverage_before is not None:
        out.append(f"  Current Coverage: {report.coverage_before:.1f}%   [{report.coverage_source}]")
    if report.interpreter:
        out.append(f"  Interpreter: {report.interpreter}")
    if report.isolation:
        out.append(f"  Isolation: {report.isolation}")
    return out


def _gap_lines(report: CoverageBoostReport) -> list[str]:
    public = sum(g.public for g in report.gaps)
    missed = sum(len(g.missing) for g in report.gaps)
    out = ["", "  Stage 1: Coverage Gap Analysis",
           f"  ✓ {len(report.gaps)} function(s) with uncovered code ({public} public), {missed} missed line(s)"]
    for g in report.gaps[:8]:
        note = f"  [offline skipped: {g.side_effects}]" if g.side_effects else ""
        out.append(f"      {g.path}:{g.line} {g.symbol}  missing {len(g.missing)}, complexity {g.complexity}{note}")
    if len(report.gaps) > 8:
        out.append(f"      ... and {len(report.gaps) - 8} more")
    return out


def _generation_lines(report: CoverageBoostReport) -> list[str]:
    out = ["", "  Stage 2: Test Generation"]
    out += [f"  ✓ {origin}: {c['tried']} candidate(s) tried, {c['kept']} kept" for origin, c in report.by_origin().items()]
    out.append(f"  Model: {report.model}")
    if report.model_calls:
        cap = f" (max ${report.max_cost:.4f})" if report.max_cost is not None else ""
        out.append(f"  Model calls: {report.model_calls}, cost ${report.cost_usd:.4f}{cap}")
    if report.budget_note:
        out.append(f"  ! {report.budget_note}")
    return out


def _validation_lines(report: CoverageBoostReport) -> list[str]:
    out = ["", "  Stage 3: Test Validation (3 runs in the sandbox, coverage gain, no writes, kills a mutant)",
           f"  ✓ Kept {len(report.kept)} of {len(report.verdicts)} candidate(s)"]
    if report.rejected:
        out.append("  ✗ Rejected: " + ", ".join(f"{k} {n}" for k, n in sorted(report.rejected.items())))
    private = [v.candidate for v in report.kept if v.candidate.private_names]
    if report.kept:
        out.append(f"  ✓ Through the public API: {len(report.kept) - len(private)} of {len(report.kept)} kept test(s)")
    out += [f"      {c.gap.symbol} ({c.origin}) calls {', '.join(c.private_names)}: "
            f"{c.private_why or 'no public call reaches these lines'}" for c in private]
    totals = report.mutation_totals()
    if totals["mutants_made"]:
        out.append(f"  ✓ Strength: kept tests killed {totals['mutants_killed']} of {totals['mutants_made']} "
                   "mutants of the lines they newly cover")
    return out


def _outcome_lines(report: CoverageBoostReport) -> list[str]:
    """Per-target results, findings, the final run and what was (or would be) written."""
    targets = report.target_results()
    summary = Counter(t["result"] for t in targets.values())
    out = ["  Targets: " + ", ".join(f"{k} {n}" for k, n in sorted(summary.items()))] if summary else []
    out += [f"  ! finding: {f['message'].splitlines()[0][:200]}" for f in report.findings()]
    # what the code does outside, as the guard saw it
    out += [f"  ! {key}: {t['why'][:240]}" for key, t in targets.items()
            if t["result"] in (Reason.NETWORK.value, Reason.SPAWNS.value)]
    if report.final_suite:
        out.append(f"  ✓ Final full run: {report.final_suite}")
    if report.coverage_after is not None and report.coverage_before is not None:
        out.append(f"  ✓ Coverage: {report.coverage_before:.1f}% → {report.coverage_after:.1f}% "
                   f"({report.improvement:+.1f} points)")
    verb = "Would write" if report.dry_run or not report.written else "Wrote"
    out += [f"  {verb} {f.path} ({f.content.count(chr(10))} lines)" for f in report.files]
    return out + [f"  note: {note}" for note in report.notes]

"""`fix`: propose a verified change for each current finding, and (only when asked) apply the verified ones.

Findings come from the same analyzers as release prep, run on the private copy, each fixed by the agent its
spec names (analyzer_spec.py): ruff (code_reviewer), bandit (security_auditor), interrogate
(documentation_writer), radon (refactoring_specialist), failing tests (test_generator, only when named:
a repair edits only the failing test, judged by changes/repair.py), and plug-ins. Offline, ruff's own fixes are
proposed; everything else needs a model and says so. Every proposal goes through
one `Verifier` (one copy, one baseline).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from empathy_os.analyzers import load_project, run_analyzer
from empathy_os.analyzers.contract import Finding
from empathy_os.analyzers.specs import fixers
from empathy_os.changes import boost, change_set, project_rules, ruff_fixes
from empathy_os.changes.apply import apply_verdict
from empathy_os.changes.change_set import ChangeSet
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind, Verdict
from empathy_os.llm.budgeted import validate_max_cost
from empathy_os.progress_callback import Progress, no_progress

# Agents that run only when named (`--agents test_coverage_analyzer`): they run the project's suite many times.
OPT_IN = {"test_coverage_analyzer": "the coverage boost's kept tests (changes/boost.py)",
          "test_generator": "repairs of the failing tests (failing_tests analyzer, changes/repair.py)"}


class Attempt(BaseModel):
    change: Change
    verdict: Verdict


class ChangeResult(BaseModel):
    change: Change
    verdict: Verdict  # a member of the change set carries the set's verdict (it was verified in it)
    attempts: list[Attempt] = Field(default_factory=list)  # earlier rejected proposals for the same findings
    in_set: bool = False
    apart: str | None = None  # verified, but not in the change set: why

    def to_json(self) -> dict[str, Any]:
        c, v = self.change, self.verdict
        return {
            "id": c.id, "agent": c.agent, "kind": c.kind.value, "tier": c.tier, "model": c.model,
            "findings": [f.model_dump(mode="json", exclude={"extra"}) for f in c.findings],
            "description": c.description, "source": c.source, "diff": c.diff,
            "verified": v.verified, "reasons": v.reasons, "touched": v.touched,
            "measurements": v.measurements(), "verification_seconds": round(v.duration_seconds, 3),
            "cost_usd": round(c.cost_usd + sum(a.change.cost_usd for a in self.attempts), 6),
            "rejected_attempts": [{"tier": a.change.tier, "reasons": a.verdict.reasons} for a in self.attempts],
            "in_set": self.in_set, "apart": self.apart,
        }


class FixReport(BaseModel):
    project_root: str
    agents: list[str]
    targeted: list[Finding] = Field(default_factory=list)
    results: list[ChangeResult] = Field(default_factory=list)
    change_set: ChangeSet | None = None  # every verified change to the project's files, verified together
    verification_runs: int = 0  # verifications of combined sets (each at most one suite run)
    skipped: list[tuple[Finding, str]] = Field(default_factory=list)  # findings no agent could work on, why
    applied: list[str] = Field(default_factory=list)
    refused: dict[str, str] = Field(default_factory=dict)  # change id -> why --apply did not write it
    notes: list[str] = Field(default_factory=list)
    project_rules: dict[str, Any] = Field(default_factory=dict)  # the declared Python range and linters kept
    cost_usd: float = 0.0
    max_cost: float | None = None
    duration_seconds: float = 0.0

    @property
    def unresolved(self) -> list[Finding]:
        """Targeted findings with no verified change."""
        fixed = {id(f) for r in self.results if r.verdict.verified for f in r.change.findings}
        done = {(f.path, f.line, f.rule) for r in self.results if r.verdict.verified for f in r.change.findings}
        return [f for f in self.targeted if id(f) not in fixed and (f.path, f.line, f.rule) not in done]

    def to_json(self) -> dict[str, Any]:
        return {
            "project_root": self.project_root,
            "agents": self.agents,
            "findings_targeted": len(self.targeted),
            "findings_without_verified_change": [_finding(f) for f in self.unresolved],
            "changes": [r.to_json() for r in self.results],
            "change_set": _set_json(self.change_set),
            "verification_runs": self.verification_runs,
            "skipped": [{**_finding(f), "reason": why} for f, why in self.skipped],
            "applied": self.applied,
            "refused": self.refused,
            "notes": self.notes,
            "project_rules": self.project_rules,
            "cost_usd": round(self.cost_usd, 6),
            "max_cost_usd": self.max_cost,
            "duration_seconds": round(self.duration_seconds, 3),
        }


def _set_json(s: ChangeSet | None) -> dict[str, Any] | None:
    if s is None:
        return None
    v = s.verdict
    return {"id": f"set:{len(s.ids)}", "ids": s.ids, "description": s.change.description, "diff": s.change.diff,
            "verified": v.verified, "touched": v.touched, "reasons": v.reasons, "measurements": v.measurements(),
            "verification_seconds": round(v.duration_seconds, 3)}


def writable(report: FixReport) -> list[tuple[list[str], Verdict]]:
    """What `--apply` writes, each unit in one go: the change set, the boost's new test files, each repaired test."""
    out = [(report.change_set.ids, report.change_set.verdict)] if report.change_set else []
    return out + [([r.change.id], r.verdict) for r in report.results
                  if r.verdict.verified and r.change.kind in (ChangeKind.TESTS, ChangeKind.REPAIR)]


def _finding(f: Finding) -> dict[str, Any]:
    return {"tool": f.tool, "rule": f.rule, "path": f.path, "line": f.line, "message": f.message}


def _selected(findings: list[Finding], rules: list[str] | None, paths: list[str] | None,
              lines: set[int] | None = None) -> list[Finding]:
    out = findings
    if lines:
        out = [f for f in out if any(f.line <= n <= (f.end_line or f.line) for n in lines)]
    if rules:
        wanted = {r.upper() for r in rules}
        out = [f for f in out if f.rule.upper() in wanted]
    if paths:
        norm = {Path(p).as_posix().lstrip("./") for p in paths}
        out = [f for f in out if f.path in norm or any(f.path.startswith(n.rstrip("/") + "/") for n in norm)]
    return out


async def run_fix(
    project_root: str | os.PathLike[str],
    *,
    rules: list[str] | None = None,
    paths: list[str] | None = None,
    agents: list[str] | None = None,
    max_cost: float | None = None,
    apply: bool = False,
    python: str | None = None,
    trusted: bool = True,
    client: Any = None,
    attempts_per_tier: int = 1,
    lines: set[int] | None = None,
    progress: Progress | None = None,
) -> FixReport:
    """Raises ValueError (one line) for bad usage: unknown agent, unusable project."""
    started = time.perf_counter()
    say = progress or no_progress
    fixing = fixers()  # agent id -> the analyzers whose findings it works on
    chosen = _chosen(agents, fixing)
    max_cost = validate_max_cost(max_cost)
    ctx = load_project(project_root, python=python, trusted=trusted)
    report = FixReport(project_root=str(ctx.root), agents=chosen, max_cost=max_cost)
    from empathy_os.changes.agents import ModelProposer  # the model side is optional at import time

    proposer = ModelProposer.create(ctx, client, max_cost, attempts_per_tier)
    try:
        async with Verifier(ctx) as verifier:
            say("measuring findings in a private copy", 5.0)
            findings = {agent: await _findings_for(verifier, agent, fixing[agent], report, (rules, paths, lines))
                        for agent in chosen if agent in fixing}
            report.project_rules = project_rules.describe(verifier.rules)
            await _propose_all(verifier, proposer, findings, report, say)
            spent = proposer.budget.spent if proposer else 0.0
            if boost.AGENT in chosen:
                spent += await _propose_tests(verifier, report, paths, None if max_cost is None
                                              else max(0.0, max_cost - spent), say)
        report.cost_usd = spent
        if proposer and proposer.budget.stopped:
            report.notes.append(proposer.budget.stopped)
        if proposer:
            report.notes += [f"model: {e}" for e in proposer.errors]
            if proposer.budget.calls:
                report.notes.append(proposer.budget.usage_line())
    finally:
        if proposer:
            await proposer.aclose()
    if apply:
        _apply(ctx.root, report)
    report.duration_seconds = time.perf_counter() - started
    say("fix finished", 100.0)
    return report


def _chosen(agents: list[str] | None, fixing: dict[str, tuple[str, ...]]) -> list[str]:
    """The agents asked for (default: all but the opt-in ones); ValueError naming an unknown one."""
    chosen = agents or [a for a in fixing if a not in OPT_IN]
    unknown = [a for a in chosen if a not in fixing and a not in OPT_IN]
    if unknown:
        raise ValueError(f"unknown agent(s) {', '.join(unknown)}: expected {', '.join(dict.fromkeys([*fixing, *OPT_IN]))}")
    return chosen


async def _findings_for(verifier: Verifier, agent: str, analyzers: tuple[str, ...], report: FixReport,
                        where: tuple[list[str] | None, list[str] | None, set[int] | None]) -> list[Finding]:
    """The agent's findings that a change may target; the others go to `report.skipped` with the reason.
    `where`: the rules, paths and lines asked for."""
    found: list[Finding] = []
    for name in analyzers:
        result = await run_analyzer(name, verifier.copy_ctx)
        if not result.ran:
            report.notes.append(f"{agent}: {name} could not run: {result.error}")
        # radon's maintainability-index findings are about a whole file: no one change targets them
        found += [f for f in result.findings if f.tool != "radon" or f.rule.startswith("radon-cc-")]
    if "ruff" in analyzers:  # listed, never targeted: fix does not change test files
        found += await ruff_fixes.test_file_findings(verifier)
    kept, skipped = project_rules.screen(verifier.rules, _selected(found, *where), verifier.sandbox.copy)
    report.skipped += skipped
    return kept


async def _propose_all(verifier: Verifier, proposer: Any, findings: dict[str, list[Finding]],
                       report: FixReport, say: Progress) -> None:
    ruff = [f for f in findings.get("code_reviewer", []) if f.tool == "ruff"]
    members, needs_model = await _ruff_set(verifier, ruff, report, say) if ruff else ([], [])
    for agent, found in findings.items():
        needs_model += [(agent, f) for f in found if not (agent == "code_reviewer" and f.tool == "ruff")]
    # A repaired test is verified on the unchanged code and written on its own (as the boost's new tests):
    # a code change of the set is judged by the tests as they were.
    modelled = [c for c in await _modelled(verifier, proposer, needs_model, report, say)
                if c.kind != ChangeKind.REPAIR]
    if modelled:  # the model's verified changes join the set: verified together once more
        say(f"verifying {len(members) + len(modelled)} change(s) together", 95.0)
        final = await change_set.verify_set(verifier, members + modelled)
        report.verification_runs += final.runs
        prior = set(report.change_set.ids) if report.change_set else set()
        report.results = [r for r in report.results if r.change.id not in prior and r.apart is None]
        for change, verdict in final.rejected:
            report.results = [r for r in report.results if r.change.id != change.id]
            report.results.append(ChangeResult(change=change, verdict=verdict))
        _record(report, final)


async def _modelled(verifier: Verifier, proposer: Any, needs_model: list[tuple[str, Finding]],
                    report: FixReport, say: Progress) -> list[Change]:
    """Each finding proposed by its agent's model and verified on its own; the verified changes."""
    modelled: list[Change] = []
    for agent, finding in needs_model:
        if proposer is None:
            report.skipped.append((finding, f"{agent} needs a model for this finding (set ANTHROPIC_API_KEY)"))
            continue
        if finding not in report.targeted:
            report.targeted.append(finding)
        say(f"{agent}: {finding.rule} {finding.path}:{finding.line}", None)
        result = await proposer.propose(verifier, agent, finding)
        if result is not None:
            report.results.append(result)
            if result.verdict.verified:
                modelled.append(result.change)
    return modelled


async def _ruff_set(verifier: Verifier, findings: list[Finding], report: FixReport,
                    say: Progress) -> tuple[list[Change], list[tuple[str, Finding]]]:
    """ruff's fixes verified as one set: (the verified ones, findings left for a model)."""
    changes, unfixable = await ruff_fixes.propose(verifier, findings)
    report.targeted += [f for c in changes for f in c.findings]
    say(f"verifying {len(changes)} change(s) together", 10.0)
    first = await change_set.verify_set(verifier, changes)
    report.verification_runs += first.runs
    needs_model = [("code_reviewer", f) for f in unfixable]
    for change, verdict in first.rejected:
        report.results.append(ChangeResult(change=change, verdict=verdict))
        needs_model += [("code_reviewer", f) for f in change.findings]
    _record(report, first)
    return (first.main.members if first.main else []) + [c for c, _, _ in first.apart], needs_model


def _record(report: FixReport, outcome: change_set.SetResult) -> None:
    """The set's members carry the set's verdict (`in_set` when the set holds more than one: the set is
    then offered as one); verified changes kept apart say why."""
    report.change_set = outcome.main
    members = outcome.main.members if outcome.main else []
    placed = [(c, outcome.main.verdict, None) for c in members] + list(outcome.apart)
    before = {r.change.id: r for r in report.results}
    report.results = [r for r in report.results if r.change.id not in {c.id for c, _, _ in placed}] + [
        ChangeResult(change=c, verdict=verdict, in_set=why is None and len(members) > 1, apart=why,
                     attempts=before[c.id].attempts if c.id in before else [])
        for c, verdict, why in placed]


async def _propose_tests(verifier: Verifier, report: FixReport, paths: list[str] | None,
                         max_cost: float | None, say: Progress) -> float:
    """The boost's new test files, each verified as a change; returns the boost's model cost."""
    say(f"{boost.AGENT}: running the coverage boost", None)
    only = paths[0] if paths and len(paths) == 1 else None  # the boost takes one FILE[:FUNCTION]
    changes, notes, cost = await boost.propose(verifier.ctx, only, max_cost)
    report.notes += notes
    for change in changes:
        say(f"verifying {change.id}", None)
        report.results.append(ChangeResult(change=change, verdict=await verifier.verify(change)))
    return cost


def _apply(root: Path, report: FixReport) -> None:
    for ids, verdict in writable(report):
        why = apply_verdict(root, verdict)
        if why is None:
            report.applied += ids
        else:
            report.refused.update(dict.fromkeys(ids, why))
    for r in report.results:
        if r.apart:
            report.refused[r.change.id] = r.apart


def _render_result(c: Change, v: Verdict, head: str) -> list[str]:
    who = c.agent + (f" ({c.tier}, ${c.cost_usd:.4f})" if c.tier else "")
    lines = [f"\n[{head}] {c.description} — {who}"]
    lines += [f"    {ch.name}: {'ok' if ch.passed else 'FAILED'} — {ch.detail.splitlines()[0]}" for ch in v.checks]
    if v.bad_input:
        lines.append(f"    {v.bad_input}")
    return lines


def _render_skipped(skipped: list[tuple[Finding, str]]) -> list[str]:
    """One line per finding, except a reason shared by many (tests, no model), said once with a count."""
    by_reason: dict[str, list[Finding]] = {}
    for f, why in skipped:
        by_reason.setdefault(why, []).append(f)
    lines = []
    for why, found in by_reason.items():
        if len(found) > 3:
            rules = Counter(f.rule for f in found)
            lines.append(f"\n[SKIPPED] {len(found)} finding(s) ({', '.join(f'{r} x{n}' for r, n in rules.most_common(6))}"
                         f"{', ...' if len(rules) > 6 else ''}): {why}")
        else:
            lines += [f"\n[SKIPPED] {f.rule} {f.path}:{f.line}: {why}" for f in found]
    return lines


def render_text(report: FixReport, applied: bool) -> str:
    lines = [f"Fix: {report.project_root} (agents: {', '.join(report.agents)})"]
    if report.project_rules:
        lines.append(f"Kept: {report.project_rules['python']}; declared linters: {report.project_rules['linters']}")
    for r in report.results:
        if not r.in_set:
            lines += _render_result(r.change, r.verdict, "REJECTED" if not r.verdict.verified else "VERIFIED, APART")
            lines += [f"    not in the change set: {r.apart}"] if r.apart else []
    if report.change_set:
        s = report.change_set
        lines += _render_result(s.change, s.verdict, "VERIFIED TOGETHER")
        lines.append(f"    ({report.verification_runs} verification run(s) for the set, bisect included)")
        for c in s.members:
            lines.append(f"  - {c.description} — {c.agent}")
            lines.append("    " + c.diff.rstrip().replace("\n", "\n    "))
    lines += _render_skipped(report.skipped)
    verified = sum(1 for r in report.results if r.verdict.verified)
    lines.append(f"\n{verified} verified change(s) for {len(report.targeted) - len(report.unresolved)} of "
                 f"{len(report.targeted)} targeted finding(s); model cost ${report.cost_usd:.4f}")
    lines += [f"note: {n}" for n in report.notes]
    if applied:
        lines.append(f"applied: {', '.join(report.applied) or 'none'}")
        lines += [f"refused {cid}: {why}" for cid, why in report.refused.items()]
    else:
        lines.append("nothing written (use --apply to write the verified changes)")
    return "\n".join(lines)

"""`release-prep --fix`: verified changes for what blocks the gates, and the gates as they would be with
those changes applied — measured by the same release prep on a copy of the project holding them.

Which agents a failed gate calls: quality → code_reviewer and refactoring_specialist, critical security →
security_auditor (on the critical findings' rules), documentation → documentation_writer. Coverage has no
change-proposing agent here (the test-coverage boost writes tests); the note says so. The copy's run does
not record a learning outcome (`learn=False`): it is a what-if, not a run of the user's project.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from empathy_os.changes.apply import apply_verdict
from empathy_os.changes.workflow import FixReport, run_fix
from empathy_os.progress_callback import Progress
from empathy_os.testgen.sandbox import Sandbox

_AGENTS = {
    "min_quality_score": ["code_reviewer", "refactoring_specialist"],
    "max_critical_issues": ["security_auditor"],
    "min_doc_coverage": ["documentation_writer"],
}


def agents_for(report: Any) -> tuple[list[str], list[str] | None, list[str]]:
    """(agents, rules or None for all, notes) for the gates `report` failed."""
    failed = [g.name for g in report.gates if not g.passed]
    agents = [a for name in failed for a in _AGENTS.get(name, [])]
    notes = []
    if "min_coverage" in failed:
        notes.append("coverage gate: no change is proposed here; `empathy orchestrate test-coverage` writes tests")
    rules = None
    if agents == ["security_auditor"]:
        rules = sorted({f.rule for f in report.findings if f.tool == "bandit" and f.severity == "critical"})
    return list(dict.fromkeys(agents)), rules, notes


async def fix_for_release(root: Path, report: Any, *, gates: dict[str, float], python: str | None,
                          trusted: bool, max_cost: float | None, progress: Progress | None = None) -> dict[str, Any]:
    from empathy_os.workflows.orchestrated_release_prep import OrchestratedReleasePrepWorkflow

    agents, rules, notes = agents_for(report)
    if not agents:
        return {"agents": [], "notes": notes or ["every gate passed: nothing to fix"], "gates_after": None}
    fix: FixReport = await run_fix(root, agents=agents, rules=rules, max_cost=max_cost, python=python,
                                   trusted=trusted, progress=progress)
    verified = [r for r in fix.results if r.verdict.verified]
    result: dict[str, Any] = {"agents": agents, **fix.to_json(), "notes": notes + fix.notes}
    if not verified:
        result["gates_after"] = None
        result["notes"].append("no verified change: the gates would stay as they are")
        return result
    sandbox = await asyncio.to_thread(Sandbox.create, root, python or "python3", "empathy-fix-gates-")
    try:
        applied = [r.change.id for r in verified if apply_verdict(sandbox.copy, r.verdict) is None]
        workflow = OrchestratedReleasePrepWorkflow(quality_gates=gates, max_cost=0.0)
        after = await workflow.execute(sandbox.copy, python=python, trusted=trusted, use_cache=False, learn=False)
    finally:
        await asyncio.to_thread(sandbox.cleanup)
    result["gates_after"] = {
        "applied_in_copy": applied,
        "approved": after.approved,
        "gates": [g.model_dump() for g in after.gates],
        "metrics": after.metrics,
    }
    return result


def render(fix: dict[str, Any], before: Any) -> str:
    lines = ["", "With the verified changes applied (measured on a copy of the project):"]
    after = fix.get("gates_after")
    verified = [c for c in fix.get("changes", []) if c["verified"]]
    lines += [f"  {c['agent']}: {c['description']}" for c in verified]
    if fix.get("skipped"):
        lines.append(f"  {len(fix['skipped'])} finding(s) need a model for a proposal (set ANTHROPIC_API_KEY)")
    if after is None:
        lines += [f"  {n}" for n in fix.get("notes", [])]
        return "\n".join(lines)
    old = {g.name: g for g in before.gates}
    for g in after["gates"]:
        was = old.get(g["name"])
        mark = "PASS" if g["passed"] else "FAIL"
        lines.append(f"  [{mark}] {g['name']}: {was.actual if was else 'n/a'} → {g['actual']} "
                     f"(threshold {g['threshold']})")
    lines.append(f"  would be {'APPROVED' if after['approved'] else 'NOT APPROVED'}; nothing was written "
                 "(use `empathy orchestrate fix --apply`)")
    lines += [f"  note: {n}" for n in fix.get("notes", [])]
    return "\n".join(lines)

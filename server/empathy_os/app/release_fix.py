"""Release to green: the use case behind `release-prep --fix [--apply]` and the daemon's `releaseFix`.

One goal, one team. For each gate the release prep failed, the agents that can move it join one plan of
the orchestrator (an `ExecutionPlan`, workflow "release_fix", Sequential in gate order), which is run,
recorded and learned like any other composition: coverage → test_coverage_analyzer (the boost offline;
model-written tests with a key), critical security → security_auditor, quality → code_reviewer and
refactoring_specialist, documentation → documentation_writer; then the fixer of each analyzer that measures
a failed gate (a security plug-in counted in the critical issues brings its own). The changes to the project's
files are verified together as one change set by the changes/ engine (change_set.py; a bisect only when the set
fails), new test files each on their own; then all of it is applied to one private copy and release prep runs there,
so the gates "after" are measured, not predicted. Its outcome (approved on the copy or not) is what the
composition learns. `apply=True` writes the same set into the project (a file changed since verification
is refused); the caller re-measures the project for its verdict.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from empathy_os.gate_specs import GATE_SPECS
from empathy_os.llm import Tier
from empathy_os.orchestration.agent_templates import get_template
from empathy_os.orchestration.compositions import register_workflow
from empathy_os.orchestration.execution_strategies import StrategyName, StrategyResult
from empathy_os.orchestration.meta_orchestrator import ExecutionPlan
from empathy_os.orchestration.run_context import RunContext
from empathy_os.orchestration.runtime import AgentResult
from empathy_os.progress_callback import Progress

TASK = "Make the release gates pass"
TASK_PATTERN = "release_fix"
RELEASE_GATES = tuple(spec.name for spec in GATE_SPECS)
_WHY = {
    "min_coverage": "new tests from the coverage boost (kept only if they pass, gain coverage and kill a mutant)",
    "max_critical_issues": "a verified fix for each critical finding (needs a model)",
    "min_quality_score": "ruff's own fixes offline, a model's refactors with a key",
    "min_doc_coverage": "docstrings for undocumented public names (needs a model)",
}


@dataclass
class ReleaseFix:
    """What a release fix produced: its JSON (what the CLI prints) and the units of the measured set, each
    (change ids, the verdict written in one go: the change set, or one new test file); their verdicts carry
    the bytes to write, which the daemon turns into one WorkspaceEdit."""

    json: dict[str, Any]
    measured: list[tuple[list[str], Any]] = field(default_factory=list)


def team_of(gate: str) -> tuple[str, ...]:
    """The agents that can move a release gate, in the order the plan runs them: those its row names, then
    the fixers of the analyzers that measure it (a plug-in counted in the security gate brings its own)."""
    from empathy_os.analyzers.specs import all_specs
    from empathy_os.gates import measured_by, spec_of

    spec = spec_of(gate)
    by = measured_by(spec)
    fixers = (s.fixer for s in all_specs().values() if s.name in by and s.fixer is not None)
    return tuple(dict.fromkeys((*spec.agents, *fixers)))


def gate_of(agent: str, failed: list[str]) -> str | None:
    """The first of the failed gates the agent is on the team of."""
    return next((gate for gate in failed if agent in team_of(gate)), None)


def plan(report: Any, gates: dict[str, float]) -> ExecutionPlan | None:
    """The composition for the gates `report` failed (None when every gate passed)."""
    from empathy_os.analyzers.specs import critical_counters

    failed = [g.name for g in report.gates if not g.passed and g.name in RELEASE_GATES]
    if not failed:
        return None
    teams = {name: team_of(name) for name in failed}
    agents = list(dict.fromkeys(a for name in failed for a in teams[name]))
    rationale = {name: f"{', '.join(teams[name])}: {_WHY[name]}" for name in failed}
    rationale["strategy"] = ("sequential: the agents' changes are verified together as one change set, then "
                             "the whole set is measured on one copy against the release gates")
    counted = critical_counters()  # bandit's and every plug-in's the security gate counts
    rules = sorted({f.rule for f in report.findings if f.tool in counted and f.severity == "critical"})
    return ExecutionPlan(
        task=TASK, task_pattern=TASK_PATTERN, strategy=StrategyName.SEQUENTIAL,
        agents=[get_template(a).model_copy(update={"tier_preference": Tier.CHEAP}) for a in agents],
        estimated_cost=0.0, estimated_duration=0.0, complexity="moderate", domains=failed, rationale=rationale,
        workflow=TASK_PATTERN, hints={"quality_gates": gates},
        # Security alone is aimed at the critical rules; other agents take every finding of their tool.
        workflow_args={"rules": rules if failed == ["max_critical_issues"] else None, "failed": failed})


async def run(root: str | Path, report: Any, *, gates: dict[str, float], python: str | None, trusted: bool,
              max_cost: float | None, apply: bool = False, learn: bool = True,
              progress: Progress | None = None) -> ReleaseFix:
    """The plan run on the project: changes, their verification, the gates measured with the whole set.

    Raises ValueError (one line) for bad usage, as `run_fix` does."""
    composed = plan(report, gates)
    if composed is None:
        return ReleaseFix({"plan": None, "agents": [], "changes": [], "gates_after": None,
                           "notes": ["every gate passed: nothing to fix"]})
    context = RunContext.parse({"project_path": str(root), "python": python, "trusted": trusted,
                                "max_cost": max_cost, "learn": learn and trusted, "quality_gates": gates,
                                "apply": apply, "progress": progress})  # the last two: extras
    result = await composed.execute(context)
    out = result.final_output["release_fix"]
    # Run at once: its measured cost and duration are in the report, so the plan shows no estimate.
    out["plan"] = {k: v for k, v in composed.to_json().items() if not k.startswith("estimated_")}
    out["learning"] = result.final_output.get("learning")
    measured = set((out.get("gates_after") or {}).get("applied_in_copy", []))
    return ReleaseFix(out, [(ids, verdict) for ids, verdict in result.final_output["units"] if ids[0] in measured])


async def _run_plan(plan: ExecutionPlan, run: RunContext) -> tuple[StrategyResult, bool, float | None]:
    from empathy_os.changes.workflow import run_fix, writable

    apply, progress = run.extras.get("apply", False), run.extras.get("progress")
    agents = [a.id for a in plan.agents]
    fix = await run_fix(run.project_root, agents=agents, rules=plan.workflow_args.get("rules"),
                        max_cost=run.max_cost, python=run.python, trusted=run.trusted, progress=progress)
    out: dict[str, Any] = {"agents": agents, **fix.to_json()}
    for change, result in zip(out["changes"], fix.results, strict=True):
        change["gate"] = gate_of(result.change.agent, plan.workflow_args["failed"])
    if "min_coverage" in plan.workflow_args["failed"] and not run.trusted:
        fix.notes.append("coverage gate: tests are written only in a trusted workspace (they run project code)")
    out["notes"] = fix.notes
    units = writable(fix)  # the change set (and new test files), each written in one go
    after = await _measure_after(run, units, out) if units else None
    if after is None:
        out["gates_after"] = None
        out["notes"].append("no verified change: the gates would stay as they are")
    if apply and units:
        out["applied"], out["refused"] = _write(run.project_root, units, out["gates_after"]["applied_in_copy"])
    success = bool(after is not None and after.approved)
    quality = after.metrics.get("quality_score") if after is not None else None
    outputs = [_agent_result(a, fix, out, plan.workflow_args["failed"]) for a in plan.agents]
    for output in outputs:
        run.agent_done(output)
    result = StrategyResult(strategy=plan.strategy, success=success, outputs=outputs,
                            final_output={"workflow": TASK_PATTERN, "release_fix": out, "units": units})
    return result, success, quality


async def _measure_after(run: RunContext, units: list[tuple[list[str], Any]], out: dict[str, Any]) -> Any:
    """Release prep on a copy holding every verified change that applies (a what-if: nothing learned)."""
    from empathy_os.changes.apply import apply_verdict
    from empathy_os.testgen.sandbox import Sandbox
    from empathy_os.workflows.orchestrated_release_prep import OrchestratedReleasePrepWorkflow

    sandbox = await asyncio.to_thread(Sandbox.create, run.project_root, run.python or "python3",
                                      "empathy-release-fix-")
    try:
        applied, refused = [], {}
        for ids, verdict in units:
            why = apply_verdict(sandbox.copy, verdict)
            if why is None:
                applied += ids
            else:
                refused.update(dict.fromkeys(ids, why))
        workflow = OrchestratedReleasePrepWorkflow(quality_gates=run.quality_gates, max_cost=0.0)
        after = await workflow.execute(sandbox.copy, python=run.python, trusted=run.trusted, use_cache=False,
                                       learn=False)
    finally:
        await asyncio.to_thread(sandbox.cleanup)
    out["gates_after"] = {"applied_in_copy": applied, "not_applied_in_copy": refused, "approved": after.approved,
                          "gates": [g.model_dump() for g in after.gates], "metrics": after.metrics}
    return after


def _write(root: Path, units: list[tuple[list[str], Any]], measured: list[str]) -> tuple[list[str], dict[str, str]]:
    """Write the change set the copy was measured with; anything else is refused with the reason."""
    from empathy_os.changes.apply import apply_verdict

    applied, refused = [], {}
    for ids, verdict in units:
        why = "not in the measured set" if ids[0] not in measured else apply_verdict(root, verdict)
        if why is None:
            applied += ids
        else:
            refused.update(dict.fromkeys(ids, why))
    return applied, refused


def _agent_result(template: Any, fix: Any, out: dict[str, Any], failed: list[str]) -> AgentResult:
    mine = [r for r in fix.results if r.change.agent == template.id]
    kept = [r for r in mine if r.verdict.verified]
    return AgentResult(
        agent_id=template.id, role=template.role, tier=Tier.CHEAP, success=bool(kept), quality_score=None,
        confidence=1.0 if mine else 0.0, basis="verified changes", cost_usd=sum(r.change.cost_usd for r in mine),
        output={"summary": f"{len(kept)} verified of {len(mine)} proposed change(s)",
                "gate": gate_of(template.id, failed)},
        model_note=None if any(r.change.tier for r in mine) else "no model proposal (offline, or none was needed)")


register_workflow(TASK_PATTERN, _run_plan)

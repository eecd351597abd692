"""The test-coverage boost and the verified-fix workflow as compositions: planned, reported and learned
like any other run.

Both are Teaching: a proposal (a candidate test, a change) is made by the CHEAP tier first, and a higher
tier is asked only for what the tier below could not get past measurement (a kept test must pass, cover
new lines and kill a mutant; a change must be verified by the changes/ engine) — the team is one agent
at each tier. Success is measured by the workflow itself: the coverage target reached, or every targeted
finding fixed by a verified change.

The boost lives above this layer (empathy_os.workflows), so it registers its runner here when that
package is imported (`register_workflow`); the CLI and the daemon import it. The fix workflow's engine
(changes/) is below, so its runner is here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from empathy_os.llm import Tier
from empathy_os.orchestration.agent_templates import AgentTemplate, get_template
from empathy_os.orchestration.execution_strategies import StrategyName, StrategyResult
from empathy_os.orchestration.run_context import RunContext
from empathy_os.orchestration.runtime import AgentResult

# plan, run -> (result, measured success, quality score 0-10 or None)
Runner = Callable[[Any, RunContext], Awaitable[tuple[StrategyResult, bool, float | None]]]
_RUNNERS: dict[str, Runner] = {}
FIX_AGENTS = {"security": "security_auditor", "documentation": "documentation_writer",
              "refactoring": "refactoring_specialist", "testing": "test_generator"}
PATTERNS = {"test_coverage_boost": "test_coverage_boost", "fix": "verified_fix"}
# Agents of the fix workflow alone, not registry templates (they never join an analysis team): the test
# repairer fixes a failing test under changes/repair.py's judges.
WORKFLOW_AGENTS = {"test_generator": AgentTemplate(
    id="test_generator", role="Test Repairer", tier_preference=Tier.CAPABLE,
    capabilities=["repair_failing_tests"], tools=("failing_tests",),
    default_instructions="Repair the failing test without weakening it; decline when the code, not the test, "
                         "is wrong.")}


def register_workflow(name: str, runner: Runner) -> None:
    _RUNNERS[name] = runner


def workflow_team(workflow: str, domains: list[str], rationale: dict[str, str], args: dict[str, Any] | None = None):
    """(strategy, team, task pattern) of a workflow plan."""
    if workflow == "test_coverage_boost":
        template = get_template("test_coverage_analyzer")
        rationale["workflow"] = ("test_coverage_boost: the task asks to raise test coverage; its model cascade "
                                 "CHEAP → CAPABLE → PREMIUM is Teaching (a higher tier writes tests only for "
                                 "the gaps the tier below left)")
    else:
        named = (args or {}).get("agent")
        # The main domain's fixer; a domain no fixer serves (quality, performance …) is ruff's code reviewer.
        chosen = named or FIX_AGENTS.get(next(iter(domains), ""), "code_reviewer")
        template = WORKFLOW_AGENTS.get(chosen) or get_template(chosen)
        rules = (args or {}).get("rules")
        rationale["workflow"] = (f"fix: the task asks for fixes{' of ' + ', '.join(rules) if rules else ''}; "
                                 f"{template.id} proposes changes that the "
                                 "verification engine measures, CHEAP → CAPABLE → PREMIUM only after a measured "
                                 "rejection (Teaching); offline, ruff's own fixes")
    rationale["strategy"] = "teaching: the workflow's tier cascade"
    rationale["tiers"] = "one agent at each tier, cheapest first"
    team = [template.model_copy(update={"tier_preference": tier}) for tier in Tier]
    return StrategyName.TEACHING, team, PATTERNS[workflow]


async def run_workflow(plan: Any, run: RunContext) -> tuple[StrategyResult, bool, float | None]:
    if plan.workflow == "fix":
        return await _run_fix(plan, run)
    runner = _RUNNERS.get(plan.workflow)
    if runner is None:
        raise ValueError(f"the {plan.workflow} workflow is not loaded: import empathy_os.workflows first "
                         "(the `empathy` command and the editor do)")
    return await runner(plan, run)


async def _run_fix(plan: Any, run: RunContext) -> tuple[StrategyResult, bool, float | None]:
    from empathy_os.changes.workflow import run_fix
    from empathy_os.orchestration.project_size import named_files

    named = [run.target] if run.target is not None else named_files(plan.task, run.project_root)
    paths = [p.relative_to(run.project_root).as_posix() for p in named] or None
    agent = plan.agents[0]
    report = await run_fix(run.project_root, agents=[agent.id], paths=paths, max_cost=run.max_cost,
                           rules=plan.workflow_args.get("rules"),
                           python=run.python, trusted=run.trusted)
    targeted = len(report.targeted)
    fixed = targeted - len(report.unresolved)
    quality = round(10 * fixed / targeted, 2) if targeted else None
    verified = [r for r in report.results if r.verdict.verified]
    tiers = [r.change.tier or "offline (ruff's fixes)" for r in verified]
    summary = (f"{len(verified)} verified change(s) fixing {fixed} of {targeted} finding(s)"
               + (f" in {', '.join(paths)}" if paths else ""))
    output = AgentResult(agent_id=agent.id, role=agent.role, tier=Tier.CHEAP, success=bool(verified),
                         quality_score=quality, confidence=1.0 if targeted else 0.0, basis="verified changes",
                         cost_usd=report.cost_usd, output={"summary": summary, "report": report.to_json()},
                         model_note=None if any(r.change.tier for r in report.results) else
                         "no model proposal (offline, or none was needed)")
    run.agent_done(output)
    success = targeted > 0 and fixed == targeted
    result = StrategyResult(strategy=StrategyName.TEACHING, success=success, outputs=[output], final_output={
        "workflow": "fix", "summary": summary, "completed_by": sorted(set(tiers)),
        "model_assisted": any(r.change.tier for r in report.results),
        "fix": report.to_json(), "measured_success": success})
    return result, success, quality

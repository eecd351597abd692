"""Compose a team for a task (and run it), the use case behind `empathy compose` and the daemon's Compose Team.

An out-of-scope task is refused with an answer (exit 2), not an error. Untrusted: the run's guard refuses
project code, and its outcome (not measured) teaches the learning loop nothing."""

from __future__ import annotations

from typing import Any

from empathy_os.app.requests import ComposeRequest
from empathy_os.app.results import ComposeResult
from empathy_os.progress_callback import Progress, no_progress


async def run(request: ComposeRequest, progress: Progress = no_progress) -> ComposeResult:
    import empathy_os.workflows  # noqa: F401 - registers the boost as a composition a plan can run
    from empathy_os.orchestration import MetaOrchestrator, OutOfScopeError

    context = dict(request.context)
    try:
        plan = MetaOrchestrator().analyze_and_compose(request.task, context)
    except OutOfScopeError as exc:
        return ComposeResult(plan={}, refused={"refused": True, "reason": exc.reason, "message": str(exc)},
                             text=str(exc), exit_code=2)
    if not request.execute:
        return ComposeResult(plan=plan.to_json(), text=_plan_text(plan))
    run_context = {**context, "trusted": request.trusted,
                   "learn": context.get("learn", True) and request.trusted}
    result = await plan.execute(run_context)
    return ComposeResult(plan=plan.to_json(), text=_plan_text(plan) + "\n" + _result_text(result),
                         result=result.model_dump(mode="json", exclude={"outputs": {"__all__": {"analyzers"}}}),
                         exit_code=0 if result.success else 1)


def _plan_text(plan: Any) -> str:
    lines = [(f"Task: {plan.task}\nPattern: {plan.task_pattern}   Strategy: {plan.strategy.value}   "
              f"Complexity: {plan.complexity}   Classified by: {plan.classified_by}")]
    if plan.workflow:
        lines.append(f"Workflow: {plan.workflow} {plan.workflow_args or ''}".rstrip())
    lines.append("Agents:")
    lines += [f"  - {a.id} ({a.role}, {a.tier_preference.value}; tools: {', '.join(a.tools)})" for a in plan.agents]
    lines.append(f"Estimated cost: ${plan.estimated_cost:.4f} (upper bound)   Estimated duration: "
                 f"{plan.estimated_duration:.0f}s (prior)")
    lines.append("Why:")
    lines += [f"  {key}: {why}" for key, why in plan.rationale.items()]
    return "\n".join(lines)


def _result_text(result: Any) -> str:
    lines = [f"\nRan in {result.total_duration:.1f}s, cost ${result.total_cost_usd:.4f}:"]
    for o in result.outputs:
        score = "n/a" if o.quality_score is None else f"{o.quality_score:.1f}/10"
        lines.append(f"  - {o.agent_id}: {score} ({o.basis}) — {o.output.get('summary')}")
    lines += [f"  {key}: {result.final_output[key]}"
              for key in ("consensus", "completed_by", "routed_to", "reason", "summary") if key in result.final_output]
    gates = result.final_output.get("gates") or []
    if gates:
        lines.append("Gates (they decide success):")
    lines += [f"  {'✓' if gate.passed else ('✗' if gate.critical else '⚠')} {gate.message}" for gate in gates]
    return "\n".join(lines)

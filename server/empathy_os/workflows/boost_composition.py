"""The test-coverage boost as a planned composition ("Boost test coverage to 90 %"): registered with the
orchestrator (orchestration/compositions.py says why it is registered from here).

The plan's run writes nothing to the project (`write=False`): the generated test files are in the result
(`final_output["boost"]["files"]`), as the editor receives them. Success = the target reached, measured by
coverage.py; the quality recorded is the coverage reached, on the 0-10 scale.
"""

from __future__ import annotations

from typing import Any

from empathy_os.changes.boost import register_runner
from empathy_os.llm import Tier
from empathy_os.orchestration.compositions import register_workflow
from empathy_os.orchestration.execution_strategies import StrategyName, StrategyResult
from empathy_os.orchestration.run_context import RunContext
from empathy_os.orchestration.runtime import AgentResult

DEFAULT_TARGET = 80.0


async def run_boost_plan(plan: Any, run: RunContext) -> tuple[StrategyResult, bool, float | None]:
    from empathy_os.workflows.test_coverage_boost import TestCoverageBoostWorkflow

    target = float(plan.workflow_args.get("target") or DEFAULT_TARGET)
    from empathy_os.orchestration.project_size import named_files

    named = [run.target] if run.target is not None else named_files(plan.task, run.project_root)[:1]
    only = named[0].relative_to(run.project_root).as_posix() if named else None
    report = await TestCoverageBoostWorkflow(target=target, max_cost=run.max_cost).execute(
        run.project_root, only=only, write=False, trusted=run.trusted, python=run.python)
    data = report.to_json()
    after = report.coverage_after if report.coverage_after is not None else report.coverage_before
    quality = round(after / 10, 2) if after is not None else None
    success = report.target_reached
    template = plan.agents[0]
    by_tier = {tier: v for tier, v in report.by_origin().items()}
    summary = (f"coverage {report.coverage_before}% → {after}% (target {target:g}%): "
               f"{len(report.kept)} test(s) kept of {len(report.verdicts)}"
               + (f"; refused: {report.refused}" if report.refused else ""))
    output = AgentResult(agent_id=template.id, role=template.role, tier=Tier.CHEAP, success=report.refused is None,
                         quality_score=quality, confidence=1.0 if after is not None else 0.0,
                         basis="coverage.py", cost_usd=report.cost_usd, output={"summary": summary})
    run.agent_done(output)
    result = StrategyResult(strategy=StrategyName.TEACHING, success=success, outputs=[output], final_output={
        "workflow": "test_coverage_boost", "summary": summary, "kept_by": by_tier,
        "model_assisted": any(key.startswith("model:") for key in by_tier), "boost": data,
        "written": "nothing: the plan's run returns the test files (final_output.boost.files)"})
    return result, success, quality


register_workflow("test_coverage_boost", run_boost_plan)


async def run_boost_for_changes(root: Any, **options: Any) -> Any:
    """The boost as the fix workflow's test_coverage_analyzer proposer: nothing written, every test kept
    becomes a change the verification engine measures again (changes/boost.py)."""
    from empathy_os.workflows.test_coverage_boost import TestCoverageBoostWorkflow

    boost = TestCoverageBoostWorkflow(target=100.0, max_cost=options.pop("max_cost"))
    return await boost.execute(root, write=False, **options)


register_runner(run_boost_for_changes)

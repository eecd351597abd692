"""The six strategies on real projects: real tools, real timings, real model calls to the local fake."""

from __future__ import annotations

import asyncio
import json
import textwrap

import psutil
import pytest
from empathy_os.llm import DEFAULT_TIERS, Tier
from empathy_os.orchestration import AgentTemplate, ResourceRequirements, get_template
from empathy_os.orchestration.execution_strategies import (
    AdaptiveStrategy,
    DebateStrategy,
    ParallelStrategy,
    RefinementStrategy,
    SequentialStrategy,
    TeachingStrategy,
)
from empathy_os.orchestration.runtime import run_agent


def ctx(root, **extra):
    return {"project_path": str(root), **extra}


async def test_sequential_stages_see_previous_outputs(sample_project, offline):
    result = await SequentialStrategy().execute(["security_auditor", "code_reviewer"], ctx(sample_project))
    assert [o.output["previous_stages_seen"] for o in result.outputs] == [0, 1]
    assert result.final_output["final"]["agent"] == "code_reviewer"
    assert all("no ANTHROPIC_API_KEY" in o.model_note for o in result.outputs)


async def test_parallel_takes_about_the_longest_agent_not_the_sum(sample_project, offline):
    team = ["security_auditor", "test_coverage_analyzer", "code_reviewer", "documentation_writer"]
    result = await ParallelStrategy().execute(team, ctx(sample_project, max_concurrency=4))
    durations = [o.duration for o in result.outputs]
    assert result.success, [(o.agent_id, o.error, [(a.analyzer, a.error) for a in o.analyzers if not a.ran])
                            for o in result.outputs]
    assert result.total_duration < sum(durations)
    assert result.total_duration < max(durations) * 1.5 + 0.5
    cov = result.outputs[1]
    assert cov.metric("coverage_percent") is not None and cov.basis == "tools"


async def test_debate_confidence_comes_from_agreement(sample_project, offline):
    result = await DebateStrategy().execute(["security_auditor", "code_reviewer"], ctx(sample_project))
    agreement = result.final_output["agreement"]
    expected = round((agreement["file_agreement"] + agreement["verdict_agreement"]) / 2, 3)
    assert result.final_output["confidence"] == expected
    # bandit flags storage.py with critical findings, ruff flags report.py: they disagree on the verdict.
    assert agreement["verdicts"]["security_auditor"] == "needs work"
    assert "agents judge the code" in result.final_output["consensus"]


async def test_teaching_expert_runs_only_below_threshold(sample_project, offline):
    team = ["documentation_writer", "code_reviewer"]
    low = await TeachingStrategy().execute(team, ctx(sample_project, quality_threshold=0.5))
    assert low.final_output["completed_by"] == "documentation_writer" and len(low.outputs) == 1
    high = await TeachingStrategy().execute(team, ctx(sample_project, quality_threshold=9.9))
    assert high.final_output["completed_by"] == "code_reviewer" and len(high.outputs) == 2


async def test_refinement_on_a_project_measures_its_draft_and_edit(sample_project, offline):
    team = ["documentation_writer", "code_reviewer", "documentation_writer"]
    result = await RefinementStrategy().execute(team, ctx(sample_project))
    draft, _, edit = result.outputs
    assert result.final_output["progression"] == [draft.quality_score, edit.quality_score]


async def test_adaptive_routes_by_measured_complexity(sample_project, offline):
    team = [("code_reviewer", "PREMIUM"), ("code_reviewer", "CHEAP")]
    simple = await AdaptiveStrategy().execute(team, ctx(sample_project))
    assert simple.final_output["tier"] == "CHEAP"  # the sample is small: measured, not assumed
    assert "source lines" in simple.final_output["classification"]["basis"]
    hinted = await AdaptiveStrategy().execute(team, ctx(sample_project, complexity="complex"))
    assert hinted.final_output["tier"] == "PREMIUM"


async def test_two_projects_give_different_outputs(sample_project, tmp_path, offline):
    other = tmp_path / "other"
    (other / "pkg").mkdir(parents=True)
    (other / "pkg" / "__init__.py").write_text('"""Docs."""\n\ndef add(a, b):\n    """Add."""\n    return a + b\n')
    a = await ParallelStrategy().execute(["code_reviewer", "documentation_writer"], ctx(sample_project))
    b = await ParallelStrategy().execute(["code_reviewer", "documentation_writer"], ctx(other))
    assert [o.quality_score for o in a.outputs] != [o.quality_score for o in b.outputs]
    assert a.outputs[1].metric("doc_coverage_percent") != b.outputs[1].metric("doc_coverage_percent")


async def test_model_step_adds_judgement_and_exact_cost(sample_project, fake_anthropic):
    fake_anthropic.script({"text": 'Here: {"summary": "md5 and shell=True", "priorities": ["B602"], '
                                   '"quality_score": 3, "confidence": 0.8}',
                           "input_tokens": 900, "output_tokens": 120})
    result = await run_agent(get_template("security_auditor"), ctx(sample_project))
    spec = DEFAULT_TIERS[Tier.PREMIUM]
    assert result.model == spec.model and result.basis == "tools" and result.model_score == 3
    assert result.cost_usd == pytest.approx(900 * spec.input_price / 1e6 + 120 * spec.output_price / 1e6)
    assert (result.input_tokens, result.output_tokens) == (900, 120)
    assert result.output["model"]["priorities"] == ["B602"]
    prompt = fake_anthropic.requests[0]["messages"][0]["content"]
    assert "B602" in prompt and "inventory/storage.py" in prompt
    assert "sk-test" not in json.dumps(result.model_dump(mode="json"))


@pytest.mark.parametrize("reply", [{"status": 500}, {"status": 429}, {"garbage": True}])
async def test_model_failures_degrade_to_tool_results(sample_project, fake_anthropic, reply):
    fake_anthropic.default = reply
    result = await run_agent(get_template("code_reviewer"), ctx(sample_project))
    assert result.success and result.basis == "tools" and result.quality_score is not None
    assert result.model_note.startswith("model step failed") and result.cost_usd == 0
    assert len(fake_anthropic.requests) >= 2 or reply.get("garbage")  # retried by the SDK


async def test_max_cost_skips_model_stages_with_a_reason(sample_project, fake_anthropic):
    fake_anthropic.default = {"text": '{"quality_score": 5}', "input_tokens": 1000, "output_tokens": 1000}
    result = await SequentialStrategy().execute(["documentation_writer", "code_reviewer"],
                                                ctx(sample_project, max_cost=0.002))
    first, second = result.outputs
    assert first.model is not None  # CHEAP: fits the cap
    assert second.model is None and "max cost" in second.model_note and "reached" in second.model_note
    assert result.total_cost_usd <= 0.002
    assert len(fake_anthropic.requests) == 1


async def test_agent_timeout_is_enforced_and_leaves_no_process(tmp_path, offline):
    project = tmp_path / "slow"
    (project / "pkg").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    (project / "tests" / "test_slow.py").write_text(textwrap.dedent("""
        import time
        def test_slow():
            time.sleep(30)
    """))
    template = AgentTemplate(id="impatient", role="Impatient", tools=["coverage"],
                             resource_requirements=ResourceRequirements(timeout_seconds=2))
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    result = await run_agent(template, ctx(project, use_cache=False))
    assert not result.success and "timed out after 2s" in result.error
    await asyncio.sleep(0.3)
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    assert not left, left


async def test_bad_project_path_is_a_value_error(tmp_path, offline):
    with pytest.raises(ValueError, match="does not exist"):
        await ParallelStrategy().execute(["code_reviewer"], ctx(tmp_path / "missing"))
    with pytest.raises(ValueError, match="at least 2"):
        await DebateStrategy().execute(["code_reviewer"], ctx(tmp_path))
    with pytest.raises(ValueError, match="max_cost"):
        await SequentialStrategy().execute(["code_reviewer"], ctx(tmp_path, max_cost=-5))


async def test_debate_synthesis_cost_is_its_own_not_an_agents(sample_project, fake_anthropic):
    fake_anthropic.default = {"text": '{"quality_score": 6}', "input_tokens": 100, "output_tokens": 10}
    result = await DebateStrategy().execute(["security_auditor", "code_reviewer"], ctx(sample_project))
    premium, capable = DEFAULT_TIERS[Tier.PREMIUM], DEFAULT_TIERS[Tier.CAPABLE]
    assert [o.cost_usd for o in result.outputs] == [premium.cost(100, 10), capable.cost(100, 10)]
    assert result.final_output["synthesis"]["basis"] == "model"
    assert result.synthesis_cost_usd == pytest.approx(premium.cost(100, 10))  # at the team's top tier
    assert result.total_cost_usd == pytest.approx(2 * premium.cost(100, 10) + capable.cost(100, 10))
    assert len(fake_anthropic.requests) == 3

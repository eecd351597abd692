"""The planner's model classification (issue 13): one CHEAP structured tool call through the real SDK to
the local fake Messages API; the lexicon is the fallback, and the plan says which one classified the task.
Workflows: "Boost test coverage to N %" plans the boost, "Fix …" the verified-fix workflow, both recorded
as compositions."""

from __future__ import annotations

import pytest
from empathy_os.llm import DEFAULT_TIERS, Tier
from empathy_os.llm.budgeted import THINKING_ALLOWANCE
from empathy_os.orchestration import MetaOrchestrator
from empathy_os.orchestration.lexicon import LEXICON
from empathy_os.store.configurations import ConfigurationStore

from .routing_phrasings import PHRASINGS

LABELS = dict(PHRASINGS)


def plan(task, **context):
    return MetaOrchestrator().analyze_and_compose(task, {"learn": False, **context})


def answer(domains, complexity="moderate", **extra):
    return {"tool_use": {"name": "classify_task", "input": {"domains": domains, "complexity": complexity, **extra}},
            "input_tokens": 180, "output_tokens": 25}


def labelled(request):
    """A stand-in model that knows the right answer for the phrasing set: what is measured is the path
    (request, schema, parsing, routing), not a model's judgement."""
    return answer([LABELS[request["messages"][0]["content"]]])


def test_fake_model_routing_on_the_phrasing_set(fake_anthropic):
    fake_anthropic.default = labelled
    routed = {task: plan(task) for task, _ in PHRASINGS}
    misses = [(t, LABELS[t], p.domains) for t, p in routed.items() if (p.domains or ["quality"])[0] != LABELS[t]]
    accuracy = 1 - len(misses) / len(PHRASINGS)
    print(f"fake-model routing accuracy: {accuracy:.1%} ({len(PHRASINGS) - len(misses)}/{len(PHRASINGS)})")
    assert misses == []
    assert all(p.classified_by == "model" and p.rationale["classification"].startswith("model: ")
               for p in routed.values())
    request = fake_anthropic.requests[0]
    assert len(fake_anthropic.requests) == len(PHRASINGS)
    assert request["model"] == DEFAULT_TIERS[Tier.CHEAP].model
    assert request["max_tokens"] == 300 + THINKING_ALLOWANCE["low"] and request["output_config"] == {"effort": "low"}
    assert request["tool_choice"] == {"type": "auto"} and request["tools"][0]["strict"] is True
    assert fake_anthropic.rejected == []
    schema = request["tools"][0]["input_schema"]["properties"]
    assert schema["domains"]["items"]["enum"] == list(LEXICON)


def test_the_models_answer_wins_over_the_lexicon(fake_anthropic):
    fake_anthropic.script(answer(["performance"], "complex", capabilities=["analyze_architecture"]))
    p = plan("Can someone break into our login page?")
    assert p.domains == ["performance"] and p.complexity == "complex"
    assert [a.id for a in p.agents] == ["performance_optimizer", "architecture_analyst"]
    assert p.rationale["complexity"] == "complex, from the model's classification"


@pytest.mark.parametrize(("reply", "why"), [
    ({"status": 500}, "the model classification failed (claude"),
    ({"text": "security, obviously", "input_tokens": 5, "output_tokens": 3}, "no classify_task call in the reply"),
    (answer(["astrology"]), "the model named no known domain"),
])
def test_the_lexicon_is_the_fallback(fake_anthropic, reply, why):
    fake_anthropic.default = reply
    p = plan("Make sure passwords are hashed properly")
    assert p.domains == ["security"] and p.classified_by == "lexicon"
    assert why in p.rationale["classification"]


def test_the_budget_can_refuse_the_classification(fake_anthropic):
    p = plan("Make sure passwords are hashed properly", max_cost=0.0)
    assert fake_anthropic.requests == [] and p.classified_by == "lexicon"
    assert "max cost $0.0000 reached: CHEAP task classification" in p.rationale["classification"]


def test_offline_says_so(offline):
    p = plan("Make sure passwords are hashed properly")
    assert p.classified_by == "lexicon" and p.rationale["classification"].startswith(
        "lexicon: offline (no ANTHROPIC_API_KEY); classifier: security (p=")


@pytest.mark.parametrize(("task", "workflow", "args", "agent"), [
    ("Boost test coverage to 90 %", "test_coverage_boost", {"target": 90.0}, "test_coverage_analyzer"),
    ("Raise the coverage of inventory/pricing.py to 95 percent", "test_coverage_boost", {"target": 95.0},
     "test_coverage_analyzer"),
    ("Improve test coverage", "test_coverage_boost", {}, "test_coverage_analyzer"),
    ("Fix the unused imports", "fix", {}, "code_reviewer"),
    ("Fix security vulnerabilities in authentication module", "fix", {}, "security_auditor"),
    ("Repair the missing docstrings", "fix", {}, "documentation_writer"),
    ("Write unit tests for the pricing module", None, {}, "test_coverage_analyzer"),
    ("Review the fix in the parser", None, {}, "code_reviewer"),
])
def test_boost_and_fix_tasks_reach_their_workflow(offline, task, workflow, args, agent):
    p = plan(task)
    assert (p.workflow, p.workflow_args, p.agents[0].id) == (workflow, args, agent)
    if workflow:
        assert p.strategy.value == "teaching" and [a.tier_preference for a in p.agents] == list(Tier)
        assert p.task_pattern == {"fix": "verified_fix"}.get(workflow, workflow)
        assert p.rationale["workflow"].startswith(workflow)


def test_the_model_can_name_a_workflow_the_wording_does_not(fake_anthropic):
    fake_anthropic.script(answer(["quality"], workflow="fix"))
    p = plan("The parser crashes on empty input, please sort it out")
    assert p.workflow == "fix" and p.agents[0].id == "code_reviewer"


async def test_a_fix_plan_runs_the_fix_workflow_and_is_recorded(sample_project, offline, tmp_path, monkeypatch):
    monkeypatch.setenv("EMPATHY_PATTERN_LIBRARY", str(tmp_path / "library.json"))
    context = {"project_path": str(sample_project)}
    p = MetaOrchestrator().analyze_and_compose("Fix the lint in inventory/report.py", context)
    before = (sample_project / "inventory" / "report.py").read_bytes()
    result = await p.execute(context)
    final = result.final_output
    assert final["workflow"] == "fix" and final["fix"]["changes"][0]["verified"] is True
    assert final["fix"]["changes"][0]["findings"][0]["path"] == "inventory/report.py"
    assert final["model_assisted"] is False and final["completed_by"] == ["offline (ruff's fixes)"]
    assert final["learning"].startswith("outcome recorded on")
    assert (sample_project / "inventory" / "report.py").read_bytes() == before  # a plan's fix writes nothing
    best = ConfigurationStore(sample_project / ".empathy" / "store.json").get_best_for_task("verified_fix")
    assert best.strategy == "teaching" and best.usage_count == 1
    assert best.success_count == int(final["measured_success"])


async def test_a_boost_plan_runs_the_boost_and_an_untrusted_run_records_nothing(sample_project, offline):
    import empathy_os.workflows  # noqa: F401 - registers the boost (the CLI and the daemon import it)

    context = {"project_path": str(sample_project), "trusted": False}
    p = MetaOrchestrator().analyze_and_compose("Boost test coverage to 90 %", context)
    result = await p.execute(context)
    assert result.final_output["workflow"] == "test_coverage_boost" and not result.success
    assert result.final_output["boost"]["refused"] and result.final_output["boost"]["target"] == 90.0
    assert result.final_output["learning"] == "untrusted workspace: outcome not recorded"
    assert not (sample_project / ".empathy" / "store.json").exists()

"""The planner's choices as tables, fast (no agent runs): what it learns from recorded compositions, the
strategy order, the rationale it gives, and what a plan keeps of its hints."""

from __future__ import annotations

import pytest
from empathy_os.orchestration import MetaOrchestrator, get_template
from empathy_os.orchestration.meta_orchestrator import ExecutionPlan
from empathy_os.orchestration.workspace_store import record_outcome


@pytest.fixture
def store(tmp_path, monkeypatch, offline):
    monkeypatch.setenv("EMPATHY_PATTERN_LIBRARY", str(tmp_path / "library.json"))
    return {"project_path": str(tmp_path), "store_path": str(tmp_path / "store.json")}


def plan(task, **context):
    return MetaOrchestrator().analyze_and_compose(task, context)


def record(store, agents, strategy, successes, failures, pattern="security_audit"):
    for ok in [True] * successes + [False] * failures:
        assert record_outcome(store, task_pattern=pattern, agents=agents, strategy=strategy, quality_gates=None,
                       success=ok, quality_score=8.0 if ok else 2.0).startswith("outcome recorded")


DEBATE = [("security_auditor", "PREMIUM"), ("architecture_analyst", "CAPABLE"), ("code_reviewer", "CAPABLE")]


def test_a_proven_composition_is_reused_with_its_tiers(store):
    record(store, [("security_auditor", "CHEAP"), ("code_reviewer", "CAPABLE")], "parallel", 30, 0)
    p = plan("Run a security audit", **store, seed=1)
    assert p.reused_configuration is not None and p.strategy.value == "parallel"
    assert [(a.id, a.tier_preference.value) for a in p.agents] == [("security_auditor", "CHEAP"),
                                                                   ("code_reviewer", "CAPABLE")]
    assert p.rationale["learned"].startswith("Thompson sampling over 2 composition(s) of security_audit: "
                                              "picked the best-so-far; ")
    assert get_template("security_auditor").tier_preference.value == "PREMIUM"  # the built-in is untouched


def test_a_failing_record_leaves_the_planned_composition(store):
    record(store, DEBATE, "debate", 0, 30)
    p = plan("Run a security audit", **store, seed=1)
    assert p.reused_configuration is None and p.strategy.value == "sequential"
    assert p.rationale["learned"].endswith("; kept the planned composition")
    assert "Thompson sampling over 2 composition(s)" in p.rationale["learned"]


def test_exploring_says_so(store):
    record(store, DEBATE, "debate", 3, 2)
    record(store, [("security_auditor", "PREMIUM"), ("code_reviewer", "CHEAP")], "parallel", 2, 3)
    notes = {plan("Run a security audit", **store, seed=s).rationale["learned"].split(":")[1].split(";")[0]
             for s in range(30)}
    assert notes == {" picked the best-so-far", " explored (drew a composition other than the best-so-far)"}


@pytest.mark.parametrize(("agents", "strategy", "why"), [
    ([("no_such_agent", "CHEAP"), ("code_reviewer", "CAPABLE")], "parallel", "not reusable: unknown agent template"),
    ([("security_auditor", "CHEAP"), ("code_reviewer", "CAPABLE")], "zigzag", "not reusable"),
    ([("security_auditor", "CHEAP")], "debate", "has too few agents"),
])
def test_an_unusable_record_is_explained_not_used(store, agents, strategy, why):
    record(store, agents, strategy, 30, 0)
    p = plan("Run a security audit", **store, seed=1)
    assert p.reused_configuration is None and p.strategy.value == "sequential"
    assert why in p.rationale["learned"]


def test_learning_off_or_no_store_reads_nothing(store):
    record(store, DEBATE, "debate", 30, 0)
    assert "learned" not in plan("Run a security audit", **store, learn=False).rationale
    assert "learned" not in plan("Run a security audit", project_path=store["project_path"],
                                 store_path=store["store_path"] + ".missing").rationale


def test_a_damaged_store_is_reported_in_the_rationale(store, tmp_path):
    (tmp_path / "store.json").write_text("{not json")
    p = plan("Run a security audit", **store)
    assert p.reused_configuration is None and p.rationale["learned"].startswith("learning skipped: ")


@pytest.mark.parametrize(("task", "strategy", "why"), [
    ("Debate and refine the security design", "debate", "debate: the task says ['debate']"),
    ("Refine the docs cheaply", "refinement", "refinement: the task says ['refine']"),
    ("Document it cheaply", "teaching", "teaching: the task says ['cheaply']"),
    ("Ship the release, compare perspectives", "parallel",
     "parallel: release checks are independent, so they run at the same time"),
    ("Look at security and docs", "parallel", "parallel: several independent agents"),
    ("Look at the docs", "sequential", "sequential: a single agent"),
])
def test_strategy_order_and_why(task, strategy, why):
    p = plan(task, learn=False)
    assert p.strategy.value == strategy and p.rationale["strategy"].startswith(why)


def test_a_team_extended_for_its_strategy_says_so():
    p = plan("Refine the docs", learn=False)
    assert [a.id for a in p.agents] == ["documentation_writer", "code_reviewer", "documentation_writer"]
    assert p.rationale["strategy"].endswith("; team extended to 3 agents so refinement can run")
    assert "team extended" not in plan("Debate security and docs", learn=False).rationale["strategy"]


@pytest.mark.parametrize(("context", "complexity", "why"), [
    ({"complexity": "simple"}, "simple", "simple, from the caller's hint"),
    ({"complexity": "high"}, "complex", "complex, from the caller's hint"),
    ({}, "simple", "simple, from the words ['quick']"),
])
def test_complexity_and_its_reason(context, complexity, why):
    p = plan("A quick security look", learn=False, **context)
    assert (p.complexity, p.rationale["complexity"]) == (complexity, why)


def test_no_complexity_words_is_moderate():
    p = plan("A security look", learn=False)
    assert (p.complexity, p.rationale["complexity"]) == ("moderate", "moderate: no complexity words in the task")


def test_capabilities_add_their_holder_once_and_are_named():
    p = plan("Look at the docs", learn=False, capabilities=["analyze_architecture"])
    assert [a.id for a in p.agents] == ["documentation_writer", "architecture_analyst"]
    assert p.rationale["agents"] == ("documentation_writer, architecture_analyst: the agents for documentation, "
                                     "covering the capabilities analyze_architecture")
    held = plan("Look at security", learn=False, capabilities="vulnerability_scan")
    assert [a.id for a in held.agents] == ["security_auditor"]


def test_domains_rationale_names_the_words_and_the_hint():
    p = plan("Find hardcoded secrets", learn=False, domain="docs")
    assert p.domains == ["documentation", "security"] and p.task_pattern == "documentation+security_audit"
    assert p.rationale["domains"] == ("documentation, security (lexicon match: security: hardcoded, "
                                      "secrets, hardcoded secrets + domain hint)")


def test_a_plan_keeps_only_the_hints_it_was_given_and_renders_its_agents():
    p = plan("Look at security", learn=False, complexity="simple", quality_gates={"max_critical_issues": 0})
    assert p.hints == {"complexity": "simple", "quality_gates": {"max_critical_issues": 0}}
    data = p.to_json()
    assert data["agents"] == [{"id": "security_auditor", "role": "Security Auditor", "tier": "CAPABLE",
                               "tools": ["bandit"]}]
    assert data["strategy"] == "sequential" and ExecutionPlan.model_validate(p.model_dump()).hints == p.hints


def test_release_subsumes_checks_but_keeps_other_domains():
    assert plan("Release after a performance check", learn=False).domains == ["release", "performance"]


@pytest.mark.parametrize(("task", "seconds"), [
    ("Look at the docs", 11.0),  # docstrings prior 1 s + the model step's 10 s
    ("Are there circular imports?", 11.0),  # import_graph 1 s
    ("Look at security", 12.0),  # bandit 2 s
    ("Review the code", 11.0),  # the slowest of ruff 0.5 s and radon 1 s
    ("Find code smells", 11.0),  # code_smells 1 s
])
def test_duration_priors(task, seconds):
    assert plan(task, learn=False).estimated_duration == seconds


def test_the_planned_composition_starts_from_a_uniform_prior(store):
    # Against one recorded failure, Beta(1, 1) beats Beta(1, 2) in 2/3 of draws (5/6 with a phantom success).
    record(store, [("security_auditor", "CAPABLE"), ("code_reviewer", "CAPABLE")], "parallel", 0, 1)
    kept = sum(plan("Run a security audit", **store, seed=s).reused_configuration is None for s in range(300))
    assert 180 <= kept <= 220


def test_teaching_keeps_two_tiers_of_the_same_agent():
    from empathy_os.llm import Tier
    from empathy_os.orchestration.meta_orchestrator import _fit

    reviewer = get_template("code_reviewer")
    cheap = reviewer.model_copy(update={"tier_preference": Tier.CHEAP})
    assert [a.tier_preference for a in _fit("teaching", [cheap, reviewer])] == [Tier.CHEAP, Tier.CAPABLE]


async def test_plan_success_is_the_measured_quality_against_the_threshold(tmp_path, offline):
    root = tmp_path / "p"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text('"""A package."""\n\nimport os\n')
    context = {"project_path": str(root), "learn": False}
    p = MetaOrchestrator().analyze_and_compose("Review the code", context)
    first = await p.execute(context)
    quality = first.outputs[0].quality_score
    assert quality is not None and "learning" not in first.final_output
    at = await p.execute({**context, "quality_threshold": quality})
    above = await p.execute({**context, "quality_threshold": min(10.0, quality + 0.01)})
    assert at.final_output["measured_success"] is True and above.final_output["measured_success"] is False
    assert not (root / ".empathy" / "store.json").exists()  # learn False: nothing recorded, no store


def test_a_template_without_tools_costs_only_its_model_step():
    from empathy_os.orchestration import AgentTemplate
    from empathy_os.orchestration.run_context import RunContext

    p = plan("Look at the docs", learn=False)
    talker = AgentTemplate(id="talker", role="Talker", tools=[], tier_preference="CHEAP")
    p = p.model_copy(update={"agents": [talker]})
    MetaOrchestrator()._estimate(p, RunContext.parse({"learn": False}))
    assert p.estimated_duration == 10.0

"""Planning: whole-word task analysis, teams, strategies that fit their team, estimates, bad input."""

from __future__ import annotations

import pytest
from empathy_os.orchestration import (
    AGENT_REGISTRY,
    AgentCapability,
    AgentTemplate,
    MetaOrchestrator,
    get_all_templates,
    get_template,
    register_template,
)
from empathy_os.orchestration.execution_strategies import PLAN_MIN_AGENTS, get_strategy
from pydantic import ValidationError

RELEASE = ["security_auditor", "test_coverage_analyzer", "code_reviewer", "documentation_writer"]


@pytest.fixture(autouse=True)
def _no_learning(tmp_path, monkeypatch, offline):
    monkeypatch.chdir(tmp_path)


def plan(task, **context):
    return MetaOrchestrator().analyze_and_compose(task, context)


def test_release_team_runs_in_parallel_with_a_positive_estimate():
    p = plan("Prepare for production release", project_path=".")
    assert [a.id for a in p.agents] == RELEASE
    assert p.strategy.value == "parallel"
    assert p.estimated_cost > 0 and p.estimated_duration > 0
    assert p.task_pattern == "release_preparation"
    assert {"domains", "agents", "strategy", "complexity", "tiers", "estimate"} <= set(p.rationale)


def test_whole_words_only():
    # "latest" contains "test" but is not about testing; "attestation" neither.
    p = plan("Check the latest attestation changes")
    assert "test_coverage_analyzer" not in [a.id for a in p.agents]
    assert "test_coverage_analyzer" in [a.id for a in plan("Add tests for the parser").agents]


@pytest.mark.parametrize("task,context,expected", [
    ("Comprehensive security audit with multiple perspectives", {"domain": "security"}, "debate"),
    ("Refine and polish the module documentation", {}, "refinement"),
    ("Document the public API cheaply", {}, "teaching"),
    ("Triage the flaky bug in the parser", {}, "adaptive"),
    ("Generate the docs then validate", {}, "sequential"),
    ("Prepare for production release", {}, "parallel"),
])
def test_every_strategy_is_reachable(task, context, expected):
    p = plan(task, **context)
    assert p.strategy.value == expected
    assert len(p.agents) >= PLAN_MIN_AGENTS[expected]


@pytest.mark.parametrize("task", [
    "Fix it", "Review", "Teaching the junior cheaply", "Debate tabs versus spaces", "Polish",
    "Improve performance of slow API endpoint", "refactor the architecture then document it",
    "cheap quick fix", "compare security perspectives", "Write API documentation",
])
def test_plans_never_pair_a_strategy_with_too_few_agents(task):
    for complexity in (None, "simple", "complex"):
        p = plan(task, complexity=complexity)
        assert len(p.agents) >= PLAN_MIN_AGENTS[p.strategy.value], (task, p.strategy, p.agents)


def test_context_hints_are_honoured():
    p = plan("Fix security vulnerabilities in authentication module", domain="security",
             capabilities=["vulnerability_scan", "threat_modeling"], complexity="high")
    assert p.agents[0].id == "security_auditor"
    assert p.complexity == "complex" and "hint" in p.rationale["complexity"]
    assert "architecture_analyst" in [a.id for a in plan("Look around", capabilities=["analyze_architecture"]).agents]


def test_simple_tasks_use_cheaper_tiers_without_touching_built_ins():
    p = plan("Review the code", complexity="simple")
    assert p.agents[0].id == "code_reviewer" and p.agents[0].tier_preference.value == "CHEAP"
    assert get_template("code_reviewer").tier_preference.value == "CAPABLE"
    assert plan("Review the code", complexity="complex").estimated_cost > p.estimated_cost


@pytest.mark.parametrize("call,match", [
    (lambda: plan(""), "non-empty"),
    (lambda: plan("   "), "non-empty"),
    (lambda: MetaOrchestrator().analyze_and_compose(None), "non-empty"),
    (lambda: plan("Review", domain="astrology"), "unknown domain"),
    (lambda: plan("Review", capabilities=["teleport"]), "capability"),
    (lambda: plan("Review", complexity="extreme"), "complexity"),
    (lambda: plan("Review", max_cost=-1), "max_cost"),
    (lambda: get_template("nope"), "unknown agent template"),
    (lambda: get_strategy("zigzag"), "unknown strategy"),
])
def test_bad_input_is_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_templates_match_the_tutorial_and_built_ins_are_immutable():
    table = {t.id: (t.tier_preference.value, t.role) for t in get_all_templates()}
    assert table["security_auditor"] == ("PREMIUM", "Security Auditor")
    assert table["documentation_writer"] == ("CHEAP", "Documentation Writer")
    assert len([t for t in get_all_templates() if t.id in table]) >= 7
    assert get_template("code_reviewer").capability_names == ["code_review", "quality_assessment",
                                                              "best_practices_check"]
    with pytest.raises(ValueError, match="built-in"):
        register_template(AgentTemplate(id="code_reviewer", role="Impostor"))
    with pytest.raises(ValueError, match="built-in"):
        AGENT_REGISTRY["security_auditor"] = AgentTemplate(id="security_auditor", role="x")
    with pytest.raises(ValidationError):
        get_template("code_reviewer").role = "changed"  # frozen
    custom = register_template(AgentTemplate(
        id="custom_reviewer", role="Custom", tools=["ruff"],
        capabilities=["code_review", AgentCapability(name="extra", description="both forms accepted")]))
    assert custom.capability_names == ["code_review", "extra"]
    assert get_template("code_reviewer").role == "Code Quality Reviewer"
    del AGENT_REGISTRY["custom_reviewer"]

"""Routing accuracy on everyday phrasings (tests/unit/routing_phrasings.py), offline lexicon."""

from __future__ import annotations

from empathy_os.orchestration import MetaOrchestrator
from empathy_os.orchestration.agent_templates import specialists

from .routing_phrasings import PHRASINGS


def routed(task: str) -> str:
    plan = MetaOrchestrator().analyze_and_compose(task, {"learn": False})
    return plan.domains[0] if plan.domains else "quality"


def test_the_set_is_big_enough_and_covers_every_domain():
    assert len(PHRASINGS) >= 40
    assert {d for _, d in PHRASINGS} == {"security", "performance", "testing", "documentation", "architecture",
                                         "refactoring", "quality", "release"}


def test_offline_accuracy_is_at_least_90_percent():
    misses = [(task, want, routed(task)) for task, want in PHRASINGS if routed(task) != want]
    accuracy = 1 - len(misses) / len(PHRASINGS)
    print(f"offline routing accuracy: {accuracy:.1%} ({len(PHRASINGS) - len(misses)}/{len(PHRASINGS)}); misses: {misses}")
    assert accuracy >= 0.9, misses


def test_the_main_specialist_leads_the_team():
    plan = MetaOrchestrator().analyze_and_compose("Can someone break into our login page?", {"learn": False})
    assert plan.agents[0].id == specialists("security")[0].id == "security_auditor"

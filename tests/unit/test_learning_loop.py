"""The learning loop wired in: runs record outcomes; planning reuses a proven composition."""

from __future__ import annotations

import pytest
from empathy_os.orchestration import MetaOrchestrator
from empathy_os.store.configurations import ConfigurationStore
from empathy_os.workflows.orchestrated_release_prep import OrchestratedReleasePrepWorkflow


@pytest.fixture(autouse=True)
def _library(tmp_path, monkeypatch, offline):
    monkeypatch.setenv("EMPATHY_PATTERN_LIBRARY", str(tmp_path / "library.json"))


async def test_plan_runs_are_recorded_and_a_proven_composition_is_reused(sample_project):
    orchestrator = MetaOrchestrator()
    # Success is measured against the plan's gates: the sample has exactly 2 critical findings.
    context = {"project_path": str(sample_project), "quality_gates": {"max_critical_issues": 2}, "seed": 0}
    debate = orchestrator.analyze_and_compose("Security audit from multiple perspectives", context)
    assert debate.strategy.value == "debate"
    for _ in range(3):
        result = await debate.execute(context)
        assert result.final_output["learning"].startswith("outcome recorded")
    store = ConfigurationStore(sample_project / ".empathy" / "store.json")
    best = store.get_best_for_task("security_audit")
    assert best.usage_count == 3 and best.strategy == "debate"

    # A plain "security audit" would be one agent, sequential; the proven debate team is reused instead.
    plain = orchestrator.analyze_and_compose("Run a security audit", {**context, "learn": False})
    assert plain.strategy.value == "sequential" and plain.reused_configuration is None
    reused = orchestrator.analyze_and_compose("Run a security audit", context)
    assert reused.reused_configuration == best.id
    assert reused.strategy.value == "debate" and [a.id for a in reused.agents] == [a.id for a in debate.agents]
    assert "3 runs" in reused.rationale["learned"] and "Thompson sampling over 2" in reused.rationale["learned"]


async def test_a_failed_gate_is_recorded_as_a_failure_and_untrusted_runs_record_nothing(sample_project):
    orchestrator = MetaOrchestrator()
    context = {"project_path": str(sample_project), "quality_gates": {"max_critical_issues": 0}}
    plan = orchestrator.analyze_and_compose("Run a security audit", context)
    result = await plan.execute(context)
    assert result.final_output["measured_success"] is False and not result.success
    assert result.final_output["gates"][0].actual == 2.0
    store = ConfigurationStore(sample_project / ".empathy" / "store.json")
    assert store.get_best_for_task("security_audit").success_count == 0
    untrusted = await plan.execute({**context, "trusted": False})
    assert untrusted.final_output["learning"] == "untrusted workspace: outcome not recorded"
    assert store.get_best_for_task("security_audit").usage_count == 1


async def test_release_prep_records_its_verdict(sample_project):
    report = await OrchestratedReleasePrepWorkflow().execute(sample_project)
    assert any(n.startswith("outcome recorded") for n in report.notes)
    best = ConfigurationStore(sample_project / ".empathy" / "store.json").get_best_for_task("release_preparation")
    assert best.usage_count == 1 and best.success_rate == 0.0  # the sample is not approved


async def test_a_damaged_store_never_breaks_planning(sample_project):
    (sample_project / ".empathy").mkdir()
    (sample_project / ".empathy" / "store.json").write_text("{ truncated")
    plan = MetaOrchestrator().analyze_and_compose("Run a security audit", {"project_path": str(sample_project)})
    assert plan.reused_configuration is None and "learning skipped" in plan.rationale["learned"]

"""Measured gates stay measured: a model's own score is shown beside the quality gate, never averaged in."""

from __future__ import annotations

from empathy_os.workflows.orchestrated_release_prep import OrchestratedReleasePrepWorkflow
from empathy_os.workflows.reports import render_text

LENIENT = {"min_coverage": 0, "max_critical_issues": 100, "min_doc_coverage": 0}


def _quality(report):
    return next(g for g in report.gates if g.name == "min_quality_score")


async def test_a_model_saying_10_of_10_leaves_the_verdict_unchanged(sample_project, fake_anthropic, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    offline = await OrchestratedReleasePrepWorkflow(LENIENT).execute(sample_project, learn=False)
    measured = _quality(offline).actual
    assert measured is not None and measured < 9.5
    # A threshold the tools miss by 0.5 and a tools+model mean (measured + 10) / 2 would pass.
    gates = {**LENIENT, "min_quality_score": measured + 0.5}
    offline = await OrchestratedReleasePrepWorkflow(gates).execute(sample_project, learn=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-not-a-real-key")
    fake_anthropic.default = {"text": '{"summary": "excellent", "priorities": [], "quality_score": 10, '
                                      '"confidence": 1}', "input_tokens": 50, "output_tokens": 20}
    with_model = await OrchestratedReleasePrepWorkflow(gates).execute(sample_project, learn=False)
    assert with_model.model_assisted and fake_anthropic.requests
    assert with_model.approved == offline.approved is False
    assert [(g.name, g.actual, g.passed) for g in with_model.gates] == [
        (g.name, g.actual, g.passed) for g in offline.gates]
    assert with_model.confidence == offline.confidence
    assert _quality(with_model).model_view.startswith("10/10 by claude-")
    reviewer = next(a for a in with_model.agents if a.id == "code_reviewer")
    assert reviewer.model_score == 10 and reviewer.quality_score == measured and reviewer.basis == "tools"
    assert "model's view: 10/10" in render_text(with_model)

"""The release-prep report's text (the tutorial's layout) from reports holding each kind of gate, agent and finding."""

from __future__ import annotations

from empathy_os.analyzers.contract import Finding, Severity
from empathy_os.gates import GateResult
from empathy_os.workflows.orchestrated_release_prep import AgentSummary, ReleasePrepReport
from empathy_os.workflows.reports import RULE, render_text


def gate(name: str, passed: bool, critical: bool = True, model_view: str | None = None) -> GateResult:
    return GateResult(name=name, threshold=1.0, actual=1.0, passed=passed, critical=critical, message=f"{name} msg",
                      model_view=model_view)


def agent(role: str, score: float | None = 8.0, model: str | None = None, cached: list[str] | None = None):
    return AgentSummary(id=role.lower(), role=role, tier="CAPABLE", success=True, quality_score=score, confidence=1.0,
                        basis="tools" if model is None else "tools+model", duration_seconds=1.25, input_tokens=120,
                        output_tokens=30, cost_usd=0.0021 if model else 0.0, model=model, tools={},
                        cached=cached or [], notes=[])


def finding(severity: Severity, line: int) -> Finding:
    return Finding(tool="bandit", rule="B602", severity=severity, path="pkg/a.py", line=line, message="shell")


def report(**fields) -> ReleasePrepReport:
    base = {"project_root": "/p", "approved": True, "confidence": "high", "gates": [gate("min_coverage", True)],
            "metrics": {}, "metric_sources": {}, "findings": [], "agents": [], "duration_seconds": 2.0,
            "total_cost_usd": 0.0, "model_assisted": False}
    return ReleasePrepReport(**{**base, **fields})


def test_a_report_with_every_section():
    text = render_text(report(
        approved=False, confidence="medium", model_assisted=True, total_cost_usd=0.0021, notes=["one", "two"],
        gates=[gate("min_coverage", False), gate("min_quality_score", True, model_view="9/10 by m (not a measurement)"),
               gate("max_critical_issues", False), gate("min_doc_coverage", False, critical=False)],
        metric_sources={"coverage_percent": "coverage 7", "quality_score": "code_reviewer (tools: ruff)"},
        agents=[agent("Security Auditor", model="claude-x"), agent("Docs", score=None, cached=["docstrings", "ruff"])],
        findings=[finding(Severity.LOW, 1)] + [finding(Severity.CRITICAL, n) for n in range(2, 14)]))
    lines = text.splitlines()
    assert lines[:10] == [RULE, "  RELEASE PREPARATION REPORT", RULE, "  Project: /p", "",
                          "  ✗ min_coverage msg", "  ✓ min_quality_score msg · model's view: 9/10 by m (not a measurement)",
                          "  ✗ max_critical_issues msg", "  ⚠ min_doc_coverage msg", ""]
    assert "   MEASURED BY\n  - coverage_percent: coverage 7\n  - quality_score: code_reviewer (tools: ruff)\n\n" \
           "   QUALITY GATES\n  " + "-" * 56 + "\n  ❌ 2 critical gate(s) failed: min_coverage, max_critical_issues\n" \
           "  ⚠  1 warning(s) (min_doc_coverage msg)\n\n  ❌ RELEASE NOT APPROVED (confidence: medium)\n\n" \
           "   AGENTS\n  - Security Auditor [CAPABLE]: score 8.0/10 (tools+model), 1.2s, 120+30 tokens, $0.0021\n" \
           "  - Docs [CAPABLE]: score n/a (tools), 1.2s, cached: docstrings, ruff\n\n   TOP FINDINGS\n" in text
    assert [ln for ln in lines if ln.startswith("  - [")] == [
        f"  - [critical] pkg/a.py:{n} bandit B602: shell" for n in range(2, 12)]  # ten, the low one left out
    assert lines[-7:] == ["", "   NOTES", "  - one", "  - two", "",
                          "  Duration: 2.0 seconds · model-assisted · cost $0.0021", RULE]


def test_an_approved_report_without_findings_or_notes():
    assert render_text(report(agents=[agent("Reviewer")])).splitlines() == [
        RULE, "  RELEASE PREPARATION REPORT", RULE, "  Project: /p", "", "  ✓ min_coverage msg", "", "   MEASURED BY",
        "", "   QUALITY GATES", "  " + "-" * 56, "  ✅ All critical gates passed!", "",
        "  ✅ RELEASE APPROVED (confidence: high)", "", "   AGENTS", "  - Reviewer [CAPABLE]: score 8.0/10 (tools), 1.2s",
        "", "  Duration: 2.0 seconds · tools only (no model call) · cost $0.0000", RULE]

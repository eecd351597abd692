"""Debate: a confirmed critical security finding cannot be outvoted (documented veto)."""

from __future__ import annotations

import pytest
from empathy_os.analyzers.contract import Finding, Severity
from empathy_os.llm import Tier
from empathy_os.orchestration.debate import agreement
from empathy_os.orchestration.execution_strategies import DebateStrategy
from empathy_os.orchestration.runtime import AgentResult


def agent(agent_id, findings=(), score=8.0, success=True):
    return AgentResult(agent_id=agent_id, role=agent_id, tier=Tier.CAPABLE, success=success, quality_score=score,
                       findings=list(findings))


def finding(tool, severity, rule="B602", path="a.py"):
    return Finding(tool=tool, rule=rule, severity=severity, path=path, line=3, message="m")


@pytest.mark.parametrize(("security_findings", "verdict", "vetoed"), [
    ([finding("bandit", Severity.CRITICAL)], "needs work", True),
    ([finding("bandit", Severity.HIGH)], "acceptable", False),      # not confirmed critical: a normal vote
    ([finding("ruff", Severity.CRITICAL, rule="E999")], "acceptable", False),  # not a security tool
    ([], "acceptable", False),
])
def test_veto_table(security_findings, verdict, vetoed):
    outputs = [agent("security_auditor", security_findings), agent("code_reviewer"), agent("documentation_writer")]
    result = agreement(outputs, 7.0)
    assert result.verdict == verdict and (result.veto is not None) is vetoed
    if vetoed:
        assert "B602 a.py:3" in result.veto and result.consensus.startswith("needs work (veto")
        assert result.verdicts["code_reviewer"] == "acceptable"  # the votes are still shown


def test_an_abstaining_auditor_cannot_veto():
    outputs = [agent("security_auditor", [finding("bandit", Severity.CRITICAL)], success=False),
               agent("code_reviewer"), agent("documentation_writer")]
    assert agreement(outputs, 7.0).verdict == "acceptable"


async def test_debate_on_the_sample_never_approves_over_its_critical_findings(sample_project, offline):
    result = await DebateStrategy().execute(["security_auditor", "code_reviewer", "documentation_writer"],
                                            {"project_path": str(sample_project), "quality_threshold": 0.0})
    votes = result.final_output["agreement"]["verdicts"]
    assert list(votes.values()).count("acceptable") == 2  # outvoted 2:1 ...
    assert result.final_output["verdict"] == "needs work"  # ... but the veto holds
    assert "B602" in result.final_output["veto"] and "B324" in result.final_output["veto"]


def test_no_position_when_every_agent_failed():
    result = agreement([agent("security_auditor", success=False), agent("code_reviewer", success=False)], 7.0)
    assert result.consensus == "no agent produced a position" and result.verdict == "no verdict"
    assert result.abstained == ["security_auditor", "code_reviewer"] and result.confidence == 0.0


def test_a_lone_voter_agrees_with_itself_on_files():
    result = agreement([agent("code_reviewer", [finding("ruff", Severity.LOW, path="b.py")])], 7.0)
    assert (result.file_agreement, result.verdict_agreement, result.confidence) == (1.0, 1.0, 1.0)
    assert result.files_flagged_by_majority == ["b.py"]
    assert result.consensus == "1/1 agents judge the code acceptable; flagged by a majority: b.py"


def test_a_veto_over_a_needs_work_majority_lists_five_findings():
    criticals = [finding("bandit", Severity.CRITICAL, path=f"m{i}.py") for i in range(6)]
    outputs = [agent("security_auditor", criticals), agent("code_reviewer", score=2.0), agent("documentation_writer")]
    result = agreement(outputs, 7.0)
    assert result.verdict == "needs work" and result.consensus.startswith("2/3 agents judge the code needs work")
    assert result.veto.startswith("6 confirmed critical") and result.veto.endswith("B602 m4.py:3 …")
    # the two agents that flag nothing agree on files; each disagrees with the auditor
    assert result.file_agreement == 0.333 and result.verdict_agreement == 0.667

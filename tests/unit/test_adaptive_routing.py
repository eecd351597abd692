"""Adaptive routes the *task*: its domain's specialist, at the tier the named files' measured size warrants."""

from __future__ import annotations

from empathy_os.orchestration import MetaOrchestrator
from empathy_os.orchestration.execution_strategies import AdaptiveStrategy
from empathy_os.orchestration.project_size import named_files


async def test_a_security_task_goes_to_the_security_auditor(sample_project, offline):
    result = await AdaptiveStrategy().execute(
        ["code_reviewer", "documentation_writer", "security_auditor"],
        {"project_path": str(sample_project), "task": "Fix the shell injection in inventory/storage.py"})
    final = result.final_output
    assert final["routed_to"] == "security_auditor" and final["classification"]["domain"] == "security"
    assert "named file(s) storage.py" in final["classification"]["basis"]
    assert final["classification"]["lines"] == len((sample_project / "inventory" / "storage.py").read_text()
                                                   .splitlines())


async def test_without_a_specialist_it_routes_by_tier_among_all(sample_project, offline):
    result = await AdaptiveStrategy().execute(
        [("code_reviewer", "CHEAP"), ("code_reviewer", "PREMIUM")],
        {"project_path": str(sample_project), "task": "Make the parser faster", "complexity": "complex"})
    assert result.final_output["tier"] == "PREMIUM" and "no agent of the team serves performance" in (
        result.final_output["reason"])


def test_named_files_are_found_read_only(sample_project):
    assert named_files("look at storage.py and nothing.py", sample_project) == [
        sample_project / "inventory" / "storage.py"]
    assert named_files(None, sample_project) == []


async def test_a_plan_keeps_its_hints_when_run(sample_project, offline):
    plan = MetaOrchestrator().analyze_and_compose("Triage the flaky bug in the parser",
                                                  {"complexity": "simple", "learn": False})
    assert plan.strategy.value == "adaptive" and plan.hints == {"complexity": "simple"}
    result = await plan.execute({"project_path": str(sample_project), "learn": False})
    assert result.final_output["classification"]["basis"] == "caller's hint"
    assert result.final_output["tier"] == "CHEAP"

"""Issue 28 §4: the strategies do what their results say, on a real project (the sample, offline).

`module_path` beside `project_path` is the artifact; a file in a package does not become the project root;
a rejected junior artifact is not "completed"; a veto fails the debate; severity sets the adaptive floor;
Refinement over a whole project refines an artifact (draft → critique → revise); `completed_by` names the
stage whose artifact was kept, and `success` is False when none was."""

from __future__ import annotations

from empathy_os.orchestration import get_template
from empathy_os.orchestration.execution_strategies import (
    AdaptiveStrategy,
    DebateStrategy,
    RefinementStrategy,
    TeachingStrategy,
)
from empathy_os.orchestration.run_context import RunContext

TEACHERS = [get_template("documentation_writer"), get_template("code_reviewer")]
REFINERS = [get_template("documentation_writer"), get_template("code_reviewer"), get_template("documentation_writer")]


def test_module_path_is_kept_beside_project_path(sample_project):
    pricing = sample_project / "inventory" / "pricing.py"
    for named in ("inventory/pricing.py", str(pricing)):
        run = RunContext.parse({"project_path": str(sample_project), "module_path": named})
        assert (run.project_root, run.target) == (sample_project.resolve(), pricing.resolve())


def test_a_file_in_a_package_does_not_become_the_project_root(sample_project):
    run = RunContext.parse({"module_path": str(sample_project / "inventory" / "pricing.py")})
    assert run.project_root == sample_project.resolve()  # where pyproject.toml is, not inventory/
    src = sample_project / "src" / "pkg" / "sub"
    src.mkdir(parents=True)
    for package in (src.parent, src):
        (package / "__init__.py").write_text("")
    (src / "mod.py").write_text("X = 1\n")
    assert RunContext.parse({"module_path": str(src / "mod.py")}).project_root == sample_project.resolve()


async def test_teaching_over_a_project_file_named_beside_the_project(sample_project, offline):
    context = {"project_path": str(sample_project), "module_path": "inventory/pricing.py", "quality_threshold": 0}
    result = await TeachingStrategy().execute(TEACHERS, context)
    final = result.final_output
    assert "artifact" not in final  # not the whole-project fallback: the file is the artifact
    assert final["artifacts"][0]["stage"] == "junior" and final["completed_by"] == "documentation_writer"


async def test_offline_teaching_does_not_call_a_rejected_junior_complete(sample_project, offline):
    """The offline junior's edit is ruff's: it drops the unused import, which a docstring change may not
    do, so the engine rejects it (score 0) and, with no model, the expert cannot redo it."""
    module = sample_project / "inventory" / "extra.py"
    module.write_text('"""Extras."""\nimport os\n\n\ndef f(x):\n  return x\n')
    result = await TeachingStrategy().execute(TEACHERS, {"project_path": str(sample_project),
                                                         "module_path": "inventory/extra.py"})
    final = result.final_output
    assert result.outputs[0].quality_score == 0.0 and final["expert_ran"] is False
    assert final["completed_by"] is None and result.success is False
    assert final["content"] == module.read_text()  # nothing kept: the content as it was


async def test_a_veto_fails_the_debate(sample_project, offline):
    result = await DebateStrategy().execute(["security_auditor", "code_reviewer", "documentation_writer"],
                                            {"project_path": str(sample_project), "quality_threshold": 0.0})
    assert result.final_output["veto"] and result.success is False


async def test_severity_not_file_size_sets_the_adaptive_floor(sample_project, offline):
    team = [("security_auditor", tier) for tier in ("CHEAP", "CAPABLE", "PREMIUM")]
    result = await AdaptiveStrategy().execute(team, {"project_path": str(sample_project),
                                                     "task": "shell injection in inventory/storage.py"})
    final = result.final_output
    assert final["classification"]["level"] == "simple"  # a short file ...
    assert final["tier"] == "PREMIUM" and "severity critical" in final["reason"]  # ... but a critical risk


async def test_refinement_over_a_whole_project_refines_its_weakest_file(sample_project, offline):
    result = await RefinementStrategy().execute(REFINERS, {"project_path": str(sample_project)})
    final = result.final_output
    stages = [o.output["stage"] for o in result.outputs]
    assert stages == ["draft", "review", "edit"]
    path = final["artifact_path"]
    source = (sample_project / path).read_text()
    assert result.outputs[0].output["content"] == source  # the draft is the file as it is
    assert final["progression"][0] == result.outputs[0].quality_score
    assert final["completed_by"] == {"draft": "documentation_writer", "edit": "documentation_writer"}[
        final["final_stage"]]
    assert result.success is True

"""The run context: the caller's dict parsed once into typed fields; nothing travels as a hidden key."""

from __future__ import annotations

import pytest
from empathy_os.llm import Budget
from empathy_os.orchestration.execution_strategies import SequentialStrategy
from empathy_os.orchestration.run_context import RunContext


def test_project_named_any_tutorial_way(tmp_path):
    module = tmp_path / "mod.py"
    module.write_text("X = 1\n")
    for key in ("project_path", "path", "root"):
        assert RunContext.parse({key: str(tmp_path)}).project_root == tmp_path.resolve()
    by_file = RunContext.parse({"module_path": str(module)})
    assert by_file.project_root == tmp_path.resolve() and by_file.target == module.resolve()


def test_unknown_keys_are_kept_for_custom_templates(tmp_path):
    run = RunContext.parse({"project_path": str(tmp_path), "endpoint_url": "http://x"})
    assert run.get("endpoint_url") == "http://x" and run.has("endpoint_url") and not run.has("db_connection")


def test_budget_is_built_from_max_cost_and_shared_by_stages(tmp_path):
    run = RunContext.parse({"max_cost": "0.25"})
    assert isinstance(run.budget, Budget) and run.budget.max_cost == 0.25
    stage = run.with_(previous_outputs=[{"agent": "a"}])
    assert stage.budget is run.budget and run.previous_outputs == []


@pytest.mark.parametrize(("bad", "match"), [
    ({"max_cost": -1}, "context max_cost: max_cost must be >= 0"),
    ({"max_concurrency": 0}, "context max_concurrency"),
    ({"quality_threshold": 11}, "context quality_threshold"),
    ({"target_quality": "high"}, "context target_quality"),
    ({"trusted": "perhaps"}, "context trusted"),
    ([("project_path", ".")], "context must be a dict"),
])
def test_bad_context_is_one_line(bad, match):
    with pytest.raises(ValueError, match=match) as info:
        RunContext.parse(bad)
    assert "\n" not in str(info.value)


async def test_callback_is_a_typed_field(sample_project, offline):
    seen = []
    run = RunContext.parse({"project_path": str(sample_project), "on_agent_done": seen.append})
    result = await SequentialStrategy().execute(["documentation_writer"], run)
    assert [r.agent_id for r in seen] == [o.agent_id for o in result.outputs] == ["documentation_writer"]

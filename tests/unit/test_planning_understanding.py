"""Issue 28: planning that understands people — fixes anywhere in a sentence, coverage raises in any
wording, the order of steps, the whole team, German/Spanish/French, typos — and refuses what no agent does
(OutOfScopeError; `empathy compose` exits 2 with one line). Scores: bench/routing_score.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from empathy_os.orchestration import MetaOrchestrator, OutOfScopeError
from empathy_os.orchestration.intent import SPECIALITIES

from .routing_heldout import HELDOUT, HELDOUT_B, HELDOUT_C
from .routing_heldout_d import HELDOUT_D
from .routing_heldout_e import HELDOUT_E
from .routing_phrasings import COMMITS_AND_ISSUES, PLANS

ISSUE_OUT_OF_SCOPE = ["Write me a poem about caches", "Deploy to kubernetes", "Translate the README into German",
                      "Make the build reproducible and sign the wheels", "Triage the open bugs",
                      "rm -rf the build folder"]


def plan(task, **context):
    return MetaOrchestrator().analyze_and_compose(task, {"learn": False, **context})


def label(task: str) -> str:
    try:
        p = plan(task)
    except OutOfScopeError:
        return "refused"
    if p.workflow == "test_coverage_boost":
        return "boost"
    if p.workflow == "fix":
        return f"fix:{p.agents[0].id}"
    return p.domains[0] if p.domains else "quality"  # no domain named: a code review


def test_every_tuning_plan_is_right(offline):
    misses = [(task, want, got) for task, want in PLANS if (got := label(task)) != want]
    assert misses == []


def test_commit_messages_and_issue_titles_are_planned_right(offline):
    """Conventional Commits types, verb-less bug reports, dependency bumps, CI and Python-version lines."""
    misses = [(task, want, got) for task, want in COMMITS_AND_ISSUES if (got := label(task)) != want]
    assert misses == []


@pytest.mark.parametrize(("name", "rows", "floor"), [("A", HELDOUT, 0.75), ("B", HELDOUT_B, 0.75),
                                                    ("C", HELDOUT_C, 0.75), ("D", HELDOUT_D, 0.75),
                                                    ("E", HELDOUT_E, 0.90)])
def test_the_held_out_scores_are_printed(offline, name, rows, floor):
    """Blind first measurements in docs/guide/python-api.md (A 54/65, B 28/37, C 27/35, D 110/139 by the word
    lists; E 158/170 with the learned classifier, which has not been trained on E); A-D are training data since."""
    assert len(rows) >= 35 and all(source for _, _, source in rows)
    right = sum(label(task) == want for task, want, _ in rows)
    print(f"held-out {name}: {right}/{len(rows)} = {right / len(rows):.1%}")
    assert right / len(rows) >= floor


@pytest.mark.parametrize("task", ISSUE_OUT_OF_SCOPE)
def test_out_of_scope_tasks_raise_a_value_error(offline, task):
    with pytest.raises(OutOfScopeError) as caught:
        plan(task)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(f"out of scope: {caught.value.reason}; Empathy can: ")


@pytest.mark.parametrize("task", ISSUE_OUT_OF_SCOPE[:3])
def test_compose_refuses_in_one_line_with_exit_2(tmp_path, task):
    cli = [sys.executable, "-m", "empathy_os", "compose", task, "--no-learn", "--project-root", str(tmp_path)]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(cli, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("out of scope: ")
    done = subprocess.run([*cli, "--json"], capture_output=True, text=True, env=env, check=False)
    data = json.loads(done.stdout)
    assert done.returncode == 2 and data["refused"] is True and data["reason"]


def test_a_coverage_target_outside_0_100_is_a_one_line_usage_error(tmp_path):
    cli = [sys.executable, "-m", "empathy_os", "compose", "boost coverage to 150%", "--no-learn",
           "--project-root", str(tmp_path)]
    done = subprocess.run(cli, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                          check=False)
    assert done.returncode == 2
    assert done.stderr == "empathy: error: coverage target 150 % is outside 0-100 %\n"


@pytest.mark.parametrize(("task", "args"), [
    ("Bump the unit test coverage up to 85 percent please", {"target": 85.0}),
    ("We need more test coverage", {}),
    ("Augmenter la couverture de tests à 90,5 %", {"target": 90.5}),
])
def test_a_raise_of_coverage_plans_the_boost_with_its_target(offline, task, args):
    p = plan(task)
    assert (p.workflow, p.workflow_args, p.agents[0].id) == ("test_coverage_boost", args, "test_coverage_analyzer")


def test_a_question_about_coverage_is_no_boost(offline):
    assert plan("Is the test coverage above 80 %?").workflow is None
    assert plan("Test coverage to 90 %").workflow_args == {"target": 90.0}


def test_a_fix_keeps_the_rule_tool_and_file_it_names(offline):
    p = plan("Could you please get rid of E722 and F401 with ruff in app/keys.py")
    assert p.workflow == "fix" and p.agents[0].id == "code_reviewer"
    assert p.workflow_args == {"rules": ["E722", "F401"], "files": ["app/keys.py"], "agent": "code_reviewer"}
    assert "E722, F401" in p.rationale["workflow"]
    assert plan("Please resolve the bandit findings").agents[0].id == "security_auditor"
    assert plan("Review the fix in the parser").workflow is None  # a noun, not an imperative


def test_steps_run_in_the_order_given(offline):
    p = plan("Improve code quality, then write docs, then check security")
    assert p.strategy.value == "sequential"
    assert p.domains == ["quality", "documentation", "security"]
    assert [a.id for a in p.agents] == ["code_reviewer", "documentation_writer", "security_auditor"]
    p = plan("First document the API, after that look for vulnerabilities")
    assert p.domains == ["documentation", "security"] and p.strategy.value == "sequential"


def test_a_workflow_with_further_steps_says_they_are_not_run(offline):
    p = plan("Fix the lint errors in keys.py, then write the docs")
    assert p.workflow == "fix" and "workflow runs alone" in p.rationale["steps"]


@pytest.mark.parametrize("task", ["Check everything", "Run a full audit", "Run all checks on the repo"])
def test_everything_is_the_whole_team(offline, task):
    p = plan(task)
    assert p.domains == list(SPECIALITIES) and p.task_pattern == "full_audit"
    assert {a.id for a in p.agents} == {"security_auditor", "test_coverage_analyzer", "code_reviewer",
                                        "documentation_writer", "performance_optimizer", "architecture_analyst",
                                        "refactoring_specialist"}
    assert p.strategy.value == "parallel"


def test_stemming_loads_no_python_stemmer_module():
    """With PyStemmer (a dependency) `snowballstemmer` imports none of its 30 pure-Python language modules
    (~50 ms at every CLI start), and a German task needs none either."""
    code = ("import sys; from empathy_os.orchestration.lexicon import score_domains; "
            "print(score_domains('Check the login for injection'), score_domains('Prüfe die Anmeldung')); "
            "print(sorted(m for m in sys.modules if m.endswith('_stemmer')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]" and "'security'" in out


def answer(**tool_input):
    return {"tool_use": {"name": "classify_task", "input": tool_input}, "input_tokens": 180, "output_tokens": 25}


def test_the_model_may_answer_out_of_scope(fake_anthropic):
    fake_anthropic.script(answer(scope="out_of_scope", reason="booking travel", domains=[], complexity="simple"))
    with pytest.raises(OutOfScopeError, match="out of scope: booking travel; Empathy can: "):
        plan("Book me a flight to PyCon")
    schema = fake_anthropic.requests[0]["tools"][0]["input_schema"]
    assert schema["properties"]["scope"]["enum"] == ["in_scope", "out_of_scope"]
    assert "minItems" not in schema["properties"]["domains"] and "scope" in schema["required"]


def test_the_wording_refuses_even_when_the_model_would_not(fake_anthropic):
    fake_anthropic.script(answer(scope="in_scope", domains=["release"], complexity="moderate"))
    with pytest.raises(OutOfScopeError, match="deploying or operating infrastructure"):
        plan("Deploy to kubernetes")


def test_the_model_classifies_a_german_request(fake_anthropic):
    fake_anthropic.script(answer(scope="in_scope", domains=["performance"], complexity="moderate"))
    p = plan("Warum ist der Export so langsam?")
    assert p.domains == ["performance"] and p.classified_by == "model"
    assert "any language" in json.dumps(fake_anthropic.requests[0]["system"])

"""`fix --agents test_generator`: a failing test repaired by the model (the local fake Messages API, real SDK
over HTTP), judged by what the change cannot touch: only the claimed test function changes, it passes on
the unchanged code, it is not weakened, and it still fails on a mutant of the code it runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from empathy_os.analyzers import load_project, run_analyzer
from empathy_os.analyzers.contract import Finding, Severity
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind
from empathy_os.changes.patch import make_diff
from empathy_os.changes.workflow import run_fix
from empathy_os.execution import UNTRUSTED_MESSAGE
from empathy_os.llm import ModelClient

from tests.unit.changes_helpers import edit

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "brokentest"
TEST = "tests/test_core.py"
WRONG = "    assert mean([1, 2, 3, 4]) == 2\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "brokentest"
    shutil.copytree(BROKEN, dest, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return dest


def proposal(diff: str, n: int) -> dict:
    return {"tool_use": {"name": "propose_change", "input": {"explanation": f"attempt {n}", "diff": diff}},
            "input_tokens": 400, "output_tokens": 90}


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(f.relative_to(root)): f.read_bytes() for f in sorted(root.rglob("*")) if f.is_file()}


async def test_the_analyzer_reports_the_failing_test_where_pytest_does(project):
    result = await run_analyzer("failing_tests", load_project(project))
    assert result.ran, result.error
    assert result.metrics == {"tests": 2, "tests_failing": 1, "failing_test_functions": 1}
    [found] = result.findings
    assert (found.rule, found.path, found.line, found.symbol) == ("failing-test", TEST, 6, "test_mean")
    assert found.extra["nodeid"] == "tests/test_core.py::test_mean"
    assert found.message == "tests/test_core.py::test_mean: assert 2.5 == 2"  # pytest's own `E` line
    assert "def test_mean():" in found.extra["failure"]


async def test_untrusted_nothing_runs_and_nothing_is_asked(project, tmp_path, fake_anthropic):
    sentinel = tmp_path / "project-code-ran"
    (project / "tests" / "test_sentinel.py").write_text(
        f"open({str(sentinel)!r}, 'w').close()\n\n\ndef test_nothing():\n    pass\n", encoding="utf-8")
    before = snapshot(project)
    report = await run_fix(project, agents=["test_generator"], trusted=False, client=ModelClient())
    assert report.results == [] and report.targeted == []
    assert f"test_generator: failing_tests could not run: {UNTRUSTED_MESSAGE}" in report.notes
    assert fake_anthropic.requests == []
    assert not sentinel.exists() and snapshot(project) == before
    # The control: trusted, the same project's code does run (so the check above can fail).
    assert (await run_analyzer("failing_tests", load_project(project))).ran and sentinel.exists()


async def test_offline_the_failing_test_is_reported_and_repairs_need_a_model(project, offline):
    report = await run_fix(project, agents=["test_generator"])
    assert report.results == []
    [(found, why)] = report.skipped
    assert found.message == "tests/test_core.py::test_mean: assert 2.5 == 2"
    assert why == "test_generator needs a model for this finding (set ANTHROPIC_API_KEY)"


async def test_test_generator_is_not_a_default_agent(project, offline):
    report = await run_fix(project)
    assert "test_generator" not in report.agents


async def test_only_a_true_repair_is_offered_and_each_weakening_is_rejected_with_its_reason(project, fake_anthropic):
    body = "    assert mean([1, 2, 3, 4]) == 2\n    with pytest.raises(ValueError):\n        mean([])\n"
    replies = [
        edit(project, TEST, WRONG, "    mean([1, 2, 3, 4])\n"),  # the failing assert removed
        edit(project, TEST, WRONG, '    pytest.skip("flaky")\n' + WRONG),  # skipped
        edit(project, TEST, WRONG, "    assert True\n"),  # a constant assert
        edit(project, TEST, body, "    try:\n        assert mean([1, 2, 3, 4]) == 2\n        with pytest.raises(ValueError):\n"
             "            mean([])\n    except AssertionError:\n        pass\n"),  # failures swallowed
        edit(project, TEST, "def test_mean():", "@pytest.mark.xfail\ndef test_mean():"),  # expected to fail
        edit(project, "stats/core.py", "sum(values) / len(values)", "sum(values) // len(values)"),  # the code
        edit(project, TEST, "    assert clamp(2, 0, 3) == 2\n", "    assert clamp(2, 0, 3) >= 0\n"),  # another test
        edit(project, TEST, "def test_mean():", "@pytest.fixture(autouse=True)\ndef two(monkeypatch):\n"
             "    monkeypatch.setitem(globals(), 'mean', lambda values: 2)\n\n\ndef test_mean():"),  # a fixture
        # Passes, keeps its two checks, but no mutant of what it runs can make it fail.
        edit(project, TEST, body, "    assert type(mean([1, 2, 3, 4])) in (int, float, type(None))\n"
             "    with pytest.raises(ValueError):\n        raise ValueError\n"),
        edit(project, TEST, WRONG, "    assert mean([1, 2, 3, 4]) == 2.5\n"),  # the repair
    ]
    fake_anthropic.script(*[proposal(d, i) for i, d in enumerate(replies)])
    before = snapshot(project)
    report = await run_fix(project, agents=["test_generator"], client=ModelClient(), attempts_per_tier=4)

    [offered] = report.results
    assert offered.verdict.verified and offered.change.diff == replies[-1]
    assert offered.change.kind.value == "test-repair" and offered.change.tier == "PREMIUM"
    checks = {c.name: c for c in offered.verdict.checks}
    assert checks["repaired"].measured["tests"] == ["tests/test_core.py::test_mean"]
    assert checks["tests"].measured["broken"] == [] and checks["tests"].measured["tests_passed"] == 2
    bites = checks["still-bites"].measured["tests/test_core.py::test_mean"]
    assert 0 < bites["killed"] <= bites["made"]
    reasons = [a.verdict.reasons[0] for a in offered.attempts]
    assert len(reasons) == 9
    assert reasons[0].startswith("not-weakened: weakens the test: `test_mean` has fewer checks (2 → 1")
    assert reasons[1].startswith("not-weakened: weakens the test: `test_mean` gains 1 skip/xfail markers")
    assert reasons[2].startswith("not-weakened: weakens the test: `test_mean` gains 1 constant asserts")
    assert reasons[3].startswith("not-weakened: weakens the test: `test_mean` gains 1 swallowing handlers")
    assert reasons[4].startswith("tests-untouched: edits the tests that judge it: changes the decorators of "
                                 "`test_mean` in tests/test_core.py")
    assert reasons[5].startswith("scope: edits stats/core.py, which it does not claim")
    assert reasons[6].startswith("tests-untouched: edits the tests that judge it: changes `test_clamp`")
    assert reasons[7].startswith("tests-untouched: edits the tests that judge it: adds `two`: a repair may add "
                                 "imports and plain helper functions only")
    assert reasons[8].startswith("still-bites: no longer tests anything: tests/test_core.py::test_mean: 0 of 1")
    prompt = fake_anthropic.requests[0]["messages"][0]["content"]
    assert "def test_mean():" in prompt and "assert 2.5 == 2" in prompt  # the test and how it fails
    assert snapshot(project) == before  # nothing written without --apply


async def test_apply_writes_only_the_repaired_test(project, fake_anthropic):
    fake_anthropic.script(proposal(edit(project, TEST, WRONG, "    assert mean([1, 2, 3, 4]) == 2.5\n"), 0))
    before = snapshot(project)
    report = await run_fix(project, agents=["test_generator"], client=ModelClient(), apply=True)
    assert [r.change.id for r in report.results] == report.applied
    after = snapshot(project)
    assert {k for k in after if after[k] != before.get(k)} == {TEST}
    assert (await run_analyzer("failing_tests", load_project(project))).findings == []


async def test_the_model_may_say_the_test_is_right_and_the_code_wrong(project, fake_anthropic):
    fake_anthropic.script({"tool_use": {"name": "propose_change", "input": {
        "explanation": "mean([1, 2, 3, 4]) is 2.5; the test expects 2, which is wrong only if the code is", "diff": ""}},
        "input_tokens": 400, "output_tokens": 40})
    report = await run_fix(project, agents=["test_generator"], client=ModelClient())
    assert report.results == [] and len(fake_anthropic.requests) == 1  # no escalation, no change
    assert [f.symbol for f in report.unresolved] == ["test_mean"]
    assert any("tests/test_core.py:6: not repaired, the test looks right and the code wrong (CHEAP): mean(" in n
               for n in report.notes)


def repair(diff: str, symbol: str = "test_mean") -> Change:
    found = Finding(tool="failing_tests", rule="failing-test", severity=Severity.MEDIUM, path=TEST, line=6,
                    symbol=symbol, message="tests/test_core.py::test_mean: assert 2.5 == 2")
    return Change(id="r", agent="test_generator", kind=ChangeKind.REPAIR, diff=diff, findings=[found], files=[TEST])


@pytest.mark.parametrize(("new_body", "reason"), [
    ("    self_check = mean([1, 2, 3, 4])\n    assert self_check == self_check\n", "gains 1 constant asserts"),
    ("    import unittest\n    unittest.TestCase().assertEqual(mean([1]), mean([1]))\n", "gains 1 constant asserts"),
    ("    assert mean([1, 2, 3, 4]) == 2.5 or True\n", "gains 1 constant asserts"),
    ("    if mean([1, 2, 3, 4]) != 2:\n        return\n    assert mean([1, 2, 3, 4]) == 2\n", "gains 1 returns"),
    ("    import contextlib\n    with contextlib.suppress(AssertionError):\n        assert mean([1, 2, 3, 4]) == 2\n",
     "gains 1 swallowing handlers"),
    ("    try:\n        assert mean([1, 2, 3, 4]) == 2\n    except Exception:\n        pass\n", "gains 1 swallowing handlers"),
    ("    from pytest import xfail\n    xfail()\n    assert mean([1, 2, 3, 4]) == 2\n", "gains 1 skip/xfail markers"),
    ("    if 0:\n        assert mean([1, 2, 3, 4]) == 2\n", "gains 1 constant conditions"),
    ("    with pytest.raises(Exception):\n        assert mean([1, 2, 3, 4]) == 2\n", "gains 1 broad pytest.raises"),
])
async def test_each_way_of_weakening_the_repaired_test_is_named(project, new_body, reason):
    text = (project / TEST).read_text(encoding="utf-8")
    body = "    assert mean([1, 2, 3, 4]) == 2\n    with pytest.raises(ValueError):\n        mean([])\n"
    new = text.replace(body, new_body + "    with pytest.raises(ValueError):\n        mean([])\n")
    async with Verifier.for_project(project) as verifier:
        verdict = await verifier.verify(repair(make_diff(TEST, text, new)))
    assert not verdict.verified
    assert verdict.reasons[0].startswith(f"not-weakened: weakens the test: `test_mean` {reason}"), verdict.reasons


async def test_a_repair_may_not_touch_the_other_judges(project):
    text = (project / TEST).read_text(encoding="utf-8")
    fixed = text.replace(WRONG, "    assert mean([1, 2, 3, 4]) == 2.5\n")
    config = (project / "pyproject.toml").read_text(encoding="utf-8")
    cases = {
        "adds tests/conftest.py (loaded by pytest": make_diff(TEST, text, fixed) + make_diff(
            "tests/conftest.py", None, "import pytest\n"),
        "edits [tool.pytest] or [tool.coverage] in pyproject.toml": make_diff(TEST, text, fixed) + make_diff(
            "pyproject.toml", config, config.replace('testpaths = ["tests"]', 'testpaths = ["tests"]\naddopts = "-x"')),
        "does not find the test `test_median`": make_diff(TEST, text, fixed),
        # A default is evaluated at import: it could patch the code under test for every test of the module.
        "changes the defaults or annotations of `test_mean`": make_diff(TEST, text, fixed.replace(
            "def test_mean():", "def test_mean(_=setattr(stats.core, 'mean', lambda values: 2.5)):")),
    }
    async with Verifier.for_project(project) as verifier:
        for why, diff in cases.items():
            verdict = await verifier.verify(repair(diff, "test_median" if "median" in why else "test_mean"))
            assert not verdict.verified and why in verdict.reasons[0], verdict.reasons
    async with Verifier.for_project(project, trusted=False) as untrusted:
        verdict = await untrusted.verify(repair(make_diff(TEST, text, fixed)))
    assert verdict.reasons == ["repaired: not run: workspace not trusted (project code is never run)"]

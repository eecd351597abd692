"""A skipped test shows nothing: the verification report counts it as skipped, never as passed, and a suite
whose every test is skipped cannot show that a code change works."""

from __future__ import annotations

from pathlib import Path

from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind
from empathy_os.changes.suite import SuiteRun

from tests.unit.analyzer_helpers import write_project
from tests.unit.changes_helpers import edit


def test_outcomes_are_counted_apart():
    run = SuiteRun(0, "", 0.0, outcomes={"a": ["passed"], "b": ["skipped"], "c": ["failed"], "d": ["passed", "skipped"]})
    assert (run.passed, run.skipped, run.failed) == ({"a", "d"}, {"b"}, {"c"})


async def test_only_skipped_tests_verify_nothing(tmp_path: Path):
    root = write_project(tmp_path / "p", {
        "p/__init__.py": "", "p/m.py": "def f():\n    return 1\n",
        "tests/test_m.py": "import pytest\n\n\n@pytest.mark.skip(reason='later')\ndef test_f():\n    pass\n"})
    diff = edit(root, "p/m.py", "return 1", "return 2")
    async with Verifier.for_project(root) as verifier:
        verdict = await verifier.verify(Change(id="c", agent="user", kind=ChangeKind.PATCH, diff=diff))
    tests = {c.name: c for c in verdict.checks}["tests"]
    assert not verdict.verified and "no test of the project passes" in tests.detail

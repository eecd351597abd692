"""New tests as a verified change (kind `tests`, the coverage boost's kept files): only new test files, the
suite passes with them, and the source file they claim gets fewer statements left unrun (coverage.py)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import empathy_os.workflows  # noqa: F401 - registers the boost proposer, as the CLI and the daemon do
import pytest
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind
from empathy_os.changes.patch import make_diff
from empathy_os.changes.workflow import run_fix

from tests.unit.changes_helpers import copy_fixproj, edit


@pytest.fixture
def fixproj(tmp_path: Path) -> Path:
    root = copy_fixproj(tmp_path)
    (root / "calc" / "extra.py").write_text('"""Untested."""\n\n\ndef triple(x):\n    return 3 * x\n', encoding="utf-8")
    return root


def new_tests(path: str, body: str, improves: list[str], n: str) -> Change:
    return Change(id=n, agent="test_coverage_analyzer", kind=ChangeKind.TESTS, diff=make_diff(path, None, body),
                  files=[path], improves=improves)


async def test_new_tests_must_add_only_test_files_pass_and_cover_more(fixproj: Path):
    covers = "from calc.extra import triple\n\n\ndef test_triple():\n    assert triple(2) == 6\n"
    before = {p: p.read_bytes() for p in fixproj.rglob("*") if p.is_file()}
    async with Verifier.for_project(fixproj) as verifier:
        good = await verifier.verify(new_tests("tests/test_extra_generated.py", covers, ["calc/extra.py"], "good"))
        weak = await verifier.verify(new_tests("tests/test_weak.py", "def test_nothing():\n    assert True\n",
                                               ["calc/extra.py"], "weak"))
        failing = await verifier.verify(new_tests(
            "tests/test_bad.py", "from calc.extra import triple\n\n\ndef test_triple():\n    assert triple(2) == 5\n",
            ["calc/extra.py"], "failing"))
        edits_old = Change(id="old", agent="test_coverage_analyzer", kind=ChangeKind.TESTS, improves=["calc/extra.py"],
                           diff=edit(fixproj, "tests/test_parse.py", "def test_load():",
                                     "def test_triple():\n    from calc.extra import triple\n    assert triple(1) == 3\n\n\n"
                                     "def test_load():"))
        touched_old = await verifier.verify(edits_old)
    assert good.verified, good.reasons
    assert [c.name for c in good.checks][-4:] == ["tests", "additions", "coverage", "coverage-gain"]
    gain = good.measurements()["coverage-gain"]["calc/extra.py"]
    assert gain["missing_before"] == 2 and gain["missing_after"] == 0  # `def triple` runs on import: 2 unrun lines
    assert good.touched == ["tests/test_extra_generated.py"]
    assert not weak.verified and weak.reasons == [
        "coverage-gain: no fewer statements left unrun in calc/extra.py; calc/extra.py 2 → 2 missed"]
    assert not failing.verified and any(r.startswith("additions: new test(s) fail on the changed code: ")
                                        and "test_triple" in r for r in failing.reasons)
    assert not touched_old.verified
    assert touched_old.reasons == ["new-tests-only: changes existing file(s) tests/test_parse.py"]
    assert {p: p.read_bytes() for p in fixproj.rglob("*") if p.is_file()} == before  # the project untouched


async def test_the_boost_is_a_proposer_through_the_same_engine(sample_project: Path, offline):
    report = await run_fix(sample_project, agents=["test_coverage_analyzer"],
                           paths=["inventory/pricing.py:tax_amount"], apply=True)
    [result] = report.results
    change, verdict = result.change, result.verdict
    assert change.kind == ChangeKind.TESTS and change.improves == ["inventory/pricing.py"]
    assert verdict.verified, verdict.reasons
    assert verdict.touched == ["tests/test_pricing_generated.py"]
    gain = verdict.measurements()["coverage-gain"]["inventory/pricing.py"]
    assert gain["missing_after"] < gain["missing_before"]
    assert report.applied == [change.id]
    assert "def test_" in (sample_project / "tests" / "test_pricing_generated.py").read_text(encoding="utf-8")
    run = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                                  cwd=sample_project, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-2000:]


async def test_the_boost_runs_only_when_named(fixproj: Path, offline):
    report = await run_fix(fixproj, rules=["F401"])
    assert "test_coverage_analyzer" not in report.agents
    with pytest.raises(ValueError, match="expected code_reviewer, .*test_coverage_analyzer"):
        await run_fix(fixproj, agents=["boost"])

"""Hostile config, no false rejections (issue 23 §7): a project whose pytest `addopts` asks for `--debug`, a
JUnit report and a log file (tests/fixtures/hostile/debug-addopts), or whose tox.ini turns pytest-cov's HTML
and XML reports on (hostile/cov-html-tox). Every run of its tests, in the project or in a private copy, gets
the same neutralising options (analyzers._pytest.neutral_args): nothing is written into the project or the
copy, so a valid change is verified and a boost candidate is not blamed for the runner's files."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from empathy_os.analyzers import load_project, run_analyzer
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind
from empathy_os.changes.workflow import run_fix
from empathy_os.testgen.measure import run_batch
from empathy_os.testgen.sandbox import Sandbox, tree_hashes

from tests.support.tree import assert_unchanged, snapshot

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
CASES = ["debug-addopts", pytest.param("cov-html-tox", marks=pytest.mark.skipif(
    importlib.util.find_spec("pytest_cov") is None, reason="pytest-cov (a dev dependency) is not installed"))]
STRAY = ("pytestdebug.log", "report.xml", "x.log", "htmlcov", "coverage.xml", ".coverage")


def project(case: str, tmp_path: Path) -> Path:
    dest = tmp_path / case
    shutil.copytree(HOSTILE / case / "project", dest)
    return dest


def strays(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.name in STRAY)


@pytest.mark.parametrize("case", CASES)
async def test_a_valid_change_is_verified_and_nothing_is_left_behind(case: str, tmp_path: Path):
    root = project(case, tmp_path)
    before = snapshot(root)
    diff = (HOSTILE / case / "valid-fix.diff").read_text(encoding="utf-8")
    async with Verifier.for_project(root) as verifier:
        verdict = await verifier.verify(Change(id="fix", agent="code_reviewer", kind=ChangeKind.PATCH, diff=diff,
                                               files=["addlib/ops.py"]))
        copy_strays = strays(verifier.sandbox.copy)
    assert verdict.verified, verdict.reasons
    assert verdict.touched == ["addlib/ops.py"]
    assert copy_strays == []
    assert_unchanged(root, before)


@pytest.mark.parametrize("case", CASES)
async def test_fix_verifies_a_ruff_fix_and_the_coverage_analyzer_writes_nothing(case: str, tmp_path: Path, offline):
    root = project(case, tmp_path)
    before = snapshot(root)
    report = await run_fix(root, rules=["F401"])
    [result] = report.results
    assert result.verdict.verified, result.verdict.reasons
    coverage = await run_analyzer("coverage", load_project(root))
    assert coverage.ran, coverage.error
    assert coverage.metrics["tests_passed"] == 2
    assert_unchanged(root, before)


@pytest.mark.parametrize("case", CASES)
async def test_boost_candidate_runs_are_not_blamed_for_the_runners_files(case: str, tmp_path: Path):
    root = project(case, tmp_path)
    sandbox = Sandbox.create(root, sys.executable)
    try:
        pristine = tree_hashes(sandbox.copy)
        batch = await run_batch(sandbox, ["tests/test_extra.py"], ["addlib/extra.py"])
        assert batch.error is None, batch.output[-1500:]
        assert batch.outcomes == {"tests/test_extra.py::test_twice": ["passed"] * 3}
        assert batch.writes == {}
        assert tree_hashes(sandbox.copy) == pristine
    finally:
        sandbox.cleanup()

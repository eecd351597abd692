"""The boost on the layouts real projects use: src layout installed in editable mode, `.pytest.ini` config."""

from __future__ import annotations

import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from empathy_os.analyzers import load_project, run_analyzer
from empathy_os.analyzers._pytest import unittest_only_args
from empathy_os.workflows.test_coverage_boost import TestCoverageBoostWorkflow

CALC = '''def clamp(x: int, low: int, high: int) -> int:
    if x < low:
        return low
    if x > high:
        return high
    return x


def double(x: int) -> int:
    return x * 2
'''


def src_project(root: Path) -> Path:
    (root / "src" / "calc").mkdir(parents=True)
    (root / "src" / "calc" / "__init__.py").write_text(CALC)
    (root / "tests").mkdir()
    (root / "tests" / "test_calc.py").write_text("from calc import double\n\n\ndef test_double():\n"
                                                 "    assert double(2) == 4\n")
    return root


async def boost(root: Path, python: str | None = None):
    report = await TestCoverageBoostWorkflow(target=100).execute(
        root, only="src/calc/__init__.py:clamp", dry_run=True, python=python)
    assert report.refused is None, report.refused
    return report


@pytest.fixture
def no_key(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)


@pytest.mark.usefixtures("no_key")
async def test_pytest_ini_dotfile_config_is_found(tmp_path):
    """`.pytest.ini` holds `pythonpath = src`: without it the suite cannot even import the package."""
    root = src_project(tmp_path / "proj")
    (root / ".pytest.ini").write_text("[pytest]\npythonpath = src\n")
    report = await boost(root)
    assert report.kept and report.coverage_after > report.coverage_before
    assert all(v.strength and v.strength.killed for v in report.kept)


@pytest.mark.usefixtures("no_key")
async def test_editable_src_layout_is_measured_in_the_copy(tmp_path):
    """The package is importable only through an editable install (a .pth entry pointing at the real
    project's src/, as pip's editable installs write); the kept tests must still count, measured on the
    copy's files (the issue: 0 of 12 kept, 'never imported by the test')."""
    root = src_project(tmp_path / "proj")
    env = tmp_path / "venv"
    venv.create(env, with_pip=False, symlinks=True)
    site = next((env / "lib").glob("python3*/site-packages"))
    (site / "__editable__calc.pth").write_text(str(root / "src") + "\n")
    (site / "_tools.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # pytest, coverage, hypothesis
    report = await boost(root, python=str(env / "bin" / "python"))
    assert str(env / "bin" / "python") in report.interpreter
    assert report.kept, [(v.reason.value, v.detail[:200]) for v in report.verdicts]
    assert report.coverage_after > report.coverage_before


UNITTEST_SUITE = '''import unittest

from calc import double


class DoubleTest(unittest.TestCase):
    def test_double(self):
        self.assertEqual(double(2), 4)
'''


@pytest.mark.usefixtures("no_key")
async def test_a_unittest_suite_in_tests_py_is_collected(tmp_path):
    """pytest's default pattern skips `tests.py`; the baseline must run it, not call the project 0 %."""
    root = tmp_path / "proj"
    (root / "calc").mkdir(parents=True)
    (root / "calc" / "__init__.py").write_text(CALC)
    (root / "tests.py").write_text(UNITTEST_SUITE)
    assert unittest_only_args(root) == ["-o", "python_files=test_*.py *_test.py test.py tests.py"]
    result = await run_analyzer("coverage", load_project(root, python=sys.executable))
    assert result.ran, result.error
    assert result.metrics["tests_passed"] == 1 and result.metrics["pytest_exit_code"] == 0
    assert result.metrics["coverage_percent"] > 0
    # The project's own choice stands: a config that sets python_files gets nothing added.
    (root / "pytest.ini").write_text("[pytest]\npython_files = check_*.py\n")
    assert unittest_only_args(root) == []
    (root / "pytest.ini").unlink()
    (root / "test_more.py").write_text("def test_x():\n    pass\n")
    assert unittest_only_args(root) == []  # pytest collects something already: left alone

"""The test run's interpreter started early (CLI release prep): taken only by the coverage analyzer of the
same interpreter and root, measures what a normal run measures, starts nothing untrusted, and runs no
project code until it is handed the driver."""

from __future__ import annotations

import time

import pytest
from empathy_os import early_tests

from tests.unit.analyzer_helpers import PY, analyze, write_project
from tests.unit.test_coverage_run_cost import FILES


@pytest.fixture(autouse=True)
def nothing_left_waiting():
    yield
    early_tests.stop()


def test_the_coverage_analyzer_takes_it_and_measures_the_same(tmp_path):
    root = write_project(tmp_path / "p", FILES).resolve()
    normal = analyze("coverage", root, python=PY)
    early_tests.start(root, PY, True)
    early = early_tests._waiting
    assert early is not None and early.proc.poll() is None
    result = analyze("coverage", root, python=PY)
    assert early_tests._waiting is None and early.proc.returncode is not None  # taken, ran, ended
    assert result.ran, result.error
    assert result.metrics == normal.metrics
    assert [(f.symbol, f.extra) for f in result.findings] == [(f.symbol, f.extra) for f in normal.findings]


@pytest.mark.parametrize("trusted", [False, None, "yes", 1])
def test_an_untrusted_workspace_starts_nothing(tmp_path, trusted):
    root = write_project(tmp_path / "p", FILES).resolve()
    early_tests.start(root, PY, trusted)
    assert early_tests._waiting is None


def test_another_interpreter_or_root_does_not_take_it(tmp_path):
    root = write_project(tmp_path / "p", FILES).resolve()
    early_tests.start(root, PY, True)
    first = early_tests._waiting
    assert early_tests.take("/usr/bin/some-other-python", root) is None
    assert first.proc.poll() is not None  # stopped, not left waiting
    early_tests.start(root, PY, True)
    second = early_tests._waiting
    assert early_tests.take(PY, root / "elsewhere") is None
    assert second.proc.poll() is not None


def test_no_project_code_runs_before_the_driver_is_handed_over(tmp_path):
    # Files that would run if the interpreter imported from the project folder (a `coverage` or `pytest`
    # standing in for the real ones) or collected tests.
    marker = tmp_path / "RAN"
    code = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n"
    root = write_project(tmp_path / "p", {**FILES, "coverage.py": code, "pytest/__init__.py": code,
                                           "conftest.py": code}).resolve()
    early_tests.start(root, PY, True)
    early = early_tests._waiting
    time.sleep(1.5)  # time enough to import coverage and pytest, and to wait on stdin
    assert early.proc.poll() is None
    early_tests.stop()
    assert early.proc.poll() is not None
    assert not marker.exists()

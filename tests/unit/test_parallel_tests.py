"""The suite on more than one core (pytest-xdist): the coverage figure equals the serial run's (issue 14)."""

from __future__ import annotations

import pytest

from tests.unit.analyzer_helpers import analyze, leftovers, write_project

pytest.importorskip("xdist")  # a dev dependency (pyproject [dev]); CI installs it

LIB = {
    "calc/__init__.py": "",
    "calc/ops.py": ("def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    if a < b:\n        return -(b - a)\n"
                    "    return a - b\n\n\ndef unused():\n    return 0\n"),
    "tests/test_add.py": "from calc.ops import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "tests/test_sub.py": ("from calc.ops import sub\n\n\ndef test_sub():\n    assert sub(3, 1) == 2\n\n\n"
                          "def test_sub_negative():\n    assert sub(1, 3) == -2\n"),
}


def figures(result):
    m = result.metrics
    return m["coverage_percent"], m["covered_lines"], m["missing_lines"], m["tests_passed"]


def test_parallel_figure_equals_the_serial_one(tmp_path):
    serial = analyze("coverage", write_project(tmp_path / "serial", LIB))
    root = write_project(tmp_path / "parallel", LIB)
    parallel = analyze("coverage", root, overrides={"parallel_tests": 2})
    assert serial.ran and parallel.ran, (serial.error, parallel.error)
    assert figures(parallel) == figures(serial)
    assert figures(serial)[3] == 3 and 0 < figures(serial)[0] < 100  # unused() is never run
    assert "pytest-xdist with 2 workers" in parallel.error and "no per-test data" in parallel.error
    assert not serial.error or "parallel" not in serial.error
    assert leftovers(root) == []  # the workers' data files went to our temp folder


def test_the_projects_own_n_is_measured_not_lost(tmp_path):
    # Before: `addopts = -n 2` ran the tests in workers coverage never saw (every line "missed").
    serial = analyze("coverage", write_project(tmp_path / "serial", LIB))
    root = write_project(tmp_path / "own", {**LIB, "pytest.ini": "[pytest]\naddopts = -n 2\n"})
    own = analyze("coverage", root)
    assert own.ran, own.error
    assert figures(own) == figures(serial)
    assert "as the project's addopts ask" in own.error
    assert leftovers(root) == []


@pytest.mark.parametrize("value", ["many", -3, 1.5])
def test_a_bad_setting_is_a_clear_error(tmp_path, value):
    result = analyze("coverage", write_project(tmp_path / "p", LIB), overrides={"parallel_tests": value})
    assert not result.ran and "parallel_tests must be true, false" in result.error


def test_subtests_do_not_inflate_the_test_count(tmp_path):
    # pytest 9 adds each subtest to the JUnit suite's totals; pytest -q says "1 passed, 3 subtests passed".
    root = write_project(tmp_path / "p", {
        "calc/__init__.py": "def double(x):\n    return 2 * x\n",
        "tests/test_calc.py": ("from calc import double\n\n\ndef test_double(subtests):\n    for x in (1, 2, 3):\n"
                               "        with subtests.test(x=x):\n            assert double(x) == 2 * x\n"),
    })
    result = analyze("coverage", root, overrides={"parallel_tests": 2})  # counted from pytest's JUnit report
    assert result.ran, result.error
    assert result.metrics["tests_passed"] == 1

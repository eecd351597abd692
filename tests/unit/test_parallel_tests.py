"""The suite on more than one core (pytest-xdist): the coverage figure equals the serial run's (issue 14)."""

from __future__ import annotations

import json

import pytest
from empathy_os.analyzers import parallel_tests
from empathy_os.analyzers.parallel_tests import AUTO_MIN_TESTS
from empathy_os.analyzers.project import load_project

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


# At least AUTO_MIN_TESTS test functions: xdist is used because it is installed, without being asked for.
MANY = {
    **LIB,
    "tests/test_many.py": "from calc.ops import add, sub\n\n\n" + "".join(
        f"def test_case_{i}():\n    assert {'add' if i % 2 else 'sub'}({i}, 1) == {i + 1 if i % 2 else i - 1}\n\n\n"
        for i in range(AUTO_MIN_TESTS)),
}


def coverage_map(root):
    return json.loads((root / ".empathy" / "cache" / "coverage-map.json").read_text())


@pytest.fixture
def three_cpus(monkeypatch):
    # Unrequested xdist leaves a CPU to the other agents: it needs 3 CPUs (2 workers); CI may have 2.
    monkeypatch.setattr(parallel_tests.os, "cpu_count", lambda: 3)


def test_no_unrequested_xdist_without_a_spare_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_tests.os, "cpu_count", lambda: 2)
    assert parallel_tests.parallel_plan(load_project(write_project(tmp_path / "p", MANY))) is None


@pytest.mark.usefixtures("three_cpus")
def test_installed_xdist_runs_a_large_suite_in_parallel_with_the_same_per_test_data(tmp_path):
    auto = write_project(tmp_path / "auto", MANY)
    parallel = analyze("coverage", auto, use_cache=True)
    serial = write_project(tmp_path / "serial", {**MANY, "pyproject.toml": "[tool.empathy]\nparallel_tests = 0\n"})
    alone = analyze("coverage", serial, use_cache=True)
    assert parallel.ran and alone.ran, (parallel.error, alone.error)
    assert "it is installed in the project's interpreter" in parallel.error
    assert "no per-test data" not in parallel.error and "parallel" not in (alone.error or "")
    assert figures(parallel) == figures(alone) and figures(alone)[3] == AUTO_MIN_TESTS + 3
    # Each test's lines, recorded in the xdist worker that ran it, equal the serial run's.
    ours, theirs = coverage_map(auto), coverage_map(serial)
    assert ours["tests"] == theirs["tests"] and ours["imports"] == theirs["imports"]
    assert leftovers(auto) == []


@pytest.mark.usefixtures("three_cpus")
def test_a_suite_failing_only_under_xdist_gets_its_serial_result(tmp_path):
    # This suite is not parallel-safe (it insists on running in the main process). Nobody asked for xdist,
    # so its failure there must not become the report.
    root = write_project(tmp_path / "p", {**MANY, "tests/test_serial_only.py": (
        # xdist's own mark of a worker (not its environment variable: our own suite may run under xdist too)
        "def test_not_in_a_worker(request):\n    assert not hasattr(request.config, 'workerinput')\n")})
    result = analyze("coverage", root, use_cache=True)
    assert result.ran, result.error
    assert result.metrics["tests_failed"] == 0 and result.metrics["tests_passed"] == AUTO_MIN_TESTS + 4
    assert "under pytest-xdist (1 failed, 0 error(s)), so the suite was run again serially" in result.error
    # Asked for explicitly, the parallel run is the report (the project said its suite is parallel-safe).
    asked = analyze("coverage", root, overrides={"parallel_tests": 2})
    assert asked.metrics["tests_failed"] == 1

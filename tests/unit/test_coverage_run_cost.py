"""What makes the coverage agent's test run cheaper must not change what it measures or where it writes:
bytecode cached in the user's cache folder (never in the project), per-test contexts kept in memory and
the report made from one context-free copy of the data."""

from __future__ import annotations

import pytest

from tests.unit.analyzer_helpers import analyze, leftovers, write_project
from tests.unit.test_analyzers_coverage import coverage_by_hand

FILES = {
    "pyproject.toml": "[tool.coverage.run]\nbranch = true\nsource = ['lib']\n",
    "lib/__init__.py": "",
    "lib/m.py": "def f(x):\n    if x:\n        return 1\n    return 2\n\n\ndef g(items):\n"
                "    total = 0\n    for i in items:\n        if i > 2:\n            total += i\n    return total\n",
    "lib/unused.py": "def never():\n    return 'no test imports this module'\n",
    "tests/test_f.py": "from lib.m import f\n\ndef test_f():\n    assert f(1) == 1\n",
    "tests/test_g.py": "import pytest\nfrom lib.m import g\n\n@pytest.mark.parametrize('n', [1, 2])\n"
                       "def test_g(n):\n    assert g([n]) == 0\n",
}


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "empathy" / "pycache"


def _pyc_names(folder):
    return sorted(p.name for p in folder.rglob("*.pyc")) if folder.exists() else []


def test_bytecode_is_cached_outside_the_project_and_reused(tmp_path, cache_home):
    root = write_project(tmp_path / "p", FILES)
    first = analyze("coverage", root)
    assert first.ran, first.error
    assert list(root.rglob("__pycache__")) == [] and list(root.rglob("*.pyc")) == []
    assert leftovers(root) == []
    names = _pyc_names(cache_home)
    # pytest's rewritten test modules (their name carries pytest's tag) and the project's own module
    assert any(n.startswith("test_f.") and "pytest" in n for n in names), names
    assert any(n.startswith("m.cpython") for n in names), names
    stamps = {p: p.stat().st_mtime_ns for p in cache_home.rglob("test_f.*.pyc")}
    again = analyze("coverage", root)
    assert again.metrics == first.metrics
    assert {p: p.stat().st_mtime_ns for p in cache_home.rglob("test_f.*.pyc")} == stamps  # read, not rewritten


def test_bytecode_cache_can_be_turned_off(tmp_path, cache_home):
    root = write_project(tmp_path / "p", {**FILES, "pyproject.toml": FILES["pyproject.toml"]
                                          + "\n[tool.empathy]\nbytecode_cache = false\n"})
    result = analyze("coverage", root)
    assert result.ran, result.error
    assert _pyc_names(cache_home) == []
    assert list(root.rglob("__pycache__")) == []


def test_per_test_data_gives_the_same_report_as_a_plain_run_and_as_coverage_by_hand(tmp_path, cache_home):
    root = write_project(tmp_path / "p", FILES)
    plain = analyze("coverage", root)  # no cache: no per-test contexts
    per_test = analyze("coverage", root, use_cache=True)  # contexts in memory, report from the flat copy
    assert plain.ran and per_test.ran, (plain.error, per_test.error)
    assert per_test.metrics["tests_passed"] == plain.metrics["tests_passed"] == 3
    keys = ["coverage_percent", "line_percent", "branch_percent", "files_measured", "num_statements",
            "covered_lines", "missing_lines", "num_branches"]
    assert {k: per_test.metrics[k] for k in keys} == {k: plain.metrics[k] for k in keys}
    assert plain.metrics["files_measured"] == 3  # lib/unused.py, which no test imports, is counted too
    assert [(f.symbol, f.extra) for f in per_test.findings] == [(f.symbol, f.extra) for f in plain.findings]
    assert {f.symbol for f in plain.findings} >= {"f", "g", "never"}
    by_hand = coverage_by_hand(root, tmp_path)
    assert abs(per_test.metrics["coverage_percent"] - by_hand) <= 0.01


def test_static_analysis_runs_at_a_lower_priority_than_the_tests(tmp_path):
    import asyncio
    import os
    import sys
    import threading

    from empathy_os.proc import BACKGROUND_NICE, in_background, run_tool

    def my_priority():
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = my_priority()

    async def scenario():
        tool = await run_tool([sys.executable, "-c", "import os; print(os.nice(0))"], tmp_path, background=True)
        plain = await run_tool([sys.executable, "-c", "import os; print(os.nice(0))"], tmp_path)
        return int(tool.stdout), int(plain.stdout), await in_background(my_priority), my_priority()

    tool, plain, thread, loop_thread = asyncio.run(scenario())
    assert tool == max(before, BACKGROUND_NICE) and plain == before
    if sys.platform.startswith("linux"):  # a priority per thread: only the analysis thread is lowered
        assert thread == max(before, BACKGROUND_NICE)
    assert loop_thread == before

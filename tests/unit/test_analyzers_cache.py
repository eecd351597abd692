"""The incremental cache and the run_analyzer entry point."""

from __future__ import annotations

import asyncio

import pytest
from empathy_os.analyzers import REGISTRY, run_analyzer
from empathy_os.analyzers.project import load_project

from tests.unit.analyzer_helpers import analyze, copy_sample, write_project


def test_every_analyzer_is_registered():
    assert set(REGISTRY) >= {"coverage", "bandit", "ruff", "radon", "docstrings", "import_graph",
                             "test_durations", "code_smells"}


@pytest.mark.parametrize("name", ["bandit", "ruff", "radon", "docstrings", "code_smells", "import_graph"])
def test_static_hit_then_miss_after_edit(tmp_path, name):
    root = copy_sample(tmp_path / "s")
    cold = analyze(name, root, use_cache=True)
    warm = analyze(name, root, use_cache=True)
    assert not cold.cached and warm.cached
    assert warm.metrics == cold.metrics and warm.findings == cold.findings
    with open(root / "inventory" / "pricing.py", "a", encoding="utf-8") as fh:
        fh.write("\n\ndef added(a, b):\n    return eval(a) == None\n")
    edited = analyze(name, root, use_cache=True)
    assert not edited.cached


def test_coverage_cache_follows_tests_and_sources(tmp_path):
    root = copy_sample(tmp_path / "s")
    cold = analyze("coverage", root, use_cache=True)
    warm = analyze("coverage", root, use_cache=True)
    assert warm.cached and warm.metrics["coverage_percent"] == cold.metrics["coverage_percent"]
    (root / "tests" / "test_tax.py").write_text(
        "from inventory.pricing import tax_amount\n\n\ndef test_tax():\n    assert tax_amount(10.0) == 2.0\n")
    after_test = analyze("coverage", root, use_cache=True)
    assert not after_test.cached
    assert after_test.metrics["coverage_percent"] > cold.metrics["coverage_percent"]
    tax = next(f for f in after_test.findings if f.symbol == "tax_amount")
    assert tax.extra["missing_lines"] == [29]  # only the raise is left uncovered
    # a static analyzer's cache does not care about test files
    analyze("bandit", root, use_cache=True)
    (root / "tests" / "test_more.py").write_text("def test_nothing():\n    pass\n")
    assert analyze("bandit", root, use_cache=True).cached


def test_settings_are_part_of_the_key(tmp_path):
    root = copy_sample(tmp_path / "s")
    analyze("bandit", root, use_cache=True)
    other = analyze("bandit", root, use_cache=True, overrides={"critical_min_confidence": "HIGH"})
    assert not other.cached


def test_corrupt_entry_is_ignored(tmp_path):
    root = copy_sample(tmp_path / "s")
    first = analyze("radon", root, use_cache=True)
    entry = root / ".empathy" / "cache" / "radon.json"
    entry.write_text('{"key": "trunc', encoding="utf-8")
    again = analyze("radon", root, use_cache=True)
    assert again.ran and not again.cached and again.metrics == first.metrics
    assert analyze("radon", root, use_cache=True).cached  # rewritten whole
    assert not list(entry.parent.glob("*.tmp"))


def test_failed_runs_are_not_cached(tmp_path):
    (tmp_path / "empty").mkdir()
    analyze("bandit", tmp_path / "empty", use_cache=True)
    assert not (tmp_path / "empty" / ".empathy" / "cache" / "bandit.json").exists()


def test_unknown_analyzer_is_a_result_not_an_exception(tmp_path):
    result = asyncio.run(run_analyzer("nope", load_project(tmp_path)))
    assert not result.ran and "unknown analyzer 'nope'" in result.error


def test_analyzer_crash_becomes_a_result(tmp_path, monkeypatch):
    async def boom(ctx):
        raise RuntimeError("tool exploded")

    monkeypatch.setitem(REGISTRY, "boom", boom)
    result = asyncio.run(run_analyzer("boom", load_project(tmp_path)))
    assert not result.ran and result.error == "boom failed: RuntimeError: tool exploded"


def test_two_projects_give_different_results(tmp_path):
    sample = copy_sample(tmp_path / "s")
    other = write_project(tmp_path / "o", {
        "tool/__init__.py": '"""A tool."""\n\n\ndef run(cmd):\n    """Run it."""\n    import os\n'
                            '    return os.system(cmd)\n',
    })
    for name in ("bandit", "docstrings", "radon"):
        a = analyze(name, sample, use_cache=True)
        b = analyze(name, other, use_cache=True)
        assert a.metrics != b.metrics and not b.cached
    assert analyze("docstrings", other).metrics["doc_coverage_percent"] == 100.0

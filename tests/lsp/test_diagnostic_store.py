"""The diagnostic store in process (no server): which findings are current for a file, and what changed."""

from __future__ import annotations

from pathlib import Path

from empathy_os.analyzers.contract import Finding
from empathy_os.lsp.diagnostics import COVERAGE_GAP, DiagnosticStore, severity_of
from lsprotocol import types


def _f(tool: str, rule: str, path: str = "pkg/a.py", line: int = 1, **kw) -> Finding:
    return Finding(tool=tool, rule=rule, severity=kw.pop("severity", "medium"), path=path, line=line,
                   message=kw.pop("message", rule), **kw)


def _rules(store: DiagnosticStore, path: Path) -> list[str]:
    return sorted(f"{f.tool}:{f.rule}" for f in store.current(path))


def test_a_project_run_replaces_the_previous_one_for_its_root_only(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    store = DiagnosticStore()
    store.set_project(one, [_f("bandit", "B602"), _f("ruff", "F401", path="pkg/b.py")])
    store.set_project(two, [_f("ruff", "E501")])
    changed = store.set_project(one, [_f("bandit", "B324")])
    # b.py lost its finding, a.py changed: both must be re-published (b.py with an empty list).
    assert changed == {str((one / "pkg/a.py").resolve()), str((one / "pkg/b.py").resolve())}
    assert _rules(store, one / "pkg/a.py") == ["bandit:B324"]
    assert _rules(store, one / "pkg/b.py") == []
    assert _rules(store, two / "pkg/a.py") == ["ruff:E501"], "another workspace's findings stay"


def test_a_per_file_run_wins_for_its_tool_until_the_next_project_run(tmp_path):
    store = DiagnosticStore()
    path = tmp_path / "pkg/a.py"
    store.set_project(tmp_path, [_f("bandit", "B602"), _f("radon", "complexity"), _f("ruff", "F401")])
    store.set_live(path, "bandit", [])  # the user fixed the shell=True call and saved
    assert _rules(store, path) == ["radon:complexity", "ruff:F401"]
    store.set_live(path, "ruff", [_f("ruff", "E711")])
    assert _rules(store, path) == ["radon:complexity", "ruff:E711"]
    # A newer project run measured the file again: it is the truth now.
    changed = store.set_project(tmp_path, [_f("bandit", "B602")])
    assert str(path.resolve()) in changed
    assert _rules(store, path) == ["bandit:B602"]


def test_generated_tests_close_or_narrow_a_coverage_gap(tmp_path):
    store = DiagnosticStore()
    path = tmp_path / "pkg/a.py"
    gaps = [_f("coverage", COVERAGE_GAP, symbol="f", extra={"missing_lines": [3, 4, 5]}),
            _f("coverage", COVERAGE_GAP, symbol="g", extra={"missing_lines": [10, 11]})]
    store.set_project(tmp_path, [*gaps, _f("bandit", "B602", line=4)])
    assert store.cover_lines(path, {3, 4}) is True
    by_symbol = {f.symbol: f for f in store.current(path) if f.rule == COVERAGE_GAP}
    assert by_symbol["f"].extra["missing_lines"] == [5] and "lines 5 still not covered" in by_symbol["f"].message
    assert by_symbol["g"].extra["missing_lines"] == [10, 11]
    assert store.cover_lines(path, {5, 10, 11}) is True
    assert _rules(store, path) == ["bandit:B602"], "closed gaps go; other findings on those lines stay"
    assert store.cover_lines(path, {99}) is False


def test_severity_mapping():
    S = types.DiagnosticSeverity
    assert severity_of(_f("bandit", "B602", severity="critical")) == S.Error
    assert severity_of(_f("bandit", "B101", severity="low")) == S.Warning
    assert severity_of(_f("ruff", "F401", severity="medium")) == S.Warning
    assert severity_of(_f("ruff", "E501", severity="low")) == S.Information
    assert severity_of(_f("coverage", COVERAGE_GAP, severity="high")) == S.Information
    assert severity_of(_f("docstrings", "missing-docstring", severity="low")) == S.Hint

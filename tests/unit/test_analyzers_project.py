"""load_project and the file selection every analyzer shares."""

from __future__ import annotations

import sys

import pytest
from empathy_os.analyzers.project import load_project, packages, source_files, test_files

from tests.unit.analyzer_helpers import write_project


def test_missing_path_and_file_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_project(tmp_path / "nope")
    (tmp_path / "f.py").write_text("x = 1\n")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        load_project(tmp_path / "f.py")


def test_broken_pyproject_is_a_clear_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.empathy\n")
    with pytest.raises(ValueError, match="cannot read .*pyproject.toml"):
        load_project(tmp_path)


def test_settings_from_pyproject_and_overrides(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.empathy]\npython = ".venv/bin/python"\nmax_parameters = 3\ncritical_min_confidence = "LOW"\n')
    ctx = load_project(tmp_path, overrides={"max_parameters": 7, "ignored": None}, check_python=False)
    assert ctx.python == str(tmp_path.resolve() / ".venv/bin/python")
    with pytest.raises(ValueError, match=r"\.venv/bin/python does not exist .*\[tool\.empathy\] python"):
        load_project(tmp_path)
    assert ctx.settings == {"python": ".venv/bin/python", "max_parameters": 7, "critical_min_confidence": "LOW"}
    assert load_project(tmp_path, python=sys.executable).python == sys.executable
    assert load_project(tmp_path, trusted=False).trusted is False


def test_file_selection(tmp_path):
    root = write_project(tmp_path / "p", {
        "src/pkg/__init__.py": "", "src/pkg/core.py": "", "tool.py": "",
        "tests/test_core.py": "", "src/pkg/core_test.py": "", "conftest.py": "",
        ".venv/lib/x.py": "", "venv2/lib/y.py": "", "venv2/pyvenv.cfg": "",
        "build/lib/pkg.py": "", "node_modules/a/b.py": "", ".empathy/c.py": "", ".hidden/d.py": "",
        "pkg.egg-info/e.py": "",
    })
    ctx = load_project(root)
    rel = lambda ps: sorted(p.relative_to(ctx.root).as_posix() for p in ps)
    assert rel(source_files(ctx)) == ["src/pkg/__init__.py", "src/pkg/core.py", "tool.py"]
    assert rel(test_files(ctx)) == ["conftest.py", "src/pkg/core_test.py", "tests/test_core.py"]
    assert packages(ctx) == ["src/pkg"]
    ctx.only_files = [root / "tool.py"]
    assert rel(source_files(ctx)) == ["tool.py"]

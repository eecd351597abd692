"""Which tests a change affects (coverage_map.plan), on per-test data shaped as a real run stores it.

The end-to-end proof that the merged figure equals a full run is tests/lsp/test_live_coverage.py; these
pin each rule of the planner, including the ones that must fall back to running every test."""

from __future__ import annotations

from pathlib import Path

import pytest
from empathy_os.analyzers import coverage_map as cmap
from empathy_os.analyzers.contract import ProjectContext

SOURCE = '''"""Module."""

LIMIT = 3


def first(x):
    if x > LIMIT:
        return 1
    return 0


def second(x):
    return x * 2
'''


@pytest.fixture
def project(tmp_path: Path):
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text(SOURCE)
    (root / "tests" / "test_mod.py").write_text("from pkg.mod import first, second\n")
    (root / "tests" / "test_other.py").write_text("def test_alone():\n    assert True\n")
    ctx = ProjectContext(root=root)
    ident = cmap.identity(ctx, ["pkg"], None)
    snap = cmap.snapshot(ctx)
    tests = {
        "tests/test_mod.py::test_first": {"o": "passed", "d": {"pkg/mod.py": [[7, 8, 9], [[-6, 7], [7, 9], [9, -6]]]}},
        "tests/test_mod.py::test_second": {"o": "passed", "d": {"pkg/mod.py": [[13], [[-12, 13], [13, -12]]]}},
        "tests/test_other.py::test_alone": {"o": "passed", "d": {}},
    }
    imports = {"pkg/mod.py": [[1, 3, 6, 12], []], "pkg/__init__.py": [[], []]}
    state = cmap.new_state(ctx, ident, snap, "env", True, tests, imports,
                           {"files": {str(root / "pkg/mod.py"): {}}, "totals": {}})
    return ctx, ident, state


def _plan(project, new_source: str | None = None, files: dict[str, str] | None = None) -> cmap.Plan:
    ctx, _, state = project
    if new_source is not None:
        (ctx.root / "pkg" / "mod.py").write_text(new_source)
    for rel, text in (files or {}).items():
        (ctx.root / rel).write_text(text)
    return cmap.plan(ctx, state, cmap.identity(ctx, ["pkg"], None), cmap.snapshot(ctx))


def test_nothing_changed(project):
    plan = _plan(project)
    assert not plan.full and not plan.changed and not plan.select


def test_a_function_body_change_selects_the_tests_that_ran_it(project):
    plan = _plan(project, SOURCE.replace("return x * 2", "return x * 3"))
    assert not plan.full and plan.select == {"tests/test_mod.py::test_second"}
    assert plan.imports == ["pkg.mod"]  # imported at collection before: import it again, outside tests


def test_a_line_appended_to_a_function_belongs_to_it(project):
    plan = _plan(project, SOURCE.replace("    return 0\n", "    return 0\n    print('never')\n"))
    assert not plan.full and plan.select == {"tests/test_mod.py::test_first"}


def test_a_whole_new_function_needs_no_test_and_moves_the_others(project):
    new = SOURCE.replace("LIMIT = 3\n", "LIMIT = 3\n\n\ndef zero():\n    return 0\n")
    plan = _plan(project, new)
    assert not plan.full and not plan.select
    kept = cmap.kept_tests(project[2], plan)
    # test_second's lines and arcs (entry arc from the def line too) moved down by the four inserted lines.
    assert kept["tests/test_mod.py::test_second"]["d"]["pkg/mod.py"] == [[17], [[-16, 17], [17, -16]]]


def test_a_removed_function_reruns_its_tests(project):
    plan = _plan(project, SOURCE.replace("\n\ndef second(x):\n    return x * 2\n", "\n"))
    assert not plan.full and plan.select == {"tests/test_mod.py::test_second"}


def test_comments_and_blank_lines_select_nothing(project):
    plan = _plan(project, SOURCE.replace("LIMIT = 3\n", "LIMIT = 3\n# a comment\n\n"))
    assert not plan.full and not plan.select


@pytest.mark.parametrize(("change", "why"), [
    (SOURCE.replace("LIMIT = 3", "LIMIT = 4"), "module-level code of pkg/mod.py"),
    (SOURCE.replace("def first(x):", "def first(x, y=LIMIT):"), None),  # the signature is the function's
    (SOURCE + "first(5)\n", "module-level code"),
    ("def broken(:\n", "does not parse"),
])
def test_module_level_changes_run_everything(project, change, why):
    plan = _plan(project, change)
    if why is None:
        assert not plan.full and plan.select == {"tests/test_mod.py::test_first"}
    else:
        assert plan.full and why in plan.reason


def test_a_function_run_at_import_time_runs_everything(project):
    state = project[2]
    state["imports"]["pkg/mod.py"][0].append(13)  # second's body ran at import time
    plan = _plan(project, SOURCE.replace("return x * 2", "return x * 3"))
    assert plan.full and "import time" in plan.reason


def test_test_files_conftest_config_and_unknown_files(project):
    ctx = project[0]
    plan = _plan(project, files={"tests/test_mod.py": "from pkg.mod import first\n"})
    assert not plan.full and plan.run_files == {"tests/test_mod.py"} and plan.drop_files == {"tests/test_mod.py"}

    (ctx.root / "tests" / "test_mod.py").write_text("from pkg.mod import first, second\n")
    plan = _plan(project, files={"tests/test_new.py": "def test_new():\n    pass\n"})
    assert not plan.full and plan.run_files == {"tests/test_new.py"}
    (ctx.root / "tests" / "test_new.py").unlink()

    plan = _plan(project, files={"tests/conftest.py": ""})
    assert plan.full and "conftest" in plan.reason
    (ctx.root / "tests" / "conftest.py").unlink()

    (ctx.root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    plan = _plan(project)
    assert plan.full and "config" in plan.reason

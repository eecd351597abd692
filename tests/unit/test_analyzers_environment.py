"""The project's interpreter is found the way its developers would find it; pytest finds its own config."""

from __future__ import annotations

import sys
import venv
from pathlib import Path

import pytest
from empathy_os.analyzers import load_project, run_analyzer
from empathy_os.analyzers._pytest import pytest_config
from empathy_os.environment import detect


def make_venv(path: Path) -> Path:
    venv.create(path, with_pip=False, symlinks=True)
    return path / "bin" / "python"


@pytest.fixture
def no_active_env(monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)


def test_order_explicit_then_settings_then_project_venv(tmp_path, no_active_env):
    python = make_venv(tmp_path / ".venv")
    found = detect(tmp_path)
    assert (found.python, found.source) == (str(python), ".venv") and ".venv/" in found.reason
    assert detect(tmp_path, settings={"python": "/opt/py"}).python == "/opt/py"
    explicit = detect(tmp_path, explicit=sys.executable, settings={"python": "/opt/py"})
    assert (explicit.python, explicit.source) == (sys.executable, "explicit")


def test_activated_environment_unless_it_is_empathys_own(tmp_path, monkeypatch):
    other = make_venv(tmp_path / "elsewhere")
    project = tmp_path / "proj"
    project.mkdir()
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "elsewhere"))
    assert detect(project).python == str(other)
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)
    own = detect(project)
    assert own.own and own.python == sys.executable and "Empathy's own interpreter" in own.reason


def test_a_folder_without_pyvenv_cfg_is_not_an_environment(tmp_path, no_active_env):
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").symlink_to(sys.executable)
    assert detect(tmp_path).own


async def test_release_prep_coverage_runs_in_the_projects_venv(tmp_path, no_active_env):
    """The project's .venv has no pytest: the analyzer says so, naming that interpreter (not ours)."""
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("X = 1\n")
    python = make_venv(root / ".venv")
    ctx = load_project(root)
    assert ctx.python == str(python) and "virtual environment .venv/" in ctx.python_reason
    result = await run_analyzer("coverage", ctx)
    assert not result.ran and str(python) in result.error and "not installed" in result.error


@pytest.mark.parametrize("name, text", [
    (".pytest.ini", "[pytest]\npythonpath = src\n"),
    ("pytest.ini", "[pytest]\npythonpath = src\n"),
    ("pyproject.toml", "[tool.pytest]\npythonpath = [\"src\"]\n"),  # pytest 9's native table
    ("pyproject.toml", "[tool.pytest.ini_options]\npythonpath = [\"src\"]\n"),
    ("tox.ini", "[pytest]\npythonpath = src\n"),
    ("setup.cfg", "[tool:pytest]\npythonpath = src\n"),
])
async def test_pytest_finds_the_projects_own_config(tmp_path, name, text, no_active_env):
    """A src layout importable only through the config's `pythonpath`: the suite passes only if pytest
    read the project's config (ours would lose it), as plain `pytest` does."""
    root = tmp_path / "proj"
    (root / "src" / "lib").mkdir(parents=True)
    (root / "src" / "lib" / "__init__.py").write_text("def one():\n    return 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_lib.py").write_text("from lib import one\n\n\ndef test_one():\n    assert one() == 1\n")
    (root / name).write_text(text)
    assert pytest_config(root) == name
    result = await run_analyzer("coverage", load_project(root, python=sys.executable))
    assert result.ran and result.metrics["tests_passed"] == 1 and result.metrics["tests_failed"] == 0


def test_no_config_means_ours_not_a_parent_folders(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --bogus\n")
    (tmp_path / "proj").mkdir()
    assert pytest_config(tmp_path / "proj") is None
    (tmp_path / "proj" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert pytest_config(tmp_path / "proj") is None

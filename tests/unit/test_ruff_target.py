"""ruff's fixes target the project's oldest declared Python, so a verified fix never needs a newer one."""

from __future__ import annotations

import json
import subprocess

import pytest
from empathy_os.analyzers.project import load_project
from empathy_os.analyzers.python_range import declared_python
from empathy_os.analyzers.ruff import READ_ONLY, config_args, target_args
from empathy_os.proc import tool_bin

from tests.unit.analyzer_helpers import write_project

UTC = "import datetime\n\nNOW = datetime.datetime.now(datetime.timezone.utc)\n"


@pytest.mark.parametrize("pyproject, oldest", [
    ('[project]\nname = "p"\nrequires-python = ">=3.9"\n', (3, 9)),
    ('[project]\nname = "p"\nrequires-python = ">=3.8, <4"\n', (3, 8)),
    ('[tool.poetry.dependencies]\npython = ">=3.7,<4.0"\n', (3, 7)),
    ('[tool.poetry.dependencies]\npython = "^3.10"\n', (3, 10)),
    ('[project]\nname = "p"\nrequires-python = "~=3.12"\n', (3, 12)),
    ('[project]\nname = "p"\n', None),
    ("", None),
])
def test_oldest_python(tmp_path, pyproject, oldest):
    assert declared_python(write_project(tmp_path / "p", {"pyproject.toml": pyproject})).oldest == oldest


def up017_findings(root):
    ctx = load_project(root)
    cmd = [tool_bin("ruff"), "check", "--output-format", "json", *READ_ONLY, "--exit-zero", *config_args(ctx),
           *target_args(ctx), "--select", "UP017", "m.py"]
    return [f["code"] for f in json.loads(subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False).stdout)]


def test_a_37_project_gets_no_datetime_utc_fix(tmp_path):
    # iso8601 2.1.0 declares python >=3.7 under poetry: datetime.UTC (3.11) must not be offered to it.
    root = write_project(tmp_path / "old", {"pyproject.toml": '[tool.poetry.dependencies]\npython = ">=3.7,<4.0"\n',
                                            "m.py": UTC})
    assert target_args(load_project(root)) == ["--target-version", "py37"]
    assert up017_findings(root) == []


def test_a_311_project_gets_it_and_a_config_target_wins(tmp_path):
    root = write_project(tmp_path / "new", {"pyproject.toml": '[project]\nname = "p"\nrequires-python = ">=3.11"\n',
                                            "m.py": UTC})
    assert up017_findings(root) == ["UP017"]
    own = write_project(tmp_path / "own", {
        "pyproject.toml": '[project]\nname = "p"\nrequires-python = ">=3.7"\n[tool.ruff]\ntarget-version = "py311"\n',
        "m.py": UTC})
    assert target_args(load_project(own)) == [] and up017_findings(own) == ["UP017"]

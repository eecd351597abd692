"""The engine's project-rule checks on a real copy: python-range, public-names and declared-linters (black,
which is installed here, really runs; flake8, which is not, is reported as not run while its line length
is still kept through ruff's E501)."""

from __future__ import annotations

from pathlib import Path

import pytest
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind

from tests.unit.analyzer_helpers import write_project
from tests.unit.changes_helpers import edit

SOURCE = '''\
def greet(name):
    return "hello %s" % name


def shout(name):
    return greet(name).upper()
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "p", {
        "setup.py": 'from setuptools import setup\nsetup(name="p", python_requires=">=2.7")\n',
        "setup.cfg": "[flake8]\nmax-line-length = 79\n",
        "pyproject.toml": "[tool.black]\nline-length = 79\n",
        "p/__init__.py": "",
        "p/core.py": SOURCE,
        "tests/test_core.py": "from p.core import shout\n\n\ndef test_shout():\n    assert shout('a') == 'HELLO A'\n",
    })


def change(diff: str) -> Change:
    return Change(id="c", agent="user", kind=ChangeKind.PATCH, diff=diff)


async def test_rules_reject_what_the_project_would(project: Path):
    fstring = edit(project, "p/core.py", '"hello %s" % name', 'f"hello {name}"')
    long_line = edit(project, "p/core.py", "    return greet(name).upper()\n",
                     "    return greet(name).upper()  # " + "x" * 60 + "\n")
    unformatted = edit(project, "p/core.py", "def shout(name):", "def shout( name ):")
    gone = edit(project, "p/core.py", "\n\ndef shout(name):\n    return greet(name).upper()\n", "")
    fine = edit(project, "p/core.py", "return greet(name).upper()", "return greet(name).upper()  # loud")
    async with Verifier.for_project(project) as verifier:
        verdicts = {name: await verifier.verify(change(d)) for name, d in
                    [("fstring", fstring), ("long", long_line), ("black", unformatted), ("gone", gone),
                     ("fine", fine)]}
    failed = {name: [c.name for c in v.checks if not c.passed] for name, v in verdicts.items()}
    assert failed == {"fstring": ["python-range"], "long": ["declared-linters"], "black": ["declared-linters"],
                      "gone": ["public-names"], "fine": []}, failed
    linters = {c.name: c for c in verdicts["fine"].checks}["declared-linters"]
    assert linters.measured["ran"] == ["line length 79 via ruff E501", "black"]
    assert linters.measured["could_not_run"] == ["flake8 (not installed in the project's environment)"]
    assert "black p/core.py: black would reformat it" in verdicts["black"].reasons[0]
    assert "Python 2.7" in verdicts["fstring"].reasons[0]

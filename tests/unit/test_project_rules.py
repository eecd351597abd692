"""A fix keeps the project's own rules: its declared Python range, its public names, code a comment explains,
its declared linters and line length. The metadata and code below are quoted from real PyPI sdists
(six 1.16.0, python-dateutil 2.8.2, itsdangerous 1.1.0, toolz 0.10.0)."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from empathy_os.analyzers.contract import Finding, Severity
from empathy_os.analyzers.python_range import declared_python, oldest_admitted, ruff_target
from empathy_os.changes import py_features
from empathy_os.changes.declared_linters import declared_linters
from empathy_os.changes.project_rules import ProjectRules, explanation, screen

from tests.unit.analyzer_helpers import write_project

SIX_SETUP = '''\
from setuptools import setup
six_classifiers = [
    "Development Status :: 5 - Production/Stable",
    "Programming Language :: Python :: 2",
    "Programming Language :: Python :: 3",
]
setup(name="six",
      classifiers=six_classifiers,
      python_requires=">=2.7, !=3.0.*, !=3.1.*, !=3.2.*",
      )
'''
DATEUTIL_CFG = """\
[metadata]
classifiers =
    Programming Language :: Python :: 2.7
    Programming Language :: Python :: 3.3
    Programming Language :: Python :: 3.8
[options]
python_requires = >=2.7, !=3.0.*, !=3.1.*, !=3.2.*
"""
ITSDANGEROUS_TOX = "[tox]\nenvlist =\n    py{37,36,35,34,27,py3,py}\n    stylecheck\n"
ITSDANGEROUS_FLAKE8 = """\
[flake8]
select = B, E, F, W, B9
ignore = E203, E501, W503
max-line-length = 80
exclude = src/itsdangerous/__init__.py
"""
TOOLZ_COMPAT = """\
import operator
import sys
PY3 = sys.version_info[0] > 2

__all__ = ('map', 'filter', 'reduce', 'zip_longest', 'PY3')

if PY3:
    map = map
    filter = filter
    from functools import reduce
    from itertools import zip_longest
    from collections.abc import Sequence
else:
    from itertools import imap as map
    from itertools import ifilter as filter
    from itertools import izip_longest as zip_longest
    from collections import Sequence
"""


@pytest.mark.parametrize("files, oldest, where", [
    ({"setup.py": SIX_SETUP}, (2, 7), "setup.py"),
    ({"setup.cfg": DATEUTIL_CFG}, (2, 7), "setup.cfg"),
    ({"tox.ini": ITSDANGEROUS_TOX, "setup.cfg": "[options]\npython_requires = >=3.7\n"}, (2, 7), "tox envlist"),
    ({"pyproject.toml": '[project]\nname = "p"\nrequires-python = ">=3.8"\nclassifiers = '
                        '["Programming Language :: Python :: 3.9"]\n'}, (3, 8), "requires-python"),
    ({"setup.py": "import os\nsetup(python_requires=os.environ['X'])\n"}, None, ""),
])
def test_declared_range_oldest_wins(tmp_path, files, oldest, where):
    declared = declared_python(write_project(tmp_path / "p", files))
    assert declared.oldest == oldest
    assert where in declared.describe()


def test_specifiers_and_ruff_target():
    assert oldest_admitted(">=2.7, !=3.0.*") == (2, 7)
    assert oldest_admitted(">=2.7.9") == (2, 7)
    assert oldest_admitted(">3.7") == (3, 7)  # 3.7.1 is admitted
    assert oldest_admitted("^3.10") == (3, 10)
    assert oldest_admitted("not a specifier") is None
    assert ruff_target(declared_python(Path("/nonexistent"))) is None


@pytest.mark.parametrize("before, after, oldest, found", [
    ("x = 'a %s' % y\n", "x = f'a {y}'\n", (2, 7), "f-string"),
    ("x = 'a %s' % y\n", "x = f'a {y}'\n", (3, 6), None),
    ("class A(B):\n    def f(self):\n        super(A, self).f()\n",
     "class A(B):\n    def f(self):\n        super().f()\n", (2, 7), "bare super()"),
    ("from __future__ import print_function\nprint(1)\n", "print(1)\n", (2, 7), "`from __future__` name"),
    ("x = u'a'\n", "x = 'a'\n", (2, 7), "u'' string"),
    ("import datetime\nX = datetime.timezone.utc\n", "import datetime\nX = datetime.UTC\n", (3, 7), "datetime.UTC"),
    ("import datetime\nX = datetime.timezone.utc\n", "import datetime\nX = datetime.UTC\n", (3, 11), None),
    ("try:\n    from collections.abc import X\nexcept ImportError:\n    from collections import X\n",
     "try:\n    from collections.abc import X\nexcept ImportError:\n    from collections.abc import X\n",
     (2, 7), "collections.abc"),
])
def test_python_range_violations(tmp_path, before, after, oldest, found):
    declared = declared_python(tmp_path)
    declared.oldest = oldest
    out = py_features.violations(before, after, declared)
    assert (found is None and out == []) or (found is not None and any(found in v for v in out)), out


def test_declared_linters_and_line_length(tmp_path):
    root = write_project(tmp_path / "p", {"setup.cfg": ITSDANGEROUS_FLAKE8, "tox.ini": ITSDANGEROUS_TOX})
    d = declared_linters(root)
    assert d.tools == {"flake8": "setup.cfg [flake8]"}
    assert (d.line_length, d.line_length_from) == (88, "setup.cfg [flake8] max-line-length + 10 % (B950)")
    root = write_project(tmp_path / "q", {"pyproject.toml": "[tool.black]\nline-length = 79\n[tool.isort]\n"
                                          'profile = "black"\n', ".pre-commit-config.yaml":
                                          "repos:\n- repo: x\n  hooks:\n  - id: mypy\n"})
    d = declared_linters(root)
    assert set(d.tools) == {"black", "isort", "mypy"} and d.line_length == 79 and d.isort_style


def test_explained_code_is_left_alone():
    source = textwrap.dedent("""\
        def f(xs):
            # avoid list-comprehension to work around a coverage issue
            return list(map(lambda x: x + 1, xs))


        def g(xs):
            # add one
            return list(map(lambda x: x + 1, xs))
        """)
    tree = ast.parse(source)
    assert "work around a coverage issue" in explanation(source, tree, 3)
    assert explanation(source, tree, 8) is None


def _finding(path, rule, line, message=""):
    return Finding(tool="ruff", rule=rule, severity=Severity.LOW, path=path, line=line, message=message)


def test_screen_keeps_public_names_range_and_tests(tmp_path):
    root = write_project(tmp_path / "toolz", {
        "setup.py": SIX_SETUP,
        "toolz/__init__.py": "from .compatibility import map, filter\n",
        "toolz/compatibility.py": TOOLZ_COMPAT,
        "toolz/itertoolz.py": "import os\nfrom toolz.compatibility import zip_longest\n",
        "toolz/tests/test_x.py": "import os\n",
    })
    findings = [
        _finding("toolz/compatibility.py", "F401", 11, "`itertools.zip_longest` imported but unused"),
        _finding("toolz/compatibility.py", "F401", 12, "`collections.abc.Sequence` imported but unused"),
        _finding("toolz/itertoolz.py", "F401", 1, "`os` imported but unused"),
        _finding("toolz/itertoolz.py", "UP035", 2, "Import from `collections.abc` instead"),
        _finding("toolz/tests/test_x.py", "F401", 1, "`os` imported but unused"),
    ]
    kept, skipped = screen(ProjectRules.read(root), findings, root)
    assert [f.line for f in kept] == [1] and kept[0].path == "toolz/itertoolz.py"
    reasons = {f"{f.path}:{f.line}": why for f, why in skipped}
    assert "__all__" in reasons["toolz/compatibility.py:11"]
    assert "re-export" in reasons["toolz/compatibility.py:12"]
    assert "Python 2.7" in reasons["toolz/itertoolz.py:2"]
    assert "tests" in reasons["toolz/tests/test_x.py:1"]


def test_a_name_used_elsewhere_stays(tmp_path):
    root = write_project(tmp_path / "p", {
        "pkg/util.py": "import json\nfrom os import sep\n",
        "pkg/main.py": "from pkg.util import sep\n",
        "docs/index.rst": "Call ``util.json`` for ...\n",
    })
    findings = [_finding("pkg/util.py", "F401", 1, "`json` imported but unused"),
                _finding("pkg/util.py", "F401", 2, "`os.sep` imported but unused")]
    kept, skipped = screen(ProjectRules.read(root), findings, root)
    assert kept == []
    assert [why.split(" used at ")[1] for _, why in skipped] == ["docs/index.rst:1", "pkg/main.py:1"]


def test_a_comment_deep_in_a_body_does_not_explain_its_header():
    source = "def f(x):\n    y = x\n    # must stay: works around a bug\n    return y\n"
    tree = ast.parse(source)
    assert explanation(source, tree, 1) is None
    assert "works around" in explanation(source, tree, 4)


def test_a_flake8_section_without_a_length_keeps_pycodestyles_79(tmp_path):
    # cachetools 3.1.1's setup.cfg
    d = declared_linters(write_project(tmp_path / "c", {"setup.cfg": "[flake8]\nexclude = .git,.tox\n"}))
    assert (d.line_length, d.tools) == (79, {"flake8": "setup.cfg [flake8]"})
    d = declared_linters(write_project(tmp_path / "i", {"setup.cfg": "[flake8]\nignore = E203, E501\n"}))
    assert d.line_length is None


def test_one_name_per_from_import_is_the_projects_style(tmp_path):
    # click 7.1.2's style (reorder-python-imports): `from ._compat import X` once per name
    split = "".join(f"from ._compat import n{i}\nfrom .utils import u{i}\n" for i in range(3))
    root = write_project(tmp_path / "click", {f"click/m{i}.py": split for i in range(3)})
    finding = _finding("click/m0.py", "I001", 1, "Import block is un-sorted or un-formatted")
    kept, skipped = screen(ProjectRules.read(root), [finding], root)
    assert kept == [] and "one name per `from` import" in skipped[0][1]
    joined = write_project(tmp_path / "other", {"p/m.py": "from os import path, sep\nimport sys\n"})
    assert screen(ProjectRules.read(joined), [_finding("p/m.py", "I001", 1)], joined)[0] != []


def test_the_order_of_all_is_the_authors_unless_ruff_is_asked(tmp_path):
    # MarkupSafe 1.1.1: __all__ = ["Markup", "soft_unicode", "escape", "escape_silent"]
    finding = _finding("m.py", "RUF022", 1, "`__all__` is not sorted")
    plain = write_project(tmp_path / "plain", {"m.py": '__all__ = ["b", "a"]\n'})
    assert "order is the author's" in screen(ProjectRules.read(plain), [finding], plain)[1][0][1]
    asked = write_project(tmp_path / "asked", {"m.py": '__all__ = ["b", "a"]\n',
                                               "ruff.toml": 'lint.select = ["RUF022"]\n'})
    assert screen(ProjectRules.read(asked), [finding], asked)[0] == [finding]

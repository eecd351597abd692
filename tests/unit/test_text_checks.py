"""Checks 2-4 of the verification engine on real before/after texts: scope and the kind rules."""

from __future__ import annotations

import pytest
from empathy_os.changes.model import Change, ChangeKind, Region
from empathy_os.changes.text_checks import kind_checks, scope

SOURCE = '''def total(items):
    """Sum."""
    out = 0
    for item in items:
        out += item
    return out


def name(x):
    return str(x)
'''
SIMPLER = SOURCE.replace("    out = 0\n    for item in items:\n        out += item\n    return out\n",
                         "    return sum(items)\n")


def change(kind=ChangeKind.FIX, **claims) -> Change:
    return Change(id="c1", agent="user", kind=kind, diff="", **claims)


def texts(files: dict[str, str | None]) -> dict[str, bytes | None]:
    return {path: None if text is None else text.encode() for path, text in files.items()}


@pytest.mark.parametrize(("claims", "after", "passed", "detail"), [
    ({}, SOURCE.replace("str(x)", "repr(x)"), True, "touches only the files and lines it claims"),
    ({"files": ["b.py"]}, SOURCE, False, "edits a.py, which it does not claim (allowed: b.py)"),
    ({"files": []}, SOURCE, False, "edits a.py, which it does not claim (allowed: none)"),
    ({"regions": [Region(path="a.py", start=9, end=10)]}, SOURCE.replace("str(x)", "repr(x)"), True, "touches only"),
    ({"regions": [Region(path="a.py", start=9, end=10)]}, SOURCE.replace("Sum.", "Add."), False,
     "edits a.py lines 2-2, outside the claimed lines 9-10"),
    # an insertion right before a region's first line is inside it; two regions of one file are both read
    ({"regions": [Region(path="a.py", start=9, end=10), Region(path="a.py", start=1, end=1)]},
     SOURCE.replace("\n\ndef name", "\n\n# named\ndef name"), True, "touches only"),
    ({"regions": [Region(path="b.py", start=1, end=1)]}, SOURCE.replace("Sum.", "Add."), True, "touches only"),
])
def test_scope(claims, after, passed, detail):
    check = scope(change(**claims), ["a.py"], texts({"a.py": SOURCE}), texts({"a.py": after}))
    assert check.name == "scope" and check.passed is passed and check.detail.startswith(detail)


def test_scope_of_a_new_file_inside_its_region():
    check = scope(change(regions=[Region(path="n.py", start=1, end=1)]), ["n.py"], texts({"n.py": None}),
                  texts({"n.py": "x = 1\n"}))
    assert check.passed and check.measured == {"files": ["n.py"]}


@pytest.mark.parametrize(("kind", "after", "passed", "detail"), [
    (ChangeKind.DOCSTRING, SOURCE.replace("Sum.", "Sum the items."), True,
     "AST identical with docstrings removed in 1 file(s)"),
    (ChangeKind.DOCSTRING, SOURCE.replace("str(x)", "repr(x)"), False, "code changed with docstrings removed: a.py"),
    (ChangeKind.NOSEC, SOURCE.replace("str(x)", "str(x)  # nosec B000: why"), True,
     "AST identical (comments only) in 1 file(s)"),
    (ChangeKind.NOSEC, SOURCE.replace("Sum.", "Add."), False, "code changed (comments only): a.py"),
])
def test_ast_unchanged(kind, after, passed, detail):
    [check] = kind_checks(change(kind), ["a.py"], texts({"a.py": SOURCE}), texts({"a.py": after}))
    assert (check.name, check.passed, check.detail) == ("ast-unchanged", passed, detail)


def test_ast_unchanged_fails_when_a_touched_file_is_not_python():
    [check] = kind_checks(change(ChangeKind.DOCSTRING), ["a.py", "README.md"],
                          texts({"a.py": SOURCE, "README.md": "x"}), texts({"a.py": SOURCE, "README.md": "y"}))
    assert not check.passed and check.detail == "AST identical with docstrings removed in 1 file(s)"


@pytest.mark.parametrize(("touched", "originals", "passed", "detail"), [
    (["tests/test_new.py"], {}, True, "adds 1 new test file(s) and changes nothing else"),
    (["tests/test_old.py"], {"tests/test_old.py": b"x = 1\n"}, False, "changes existing file(s) tests/test_old.py"),
    (["tests/test_new.py", "helper.py"], {}, False, "adds non-test file(s) helper.py"),
])
def test_new_tests_only(touched, originals, passed, detail):
    after = {p: b"def test_x():\n    assert True\n" for p in touched}
    [check] = kind_checks(change(ChangeKind.TESTS), touched, originals, after)
    assert (check.name, check.passed, check.detail) == ("new-tests-only", passed, detail)


@pytest.mark.parametrize(("claims", "after", "expected"), [
    ({"symbol": "total", "files": ["a.py"]}, SIMPLER, [
        ("signatures", True, "public signatures unchanged"),
        ("complexity", True, "radon cyclomatic complexity of total: 2 → 1")]),
    ({"symbol": "total", "files": ["a.py"]}, SIMPLER.replace("def name(x)", "def name(x, y)"), [
        ("signatures", False, "public signatures changed in a.py"),
        ("complexity", True, "radon cyclomatic complexity of total: 2 → 1")]),
    ({"symbol": "total", "files": ["a.py"]}, SOURCE.replace("out = 0", "out = 0 if items else 0"), [
        ("signatures", True, "public signatures unchanged"),
        ("complexity", False, "radon cyclomatic complexity of total: 2 → 3")]),
    ({"symbol": "gone", "files": ["a.py"]}, SIMPLER, [
        ("signatures", True, "public signatures unchanged"),
        ("complexity", False, "radon cyclomatic complexity of gone: None → None")]),
    ({}, SIMPLER, [("signatures", True, "public signatures unchanged")]),  # no claimed function: no complexity check
])
def test_refactor(claims, after, expected):
    checks = kind_checks(change(ChangeKind.REFACTOR, **claims), ["a.py"], texts({"a.py": SOURCE}),
                         texts({"a.py": after}))
    assert [(c.name, c.passed, c.detail) for c in checks] == expected


@pytest.mark.parametrize("kind", [ChangeKind.FIX, ChangeKind.PATCH])
def test_no_kind_rule_for_fixes_and_patches(kind):
    assert kind_checks(change(kind), ["a.py"], texts({"a.py": SOURCE}), texts({"a.py": SIMPLER})) == []

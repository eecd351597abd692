"""Tests a maintainer would merge: private helpers reached through the public API, arguments of the types
the project passes, assertions on results (never `is None` on a procedure), names that say the behaviour.

The generation runs for real: the generator script in a sandboxed copy of a small project, its line tracer
deciding which public calls reach the helper's missed lines, then pytest + coverage.py + mutants judging."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest
from empathy_os.testgen.candidates import (
    NO_HYPOTHESIS,
    Candidate,
    Reason,
    Verdict,
    generate_offline,
    private_names,
)
from empathy_os.testgen.entries import CallGraph, is_public, public_entries
from empathy_os.testgen.gaps import Gap
from empathy_os.testgen.mutate import Strength
from empathy_os.testgen.output import as_unittest, merge, test_style
from empathy_os.testgen.sandbox import Sandbox
from empathy_os.testgen.validate import validate_batch

TESTGEN = Path(__file__).parents[2] / "server/empathy_os/testgen"

TEXT = '''"""Padding."""

_LINES = []


class PadError(ValueError):
    pass


def _fill(width, char):
    if len(char) != 1:
        raise PadError(f"fill must be one character, got {char!r}")
    return char * width


def pad(text, width, char=" "):
    if len(text) >= width:
        return text
    return text + _fill(width - len(text), char)


def _orphan(value):
    if value.startswith("#"):
        return value[1:]
    return value


def log(message: str):
    _LINES.append(message)


class Padder:
    def __init__(self, char=" "):
        self.char = char

    def _check(self):
        if len(self.char) != 1:
            raise PadError("the fill must be one character")

    def pad(self, text: str, width: int) -> str:
        self._check()
        return text.ljust(width, self.char)
'''
INIT = 'from pkg.text import PadError, log, pad\n\n__all__ = ["PadError", "log", "pad"]\n'
TESTS = 'from pkg import pad\n\n\ndef test_pad():\n    assert pad("ab", 2) == "ab"\n'


def gap(symbol: str, missing: set[int] | None = None) -> Gap:
    fn = next(n for n in ast.parse(TEXT).body if isinstance(n, ast.FunctionDef) and n.name == symbol)
    body = set(range(fn.body[0].lineno, fn.end_lineno + 1))
    return Gap(path="pkg/text.py", module="pkg.text", symbol=symbol, line=fn.lineno, end_line=fn.end_lineno,
               missing=missing or body, raises=["PadError"] if symbol == "_fill" else [])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pkg" / "__init__.py").write_text(INIT)
    (root / "pkg" / "text.py").write_text(TEXT)
    (root / "tests" / "test_text.py").write_text(TESTS)
    return root


def test_public_entries_follow_callers_up_to_a_public_function(project):
    graph = CallGraph(project, ["pkg/__init__.py", "pkg/text.py"])
    assert graph.entries(gap("_fill")) == ["pkg.text:pad"]
    assert graph.entries(gap("_orphan")) == []
    assert public_entries(project, [gap("_fill"), gap("pad")]) == {"pkg/text.py:_fill": ["pkg.text:pad"],
                                                                   "pkg/text.py:pad": []}
    assert is_public("pkg.text", "Pad.__init__") and not is_public("pkg.text", "Pad._reset")


async def test_a_private_helper_is_tested_through_the_public_function_that_reaches_it(project):
    fill, orphan, log = gap("_fill"), gap("_orphan"), gap("log")
    sandbox = Sandbox.create(project, sys.executable)
    try:
        results = await generate_offline(sandbox, [fill, orphan, log])
        source = results[fill.key].plain
        assert source is not None, results[fill.key].plain_error
        assert private_names(source) == [] and results[fill.key].plain_private is None
        # pad() re-exported by the package is how users call it, and how the test spells it.
        assert "pkg.pad(" in source and "pkg.text" not in source
        assert ("def test_pad_empty_char_raises_pad_error():\n    with pytest.raises(pkg.PadError, "
                "match=\"^fill must be one character, got ''$\"):\n        pkg.pad(text='', width=2, char='')\n") in source
        # `text` takes strings in the project's tests, `width` integers: no other type is passed to them.
        calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call) and ast.unparse(n.func) == "pkg.pad"]
        assert calls and all(isinstance(k.value.value, {"text": str, "width": int, "char": str}[k.arg])
                             for c in calls for k in c.keywords)
        # No public caller: the helper itself, and why.
        assert "pkg.text._orphan(value=" in results[orphan.key].plain
        assert results[orphan.key].plain_private.startswith("no public call reached lines 23-25 of _orphan")
        # log() returns nothing: `assert log(...) is None` would assert nothing.
        assert results[log.key].plain is None and results[log.key].plain_error == "no call gave an assertable result"
        # The helper's fuzz test is not written when its public callers reach it.
        assert results[fill.key].ghostwriter is None and "public callers" in results[fill.key].ghostwriter_error
        candidate = Candidate(fill, "plain", source)
        verdict, = await validate_batch(sandbox, [candidate], {fill.path: "tests/test_text_generated.py"},
                                        {fill.key: (set(), set())})
        assert verdict.reason is Reason.KEPT, verdict.detail
        assert verdict.new_lines == fill.missing and verdict.strength.killed
        assert verdict.to_json()["private_names"] == [] and verdict.to_json()["private_why"] is None
    finally:
        sandbox.cleanup()


async def test_a_private_method_is_reached_through_a_public_method_of_an_instance_built_for_it(project):
    cls = next(n for n in ast.parse(TEXT).body if isinstance(n, ast.ClassDef) and n.name == "Padder")
    check = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "_check")
    raise_line = check.body[0].body[0].lineno
    method = Gap(path="pkg/text.py", module="pkg.text", symbol="Padder._check", line=check.lineno,
                 end_line=check.end_lineno, missing={raise_line}, raises=["PadError"])
    sandbox = Sandbox.create(project, sys.executable)
    try:
        result = (await generate_offline(sandbox, [method]))[method.key]
    finally:
        sandbox.cleanup()
    assert method.entries == ["pkg.text:Padder.pad"]
    # The constructor's `char` takes strings (its default): an instance with an empty fill reaches the raise.
    assert ("def test_padder_pad_raises_pad_error():\n    with pytest.raises(pkg.PadError, "
            "match='^the fill must be one character$'):\n        pkg.text.Padder(char='').pad(") in result.plain
    assert private_names(result.plain) == [] and result.plain_reached == [raise_line]
    text = ROUTES.Plan(ROUTES.Route(object.__repr__, "pkg.text.Padder", "Padder.__repr__", {"pkg.text"},
                                    receiver_cls=object), {}, set(), [], ["()"], set())
    assert text.text({}, "(char='-')") == "repr(pkg.text.Padder(char='-'))"  # as users spell it


def _load(name: str, **given):
    spec = importlib.util.spec_from_file_location(f"_under_test_{name}", TESTGEN / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    vars(module).update(given)
    spec.loader.exec_module(module)
    return module


GV = _load("_genvalues")
ROUTES = _load("_genroutes", GV=GV)
PLAIN = _load("_genplain", GV=GV, ROUTES=ROUTES, exceptions=lambda mod, names: ())


def test_types_come_from_the_projects_calls_and_what_the_body_does():
    calls = [(["ab", 2], {}), (["x"], {"width": 3}), (["a", "b", "c", "d"], {})]
    assert GV.observed(calls, ["text", "width", "char"]) == {"text": ["ab", "x"], "width": [2, 3]}

    def takes_file(f):
        return f.read()

    def takes_text(text, items):
        items.append(text.splitlines())

    assert ROUTES.duck_types(takes_file, "f") == set()  # a file: no plain value stands in for one
    assert ROUTES.duck_types(takes_text, "text") == {str, bytes}
    assert ROUTES.duck_types(takes_text, "items") == {list}
    assert ROUTES.returns_value(takes_file) and not ROUTES.returns_value(takes_text)


def test_an_address_in_a_result_or_message_is_never_asserted():
    assert PLAIN._observe("repr(object())", {}, (), "x") is None
    assert PLAIN._raised(ValueError(f"bad {object()!r}"), (ValueError,), "x")[3] is None
    assert PLAIN._raised(ValueError("bad value"), (ValueError,), "x")[3] == "bad value"


def test_a_missing_hypothesis_is_one_reason_the_workflow_says_once(monkeypatch):
    script = (TESTGEN / "_genscript.py").read_text(encoding="utf-8")
    assert f'NO_HYPOTHESIS = "{NO_HYPOTHESIS}"' in script  # the same words on both sides
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts "." first, as pytest does
    gen = _load("_genscript")
    monkeypatch.setitem(sys.modules, "hypothesis.extra.ghostwriter", None)
    target = {"module": "json", "symbol": "dumps", "raises": [], "missing": [], "side_effects": None,
              "public": True, "entries": []}
    assert gen.generate(target)["ghostwriter_error"] == NO_HYPOTHESIS


def test_a_weak_verdict_without_any_mutant_is_no_mutant():
    fill = gap("_fill")
    none = Verdict(Candidate(fill, "plain", ""), Reason.WEAK, strength=Strength(made=0))
    survived = Verdict(Candidate(fill, "plain", ""), Reason.WEAK, strength=Strength(made=2, survivors=["a"]))
    unmeasured = Verdict(Candidate(fill, "plain", ""), Reason.WEAK, strength=Strength(error="timed out"))
    assert (none.reason, survived.reason, unmeasured.reason) == (Reason.NO_MUTANT, Reason.WEAK, Reason.WEAK)
    assert none.to_json()["result"] == "no-mutant"


def test_private_names_are_attributes_and_imports_not_dunders_or_aliases():
    source = ("import pkg\nimport pkg._impl\nfrom pkg.text import _fill\nimport pkg.text as _target_pkg\n\n\n"
              "def test_x():\n    assert pkg.Pad().__class__ is pkg.Pad\n    assert pkg.Pad()._reset() == 1\n")
    assert private_names(source) == ["_fill", "_reset", "pkg._impl"]
    assert private_names("import pkg\n\n\ndef test_x():\n    assert pkg.pad('a', 1) == 'a'\n") == []


def test_merged_tests_of_one_behaviour_become_one_and_unittest_projects_get_a_testcase(tmp_path):
    fill, padded = gap("_fill"), gap("pad")
    one = ("import pkg\n\n\ndef test_pad_returns_str():\n    assert pkg.pad(text='a', width=2) == 'a '\n")
    two = ("import pytest\n\nimport pkg\n\n\ndef test_pad_returns_str():\n    assert pkg.pad(text='a', width=2) == 'a '\n"
           "    assert pkg.pad(text='ab', width=3) == 'ab '\n\n\ndef test_pad_empty_char_raises_pad_error():\n"
           "    with pytest.raises(pkg.PadError, match='^fill$'):\n        pkg.pad(text='a', width=3, char='')\n")
    text = merge([Verdict(Candidate(padded, "plain", one), Reason.KEPT, new_lines={19}),
                  Verdict(Candidate(fill, "plain", two), Reason.KEPT, new_lines={11, 12})])
    assert text.count("def test_pad_returns_str") == 1 and text.count("pkg.pad(text='a', width=2)") == 1
    assert text.count("# Generated by") == 1 and "import pytest\n\nimport pkg\n\n\ndef" in text
    converted = as_unittest(text, "TestTextGenerated")
    assert "import unittest\n\nimport pkg\n\n\nclass TestTextGenerated(unittest.TestCase):\n" in converted
    assert "        self.assertEqual(pkg.pad(text='ab', width=3), 'ab ')\n" in converted
    assert "        with self.assertRaisesRegex(pkg.PadError, '^fill$'):\n" in converted
    assert "pytest" not in converted.split("class ")[1]
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("import unittest\n\n\nclass T(unittest.TestCase):\n    pass\n")
    assert test_style(tmp_path) == "unittest"
    (tmp_path / "tests" / "test_b.py").write_text("def test_b():\n    pass\n")
    (tmp_path / "tests" / "test_c.py").write_text("def test_c():\n    pass\n")
    assert test_style(tmp_path) == "pytest"

"""Plain characterisation tests from the project's own values: mining, annotation checks, and a real
sandboxed generation + validation on a small project whose missed lines sit just past its tests' values."""

from __future__ import annotations

import ast
import importlib.util
import sys
import typing
from pathlib import Path

from empathy_os.testgen.candidates import Candidate, Reason, generate_offline
from empathy_os.testgen.gaps import Gap
from empathy_os.testgen.mutate import mutants
from empathy_os.testgen.sandbox import Sandbox
from empathy_os.testgen.validate import validate_batch

_spec = importlib.util.spec_from_file_location(
    "_genvalues_under_test", Path(__file__).parents[2] / "server/empathy_os/testgen/_genvalues.py")
GV = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(GV)

TESTS = '''
import pytest
from months import month_name


@pytest.mark.parametrize("text, name", [("03", "mar"), ("11", "nov")])
def test_names(text, name):
    """A docstring is not a value."""
    assert month_name(text) == name


def test_literal_call():
    assert month_name(text="01") == "jan"
'''
MONTHS = '''class ParseError(ValueError):
    pass


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def month_name(text: str) -> str:
    try:
        return MONTHS[int(text) - 1]
    except IndexError:
        raise ParseError(f"no month {text}") from None
'''


def test_values_come_from_calls_and_literals_of_test_modules_naming_the_target():
    found = GV.Examples()
    found.scan(ast.parse(TESTS))
    # A parametrized test's call, once per row of its table; a literal call as written.
    assert found.calls["month_name"] == [(["03"], {}), (["11"], {}), ([], {"text": "01"})]
    pool = found.pool("month_name")
    assert {"03", "11", "mar", "nov", "01", "jan"} <= set(pool)
    assert "A docstring is not a value." not in pool
    assert found.pool("unrelated") == []
    found.scan_doctest(">>> month_name('12')\n'dec'\n")
    assert ([ "12"], {}) in found.calls["month_name"]


def test_starred_calls_long_literals_and_attribute_mentions():
    found = GV.Examples()
    found.scan(ast.parse("import months\n\n\ndef test_x():\n    args = ['01']\n    months.month_name(*args)\n"
                         f"    months.month_name(b'07')\n    note = '{'x' * 201}'\n"))
    assert found.calls["month_name"] == [([b"07"], {})]  # a starred call's arguments are unknown
    pool = found.pool("month_name")  # named as an attribute of its module
    assert set(pool) == {"01", b"07"}  # a literal over 200 characters is not a value


def test_near_variants_follow_each_value():
    assert GV.neighbours(["03", 5])[:6] == ["03", "99", "0", "033", 5, 6]


def test_values_that_violate_the_annotation_are_refused():
    assert GV.fits("x", str) and not GV.fits(b"x", str)
    assert GV.fits(None, int | None) and not GV.fits("1", int | None) and not GV.fits(True, int) and GV.fits(2, float)
    assert GV.fits("a", typing.Literal["a", "b"]) and not GV.fits("c", typing.Literal["a", "b"])
    assert GV.fits(object(), typing.Any) and GV.fits([1], list[int])


def test_an_except_made_to_catch_nothing_is_a_mutant():
    made = mutants(MONTHS, {11, 12})  # the except line and its raise
    assert [m.kind for m in made] == ["except catches nothing", "remove raise", "constant 'no month '"]
    assert "except ():" in made[0].source


def month_project(root: Path) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "months.py").write_text(MONTHS, encoding="utf-8")
    (root / "tests" / "test_months.py").write_text(TESTS, encoding="utf-8")
    return root


async def test_a_variant_of_the_suites_value_reaches_the_missed_except_and_kills_its_mutants(tmp_path):
    gap = Gap(path="months.py", module="months", symbol="month_name", line=8, end_line=12, missing={11, 12},
              raises=["ParseError"])
    sandbox = Sandbox.create(month_project(tmp_path / "p"), sys.executable)
    try:
        result = (await generate_offline(sandbox, [gap]))[gap.key]
        assert result.plain is not None, result.plain_error
        # Only the call that reaches lines 11-12 is kept, asserting the project's own exception.
        assert ("def test_month_name_raises_parse_error():\n"
                "    with pytest.raises(months.ParseError, match='^no month 99$'):\n"
                "        months.month_name(text='99')") in result.plain
        assert "== 'mar'" not in result.plain
        verdict, = await validate_batch(sandbox, [Candidate(gap, "plain", result.plain)],
                                        {gap.path: "tests/test_months_generated.py"}, {gap.key: (set(), set())})
        assert verdict.reason is Reason.KEPT, verdict.detail
        assert verdict.new_lines == {11, 12}
        assert verdict.strength.made == verdict.strength.killed == 3  # the message constant too
    finally:
        sandbox.cleanup()

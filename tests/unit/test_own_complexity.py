"""Empathy's own code keeps the bar it holds projects to: no block radon rates D or worse (cyclomatic
complexity over 20), no function over 60 lines. Measured with radon's API, as `radon cc -n D` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit
from radon.visitors import Class

PACKAGE = Path(__file__).parents[2] / "server" / "empathy_os"
MAX_LINES = 60


def _blocks(blocks):
    """radon's blocks (functions, classes and their methods) and the functions nested in them."""
    for block in blocks:
        yield block
        yield from _blocks(getattr(block, "closures", []) or [])


def _measured() -> list[tuple[str, object]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE.parent).as_posix()
        out += [(where, block) for block in _blocks(cc_visit(path.read_text(encoding="utf-8")))]
    return out


@pytest.fixture(scope="module")
def measured():
    found = _measured()
    assert len(found) > 500, "radon found too few blocks: is the package where the test looks?"
    return found


def test_no_block_rated_d_or_worse(measured):
    bad = [f"{where}:{b.lineno} {b.fullname} {cc_rank(b.complexity)} ({b.complexity})"
           for where, b in measured if cc_rank(b.complexity) >= "D"]
    assert not bad, "radon rates these D or worse (split them into named parts):\n" + "\n".join(bad)


def test_no_function_over_60_lines(measured):
    long = [f"{where}:{b.lineno} {b.fullname} {b.endline - b.lineno + 1} lines"
            for where, b in measured if not isinstance(b, Class) and b.endline - b.lineno + 1 > MAX_LINES]
    assert not long, f"functions over {MAX_LINES} lines:\n" + "\n".join(long)


def test_the_checks_see_a_bad_function():
    """The measure itself: a function with 21 branches is rated D, one of 61 lines is long."""
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(20))
    [block] = cc_visit(f"def f(x):\n{branches}    return -1\n")
    assert cc_rank(block.complexity) == "D" and block.endline - block.lineno + 1 == 42
    [long] = cc_visit("def g():\n" + "    x = 1\n" * 60)
    assert long.endline - long.lineno + 1 == 61 > MAX_LINES

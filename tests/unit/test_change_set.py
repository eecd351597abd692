"""One change set: the changes of a run verified together (one suite run when they all hold), bisected only
when the set fails, and written in one go — two changes to one file included."""

from __future__ import annotations

from pathlib import Path

import pytest
from empathy_os.changes.apply import apply_verdict
from empathy_os.changes.change_set import verify_set
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind

from tests.unit.changes_helpers import copy_fixproj, edit


@pytest.fixture
def fixproj(tmp_path: Path) -> Path:
    return copy_fixproj(tmp_path)


def change(cid: str, diff: str) -> Change:
    return Change(id=cid, agent="user", kind=ChangeKind.PATCH, diff=diff)


async def test_two_changes_to_one_file_are_verified_and_written_together(fixproj: Path):
    top = change("top", edit(fixproj, "calc/parse.py", '"""Parsing numbers."""', '"""Parsing numbers (text)."""'))
    bottom = change("bottom", edit(fixproj, "calc/parse.py", '    """Read a JSON document."""',
                                   '    """Read one JSON document."""'))
    other = change("other", edit(fixproj, "calc/other.py", "return 2 * x", "return x * 2"))
    async with Verifier.for_project(fixproj) as verifier:
        result = await verify_set(verifier, [top, bottom, other])
    assert result.runs == 1 and result.rejected == [] and result.apart == []
    assert result.main.ids == ["top", "bottom", "other"] and result.main.verdict.verified
    assert sorted(result.main.verdict.touched) == ["calc/other.py", "calc/parse.py"]
    assert apply_verdict(fixproj, result.main.verdict) is None
    text = (fixproj / "calc/parse.py").read_text()
    assert "Parsing numbers (text)." in text and "Read one JSON document." in text
    assert "return x * 2" in (fixproj / "calc/other.py").read_text()


async def test_a_failing_set_is_bisected_down_to_the_bad_change(fixproj: Path):
    doc = change("doc", edit(fixproj, "calc/other.py", '"""Twice ``x``."""', '"""Two times ``x``."""'))
    fix = change("fix", edit(fixproj, "calc/parse.py", "    except:\n", "    except ValueError:\n"))
    bad = change("bad", edit(fixproj, "calc/parse.py", "return json.loads(text)", "return json.loads(text) + [0]"))
    ver = change("ver", edit(fixproj, "calc/parse.py", "def version(tool):\n",
                             'def version(tool):\n    """The tool\'s version."""\n'))
    async with Verifier.for_project(fixproj) as verifier:
        result = await verify_set(verifier, [doc, fix, bad, ver])
    assert [c.id for c, _ in result.rejected] == ["bad"]
    assert any(r.startswith("tests:") for r in result.rejected[0][1].reasons)
    assert result.main is not None and result.main.ids == ["doc", "fix", "ver"] and result.main.verdict.verified
    assert result.runs == 6  # the set, its two halves, the bad half's two quarters, the good three together

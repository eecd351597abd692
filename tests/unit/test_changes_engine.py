"""The verification engine on real files: git apply in a private copy, real ruff/bandit/interrogate runs,
the project's real test suite under coverage.py."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from empathy_os.changes.engine import Verifier, verify_patch
from empathy_os.changes.model import Change, ChangeKind, Region

from tests.unit.changes_helpers import copy_fixproj, edit


@pytest.fixture
def fixproj(tmp_path: Path) -> Path:
    return copy_fixproj(tmp_path)


def change(diff: str, kind: ChangeKind = ChangeKind.PATCH, **kw) -> Change:
    return Change(id=kw.pop("id", "c"), agent="user", kind=kind, diff=diff, **kw)


async def test_one_copy_one_baseline_for_several_changes(fixproj: Path):
    good = edit(fixproj, "calc/parse.py", "    except:\n", "    except ValueError:\n")
    breaks = edit(fixproj, "calc/parse.py", "        return None\n", "        return 0\n")
    new_finding = edit(fixproj, "calc/parse.py", "    except:\n", "    except ValueError as exc:\n")
    before = {p: p.read_bytes() for p in fixproj.rglob("*") if p.is_file()}
    async with Verifier.for_project(fixproj) as verifier:
        ok = await verifier.verify(change(good))
        baseline = verifier._baseline
        broken = await verifier.verify(change(breaks))
        worse = await verifier.verify(change(new_finding))
        assert verifier._baseline is baseline  # measured once
        again = await verifier.verify(change(good))  # the copy was put back after each change
    assert ok.verified and again.verified, ok.reasons
    assert [c.name for c in ok.checks] == ["applies", "tests-untouched", "scope", "parses", "python-range",
                                           "public-names", "no-new-findings", "declared-linters", "tests", "coverage"]
    assert ok.touched == ["calc/parse.py"]
    assert not broken.verified
    assert any("tests: " in r and "test_to_int_rejects_words" in r and "failed 3 times" in r for r in broken.reasons)
    assert not worse.verified
    assert any("F841" in r for r in worse.reasons), worse.reasons
    assert {p: p.read_bytes() for p in fixproj.rglob("*") if p.is_file()} == before  # project untouched


async def test_claimed_finding_must_be_gone(fixproj: Path):
    from empathy_os.analyzers import load_project, run_analyzer

    ruff = await run_analyzer("ruff", load_project(fixproj).__class__(root=fixproj, use_cache=False))
    e722 = [f for f in ruff.findings if f.rule == "E722"]
    assert len(e722) == 1
    cosmetic = edit(fixproj, "calc/parse.py", "        return None\n", "        return None  # not a number\n")
    fixed = edit(fixproj, "calc/parse.py", "    except:\n", "    except ValueError:\n")
    async with Verifier.for_project(fixproj) as verifier:
        left = await verifier.verify(change(cosmetic, ChangeKind.FIX, findings=e722))
        gone = await verifier.verify(change(fixed, ChangeKind.FIX, findings=e722))
    assert not left.verified
    assert left.reasons[0].startswith("finding-gone: 0 of 1 claimed finding(s) gone; still reported: E722")
    assert gone.verified
    assert gone.measurements()["finding-gone"]["gone"] == 1


async def test_scope_files_and_lines(fixproj: Path):
    other = edit(fixproj, "calc/other.py", "2 * x", "x + x")
    far = edit(fixproj, "calc/parse.py", "    return json.loads(text)\n", "    return json.loads(text or 'null')\n")
    async with Verifier.for_project(fixproj) as verifier:
        wrong_file = await verifier.verify(change(other, files=["calc/parse.py"]))
        wrong_lines = await verifier.verify(change(far, regions=[Region(path="calc/parse.py", start=7, end=12)]))
    assert wrong_file.reasons == ["scope: edits calc/other.py, which it does not claim (allowed: calc/parse.py)"]
    assert not wrong_lines.verified and "outside the claimed lines 7-12" in wrong_lines.reasons[0]


async def test_docstring_change_must_leave_the_code_alone(fixproj: Path):
    doc = edit(fixproj, "calc/parse.py", "def version(tool):\n",
               'def version(tool):\n    """The first line `tool --version` prints."""\n')
    sneaky = edit(fixproj, "calc/parse.py", "def version(tool):\n    return subprocess",
                  'def version(tool):\n    """The version."""\n    return "1" or subprocess')
    async with Verifier.for_project(fixproj) as verifier:
        good = await verifier.verify(change(doc, ChangeKind.DOCSTRING))
        bad = await verifier.verify(change(sneaky, ChangeKind.DOCSTRING))
    assert good.verified, good.reasons
    assert good.measurements()["docstrings"]["missing_before"] == 1
    assert good.measurements()["docstrings"]["missing_after"] == 0
    assert not bad.verified
    assert bad.reasons[0] == "ast-unchanged: code changed with docstrings removed: calc/parse.py"


async def test_syntax_error_and_malformed_diff(fixproj: Path):
    broken = edit(fixproj, "calc/other.py", "return 2 * x", "return 2 *")
    async with Verifier.for_project(fixproj) as verifier:
        syntax = await verifier.verify(change(broken))
        garbage = await verifier.verify(change("this is not a diff\n"))
        stale = await verifier.verify(change(broken.replace("return 2 * x", "return 3 * x")))
    assert syntax.reasons == ["parses: does not parse: calc/other.py line 6: invalid syntax"]
    assert garbage.bad_input and "does not apply" in garbage.bad_input and not garbage.checks
    assert stale.bad_input and "patch does not apply" in stale.bad_input


async def test_flaky_test_is_not_blamed_on_the_change(fixproj: Path):
    # Fails on its second run only: the baseline passes, the run after the change fails, the re-run passes.
    (fixproj / "tests" / "test_flaky.py").write_text(textwrap.dedent("""\
        import os
        from pathlib import Path

        def test_sometimes():
            counter = Path(os.environ["HOME"]) / "runs"
            n = int(counter.read_text()) if counter.exists() else 0
            counter.write_text(str(n + 1))
            assert n != 1
    """), encoding="utf-8")
    doc = edit(fixproj, "calc/other.py", '"""Twice ``x``."""', '"""Two times ``x``."""')
    async with Verifier.for_project(fixproj) as verifier:
        verdict = await verifier.verify(change(doc))
    assert verdict.verified, verdict.reasons
    tests = verdict.measurements()["tests"]
    assert tests["flaky"] == ["tests/test_flaky.py::test_sometimes"] and tests["broken"] == []


async def test_untrusted_project_cannot_be_verified(fixproj: Path):
    good = edit(fixproj, "calc/parse.py", "    except:\n", "    except ValueError:\n")
    verdict = await verify_patch(fixproj, good, trusted=False)
    assert not verdict.verified
    assert verdict.reasons[-1].startswith("tests: not run: workspace not trusted")


async def test_coverage_of_touched_file_must_not_drop(fixproj: Path):
    # New code no test runs leaves calc/other.py less covered.
    diff = edit(fixproj, "calc/other.py", '"""Twice ``x``."""\n', '"""Twice ``x``."""\n    if x is None:\n        return 0\n')
    async with Verifier.for_project(fixproj) as verifier:
        verdict = await verifier.verify(change(diff))
    reasons = " | ".join(verdict.reasons)
    assert "coverage: lower: calc/other.py: 0 → 1 statement(s) not run by the tests (100.0% → 75.0%)" in reasons


async def test_without_tests_only_docstring_and_nosec_changes_can_be_verified(tmp_path: Path):
    (tmp_path / "mod.py").write_text('def f(x):\n    return x + 1\n', encoding="utf-8")
    code = edit(tmp_path, "mod.py", "x + 1", "x + 2")
    doc = edit(tmp_path, "mod.py", "def f(x):\n", 'def f(x):\n    """One more than ``x``."""\n')
    async with Verifier.for_project(tmp_path) as verifier:
        rejected = await verifier.verify(change(code))
        documented = await verifier.verify(change(doc, ChangeKind.DOCSTRING))
    assert rejected.reasons == [("tests: the project has no tests that pytest collects, so a code change "
                                 "cannot be shown to work")]
    assert documented.verified, documented.reasons


async def test_a_suite_that_cannot_collect_shows_nothing(tmp_path: Path):
    # Like iso8601 2.1.0 in an environment without hypothesis: the only test module fails to import.
    (tmp_path / "mod.py").write_text('def f(x):\n    return x + 1\n', encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_mod.py").write_text("import not_installed_anywhere\n\n\ndef test_f():\n    pass\n",
                                                     encoding="utf-8")
    code = edit(tmp_path, "mod.py", "x + 1", "x + 2")
    doc = edit(tmp_path, "mod.py", "def f(x):\n", 'def f(x):\n    """One more than ``x``."""\n')
    async with Verifier.for_project(tmp_path) as verifier:
        rejected = await verifier.verify(change(code))
        documented = await verifier.verify(change(doc, ChangeKind.DOCSTRING))
    [reason] = rejected.reasons
    assert reason.startswith("tests: no test of the project passes before the change (1 failing or not collected: "
                             "collect:tests/test_mod.py")
    assert reason.endswith("so a code change cannot be shown to work")
    assert documented.verified, documented.reasons

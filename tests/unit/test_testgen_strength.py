"""Batch validation and strength: real sandboxed pytest runs, real mutants, on copies of the sample."""

from __future__ import annotations

import sys
from pathlib import Path

from empathy_os.testgen.candidates import Candidate, Reason
from empathy_os.testgen.gaps import Gap, is_test_module
from empathy_os.testgen.mutate import mutants
from empathy_os.testgen.sandbox import Sandbox
from empathy_os.testgen.validate import validate_batch
from empathy_os.workflows.test_coverage_boost import uncollected_note

TAX = Gap(path="inventory/pricing.py", module="inventory.pricing", symbol="tax_amount", line=27, end_line=30,
          missing={28, 29, 30})
STRONG = "from inventory.pricing import tax_amount\n\n\ndef test_tax():\n    assert tax_amount(10.0) == 2.0\n"
# Runs the lines but checks nothing, not even that they do not raise: every mutant survives.
WEAK = ("from inventory.pricing import tax_amount\n\n\ndef test_tax_runs():\n    try:\n        tax_amount(10.0)\n"
        "    except Exception:\n        pass\n")
CRASH = """from hypothesis import given, settings, strategies as st
import inventory.pricing


@settings(deadline=None, database=None)
@given(rate=st.floats(min_value=1.5, max_value=2.0))
def test_fuzz_tax_amount(rate: float) -> None:
    result = inventory.pricing.tax_amount(amount=10.0, rate=rate)
    assert isinstance(result, float)
"""
FAILS = STRONG.replace("== 2.0", "== 3.0").replace("test_tax", "test_wrong")


async def test_one_batch_judges_each_candidate_on_its_own(sample_project: Path):
    sandbox = Sandbox.create(sample_project, sys.executable)
    try:
        gained = {TAX.key: (set(), set())}
        verdicts = await validate_batch(
            sandbox,
            [Candidate(TAX, "plain", FAILS), Candidate(TAX, "plain", WEAK), Candidate(TAX, "ghostwriter", CRASH),
             Candidate(TAX, "plain", STRONG)],
            {TAX.path: "tests/test_pricing_generated.py"}, gained)
        failed, weak, crash, strong = verdicts
        assert failed.reason is Reason.FAILED and "assert 2.0 == 3.0" in failed.detail
        assert weak.reason is Reason.WEAK and "killed none of" in weak.detail and weak.strength.made > 0
        assert crash.reason is Reason.CRASH and "ValueError" in crash.detail and "rate=" in crash.detail
        assert strong.reason is Reason.KEPT and strong.new_lines == {28, 30}
        assert 0 < strong.strength.killed <= strong.strength.made
        assert strong.to_json()["mutants_killed"] == strong.strength.killed
        assert gained[TAX.key][0] == {28, 30}
        # The candidates' files are gone again: the copy is ready for the next batch.
        assert not list((sandbox.copy / "tests").glob("test_empathy_candidate_*.py"))
    finally:
        sandbox.cleanup()


def test_mutants_of_the_given_lines_only_and_never_of_docstrings():
    source = ('def f(x: int) -> int:\n    """Doc 1."""\n    if x < 3 and x != 0:\n        return x + 1\n'
              '    return 0\n')
    made = mutants(source, {3, 4})
    kinds = {(m.line, m.kind) for m in made}
    assert (3, "flip Lt") in kinds and (3, "and/or") in kinds and (4, "drop return") in kinds
    assert all(m.line in (3, 4) for m in made)
    assert not any("Doc 1" in m.kind for m in made)
    assert all(m.source != source for m in made)


def test_test_and_helper_modules_are_never_targets():
    for rel in ("tests.py", "pkg/tests/helpers.py", "test/util.py", "conftest.py", "pkg/test_x.py", "x_test.py"):
        assert is_test_module(rel), rel
    for rel in ("pkg/core.py", "testing_tools.py", "src/pkg/contest.py"):
        assert not is_test_module(rel), rel


def test_an_uncollected_suite_is_explained(tmp_path: Path):
    (tmp_path / "tests.py").write_text("import unittest\n")
    assert "tests.py" in uncollected_note(tmp_path)


async def test_mutants_apply_even_when_a_conftest_imports_the_target(sample_project: Path):
    """pytest is configured once per test file and forked per mutant, unless the target was imported
    while pytest was configured (here by a conftest): then each mutant gets a fresh pytest. Both ways
    must give the same verdicts."""
    from empathy_os.testgen.mutate import strength

    made = mutants((sample_project / TAX.path).read_text(encoding="utf-8"), {28, 29, 30})
    results = []
    for conftest in (None, "import inventory.pricing  # imported at configuration\n"):
        if conftest is not None:
            (sample_project / "tests" / "conftest.py").write_text(conftest)
        sandbox = Sandbox.create(sample_project, sys.executable)
        try:
            for name, text in (("test_strong.py", STRONG), ("test_weak.py", WEAK)):
                (sandbox.copy / "tests" / name).write_text(text)
            jobs = [(f"tests/{n}", TAX.path, made) for n in ("test_strong.py", "test_weak.py")]
            results.append(await strength(sandbox, jobs, sandbox.pytest_args(sandbox.next_id())[2:]))
        finally:
            sandbox.cleanup()
    for strong, weak in results:
        assert strong.error is None and 0 < strong.killed <= strong.made == len(made)
        assert weak.error is None and weak.killed == 0 and len(weak.survivors) == len(made)
    assert [r.killed for r in results[0]] == [r.killed for r in results[1]]


async def test_shared_bytecode_stays_in_the_sandbox_and_never_stands_in_for_a_mutant(sample_project: Path):
    """With share_bytecode (the boost), warm runs write what they compile to the sandbox's own folder,
    and later runs read it; a mutant run must still import the mutated source, not that bytecode."""
    sandbox = Sandbox.create(sample_project, sys.executable)
    sandbox.share_bytecode = True
    await sandbox.start_warm()
    try:
        assert sandbox.warm is not None
        gained = {TAX.key: (set(), set())}
        (kept,) = await validate_batch(sandbox, [Candidate(TAX, "plain", STRONG)],
                                       {TAX.path: "tests/test_pricing_generated.py"}, gained)
        compiled = {p.name.split(".")[0] for p in sandbox.pycache.rglob("*.pyc")}
        assert {"pricing", "test_empathy_candidate_1"} <= compiled, compiled  # the target, the rewritten test
        assert kept.reason is Reason.KEPT and kept.strength.killed > 0  # a pyc of the target would kill none
        assert not [p for p in sandbox.copy.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"]
    finally:
        await sandbox.stop_warm()
        sandbox.cleanup()


def test_batches_are_dealt_by_weight_so_the_two_processes_end_together(tmp_path: Path):
    from empathy_os.testgen.measure import _deal

    sandbox = Sandbox.create(tmp_path, sys.executable)
    try:
        names = [f"t{i}.py" for i in range(6)]
        for n in names:  # plain tests first, the Hypothesis ones last: the order validate gives
            (sandbox.copy / n).write_text("@given(x=st.integers())\n" if n in ("t3.py", "t4.py", "t5.py") else "")
        shares = _deal(sandbox, names, 2)
        fuzz = [sum(n in ("t3.py", "t4.py", "t5.py") for n in share) for share in shares]
        assert sorted(fuzz) == [1, 2] and sorted(len(s) for s in shares) == [2, 4], shares
        assert sorted(n for s in shares for n in s) == names
    finally:
        sandbox.cleanup()


async def test_every_group_of_every_family_is_judged_once(sample_project: Path):
    """Test files in three folders are three families (their own conftests); each family's lanes take
    its groups from one queue: every group must be judged, once, with the same verdict."""
    from empathy_os.testgen.mutate import strength

    made = mutants((sample_project / TAX.path).read_text(encoding="utf-8"), {28, 29, 30})
    names = ["tests/test_a.py", "tests/sub/test_b.py", "other/test_c.py", "tests/test_d.py", "other/test_e.py",
             "tests/test_weak.py"]
    sandbox = Sandbox.create(sample_project, sys.executable)
    try:
        for name in names:
            (sandbox.copy / name).parent.mkdir(parents=True, exist_ok=True)
            (sandbox.copy / name).write_text(WEAK if "weak" in name else STRONG)
        results = await strength(sandbox, [(n, TAX.path, made) for n in names],
                                 sandbox.pytest_args(sandbox.next_id())[2:])
    finally:
        sandbox.cleanup()
    *strong, weak = results
    assert all(r.error is None and r.made == len(made) for r in results)
    assert len({r.killed for r in strong}) == 1 and strong[0].killed > 0
    assert weak.killed == 0 and len(weak.survivors) == len(made)


async def test_a_test_failing_on_the_unmutated_module_cannot_judge_and_nothing_to_mutate_runs_nothing(
        sample_project: Path):
    from empathy_os.testgen.mutate import Strength, strength

    made = mutants((sample_project / TAX.path).read_text(encoding="utf-8"), {28, 29, 30})
    sandbox = Sandbox.create(sample_project, sys.executable)
    try:
        for name, text in (("test_wrong.py", FAILS), ("test_strong.py", STRONG)):
            (sandbox.copy / "tests" / name).write_text(text)
        args = sandbox.pytest_args(sandbox.next_id())[2:]
        wrong, strong, empty = await strength(
            sandbox, [("tests/test_wrong.py", TAX.path, made), ("tests/test_strong.py", TAX.path, made),
                      ("tests/test_strong.py", TAX.path, [])], args)
        assert wrong.error == "the test did not pass against the unmutated module loaded by the harness"
        assert wrong.killed == 0 and not wrong.survivors  # its mutants are not judged ...
        assert strong.error is None and 0 < strong.killed <= strong.made  # ... the other file's are
        assert (empty.made, empty.error) == (0, None)
        assert await strength(sandbox, [("tests/test_strong.py", TAX.path, [])], args) == [Strength(made=0)]
        [late] = await strength(sandbox, [("tests/test_strong.py", TAX.path, made)], args, timeout=0.01)
        assert late.made == len(made) and late.error.startswith("mutation run: ")
    finally:
        sandbox.cleanup()

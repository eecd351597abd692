"""The rules of stage 3 (testgen/validate.py) as tables: which verdict a measured batch run gives a
candidate, when a failure is a crash found by fuzzing, and where a generated test file goes.

`_verdict` is fed real `BatchRun` records (what measure.run_batch returns); the end-to-end tests in
test_testgen_validate.py / test_validate_verdicts.py produce such runs from real pytest processes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from empathy_os.testgen.candidates import Candidate, Reason
from empathy_os.testgen.gaps import Gap
from empathy_os.testgen.measure import BatchRun
from empathy_os.testgen.validate import RUNS, _crash, _verdict, test_path_for, tests_folder

GAP = Gap(path="pkg/m.py", module="pkg.m", symbol="f", line=1, end_line=10, missing={2, 3, 4, 5},
          missing_arcs={(2, 3), (3, 5)})
REL = "tests/test_empathy_candidate_1.py"
T1, T2 = f"{REL}::test_a", f"{REL}::test_b"
OTHER = "tests/test_empathy_candidate_2.py::test_z"


def box(os_sandbox: bool = True) -> SimpleNamespace:
    return SimpleNamespace(isolation=SimpleNamespace(os_sandbox=os_sandbox))


def run(**fields) -> BatchRun:
    fields.setdefault("outcomes", {T1: ["passed"] * RUNS})
    return BatchRun(returncode=0, output="...pytest output tail", duration=1.0, **fields)


def verdict_of(batch: BatchRun, origin: str = "plain", have=(set(), set()), os_sandbox: bool = True):
    gained = {GAP.key: (set(have[0]), set(have[1]))}
    return _verdict(box(os_sandbox), Candidate(GAP, origin, "def test_a(): ..."), REL, batch, gained)


def cov(*per_test):
    return {GAP.path: dict(per_test)}


@pytest.mark.parametrize(("batch", "reason", "detail"), [
    (run(error="timed out after 4 s"), Reason.TIMEOUT, "timed out after 4 s"),
    (run(error="the runner died (exit -9)"), Reason.FAILED, "the runner died (exit -9)\n...pytest output tail"),
    (run(writes={T1: ["b.txt", "a.txt", "a.txt"]}), Reason.WRITES, "wrote a.txt, b.txt"),
    (run(writes={OTHER: ["x"]}, outcomes={T1: ["passed"] * 3, OTHER: ["passed"] * 3}, coverage=cov((T1, ({2}, set())))),
     None, None),  # another candidate's write is not this one's
    (run(collect_errors={REL: "ImportError: no module named nope"}), Reason.FAILED,
     "could not be collected:\nImportError: no module named nope"),
    (run(outcomes={}), Reason.NO_TESTS, "pytest collected no test from it"),
    (run(outcomes={OTHER: ["passed"] * 3}), Reason.NO_TESTS, "pytest collected no test from it"),
    (run(outcomes={T1: ["passed", "failed", "passed"]}, failures={T1: "assert 1 == 2"}), Reason.FLAKY,
     f"{T1}: passed and failed across 3 runs\nassert 1 == 2"),
    (run(outcomes={T1: ["failed"] * 3}, failures={T1: "E   assert 1 == 2"}), Reason.FAILED, "E   assert 1 == 2"),
    (run(outcomes={T1: ["failed"] * 3}), Reason.FAILED, "...pytest output tail"),
    (run(), Reason.NO_GAIN, "ran no line of pkg/m.py in its tests; still missing lines: [2, 3, 4, 5]"),
    (run(coverage=cov((T1, ({9}, set())))), Reason.NO_GAIN,
     "passed, but covered no new line of f; still missing lines: [2, 3, 4, 5]"),
])
def test_verdict_table(batch, reason, detail):
    verdict, lines = verdict_of(batch)
    if reason is None:
        assert verdict is None and lines == ({2}, set())
        return
    assert lines is None and verdict.reason is reason and verdict.runs == RUNS
    assert verdict.detail == detail


def test_collection_error_of_another_file_does_not_count():
    batch = run(collect_errors={"tests/test_empathy_candidate_10.py": "boom"}, coverage=cov((T1, ({3}, set()))))
    assert verdict_of(batch) == (None, ({3}, set()))


@pytest.mark.parametrize(("os_sandbox", "how"), [
    (True, "refused by the kernel (read-only file system in the bubblewrap sandbox)"),
    (False, "refused by the in-process guard (best-effort isolation)"),
])
def test_blocked_writes_say_who_refused_them(os_sandbox, how):
    batch = run(blocked={T1: [f"/etc/x{i}" for i in range(7)]}, writes={T1: ["ignored.txt"]})
    verdict, lines = verdict_of(batch, os_sandbox=os_sandbox)
    assert lines is None and verdict.reason is Reason.WRITES
    assert verdict.detail == (f"tried to write outside its sandbox, {how}: "
                              + "; ".join(f"/etc/x{i}" for i in range(5)))


def test_gain_is_new_missing_lines_and_arcs_of_all_its_tests():
    batch = run(outcomes={T1: ["passed"] * 3, T2: ["passed"] * 3, OTHER: ["passed"] * 3},
                coverage=cov((T1, ({1, 2, 3}, {(2, 3), (1, 2)})), (T2, ({4}, {(3, 5)})), (OTHER, ({5}, set()))))
    assert verdict_of(batch, have=({3}, {(3, 5)})) == (None, ({2, 4}, {(2, 3)}))


def test_a_new_branch_alone_is_a_gain():
    batch = run(coverage=cov((T1, ({2, 3}, {(2, 3)}))))
    assert verdict_of(batch, have=({2, 3}, set())) == (None, (set(), {(2, 3)}))


def test_no_gain_names_the_lines_still_missing_after_earlier_gains():
    verdict, _ = verdict_of(run(coverage=cov((T1, ({2}, set())))), have=({2, 4}, set()))
    assert verdict.reason is Reason.NO_GAIN and verdict.detail.endswith("still missing lines: [3, 5]")


FALSIFIED = ("E   ValueError: negative amount\nE   Falsifying example: test_fuzz_f(\nE       amount=-1,\n"
             "E   )\n")


@pytest.mark.parametrize(("origin", "failure", "crash"), [
    ("ghostwriter", FALSIFIED, ("f raised ValueError: negative amount on input the fuzz test drew from its "
                               "annotations: Falsifying example: test_fuzz_f( amount=-1, )")),
    ("ghostwriter", FALSIFIED.replace("Falsifying example", "Failing test case"),
     ("f raised ValueError: negative amount on input the fuzz test drew from its annotations: "
     "Failing test case: test_fuzz_f( amount=-1, )")),
    ("plain", FALSIFIED, None),  # only fuzz tests find crashes; a plain test that fails just failed
    ("ghostwriter", "E   ValueError: negative amount\n", None),  # no drawn input: not a fuzz failure
    ("ghostwriter", "E   AssertionError: assert 1 == 2\nE   Falsifying example: t(x=0)\n", None),
    ("ghostwriter", "E   ValueError: x\nE   AssertionError: the property\nE   Falsifying example: t(x=0)\n", None),
    ("ghostwriter", "Falsifying example: t(x=0)\nE   KeyError: 'k'\n",
     "f raised KeyError: 'k' on input the fuzz test drew from its annotations: see the test output"),
    ("ghostwriter", "E   some text\nE   Falsifying example: t(x=0)\n", None),  # nothing was raised
])
def test_crash_table(origin, failure, crash):
    assert _crash(Candidate(GAP, origin, ""), failure) == crash


def test_a_fuzz_crash_is_its_own_verdict():
    batch = run(outcomes={T1: ["failed"] * 3}, failures={T1: FALSIFIED})
    verdict, _ = verdict_of(batch, origin="ghostwriter")
    assert verdict.reason is Reason.CRASH and verdict.detail.startswith("f raised ValueError: negative amount")


def test_example_is_cut_after_twelve_lines():
    failure = "E   TypeError: bad\nE   Falsifying example: t(\n" + "".join(f"E   a{i}={i},\n" for i in range(20))
    crash = _crash(Candidate(GAP, "ghostwriter", ""), failure)
    assert crash.endswith("a10=10,") and "a11" not in crash  # the example line and 11 after it


def test_a_project_without_a_tests_folder_gets_its_test_at_the_root(tmp_path):
    assert test_path_for(tmp_path, "", "pkg.m", {"test_m_generated.py"}) == "test_m_generated_2.py"


@pytest.mark.parametrize(("folders", "files", "expected"), [
    (["tests", "test"], [], "tests"), (["test"], [], "test"), ([], [], "tests"), ([], ["tests", "test"], "tests"),
])
def test_tests_folder(tmp_path, folders, files, expected):
    for name in folders:
        (tmp_path / name).mkdir()
    for name in files:
        (tmp_path / name).write_text("")
    assert tests_folder(tmp_path) == expected


def test_written_files_are_listed_up_to_ten():
    files = [f"f{i:02}.txt" for i in range(12)]
    verdict, _ = verdict_of(run(writes={T1: files}))
    assert verdict.reason is Reason.WRITES and verdict.detail == "wrote " + ", ".join(files[:10])

"""A change never grades itself (issue 23 §1, §2a): hostile patches from tests/fixtures/hostile/ against the
real engine (git apply in a private copy, the project's real pytest under coverage.py, real `empathy verify`
processes). Each case was `verified: true` before the project's original tests judged the changed code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
EMPATHY = [sys.executable, "-m", "empathy_os"]


def project(case: str, tmp_path: Path) -> Path:
    dest = tmp_path / case
    shutil.copytree(HOSTILE / case / "project", dest)
    return dest


def patch(case: str, name: str) -> str:
    return (HOSTILE / case / name).read_text(encoding="utf-8")


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    return subprocess.run([*EMPATHY, *args], capture_output=True, text=True, env=env, input=stdin, timeout=600,
                          check=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


async def verify_all(root: Path, case: str, names: list[str]) -> dict:
    async with Verifier.for_project(root) as verifier:
        return {n: await verifier.verify(Change(id=n, agent="user", kind=ChangeKind.PATCH, diff=patch(case, n)))
                for n in names}


async def test_a_broken_function_with_a_weakened_test_is_rejected(tmp_path: Path):
    root = project("weakened-test", tmp_path)
    before = snapshot(root)
    weakened = ["is-not-none.diff", "assert-true.diff", "drop-assert.diff", "delete-test.diff"]
    verdicts = await verify_all(root, "weakened-test", weakened)
    for name in weakened:
        v = verdicts[name]
        assert not v.verified, name
        assert v.reasons[0].startswith("tests-untouched: edits the tests that judge it: "), (name, v.reasons)
        assert "tests/test_ops.py" in v.reasons[0]
    assert "removes or changes `test_add`" in verdicts["delete-test.diff"].reasons[0] \
        or "deletes tests/test_ops.py" in verdicts["delete-test.diff"].reasons[0]
    assert snapshot(root) == before


async def test_new_tests_are_additions_that_must_pass_and_do_not_judge(tmp_path: Path):
    root = project("weakened-test", tmp_path)
    verdicts = await verify_all(root, "weakened-test", ["adds-a-test.diff", "adds-a-failing-test.diff"])
    good, failing = verdicts["adds-a-test.diff"], verdicts["adds-a-failing-test.diff"]
    assert good.verified, good.reasons
    assert good.measurements()["tests-untouched"]["added_tests"] == ["tests/test_ops.py::test_sub"]
    assert good.measurements()["additions"]["tests"] == ["tests/test_ops.py::test_sub"]
    # the judging run is the original suite: one test, test_add
    assert good.measurements()["tests"]["tests_passed"] == 1
    assert not failing.verified
    assert failing.reasons == ["additions: new test(s) fail on the changed code: tests/test_sub.py::test_sub\n"
                               + failing.measurements()["additions"]["detail"].split("\n", 1)[1]]


async def test_xfail_skip_and_config_are_refused(tmp_path: Path):
    root = project("xfail-conftest", tmp_path)
    names = ["conftest-xfail.diff", "skip-marker.diff", "pytestmark.diff", "config-deselect.diff"]
    verdicts = await verify_all(root, "xfail-conftest", names)
    expected = {
        "conftest-xfail.diff": "adds tests/conftest.py (loaded by pytest or Python on its own)",
        "skip-marker.diff": "tests/test_ops.py",
        "pytestmark.diff": "tests/test_ops.py",
        "config-deselect.diff": "edits [tool.pytest] or [tool.coverage] in pyproject.toml",
    }
    for name, part in expected.items():
        v = verdicts[name]
        assert not v.verified and "edits the tests that judge it" in v.reasons[0] and part in v.reasons[0], \
            (name, v.reasons)


async def test_outcome_hooks_cannot_rescue_broken_code(tmp_path: Path):
    root = project("outcome-hook", tmp_path)
    names = ["conftest-hook.diff", "test-module-hook.diff", "code-reaches-runner.diff", "shadow-pytest.diff"]
    verdicts = await verify_all(root, "outcome-hook", names)
    assert "adds conftest.py" in verdicts["conftest-hook.diff"].reasons[0]
    assert "makes addlib/ops.py import _pytest" in verdicts["code-reaches-runner.diff"].reasons[0]
    assert "adds pytest.py, which would stand in for the test runner" in verdicts["shadow-pytest.diff"].reasons[0]
    # A new test module that registers a hook at import passes its own static check: it is an addition. It
    # runs apart from the original tests, which judge the broken `add` and fail.
    smuggled = verdicts["test-module-hook.diff"]
    assert not smuggled.verified
    assert smuggled.measurements()["tests-untouched"]["passed"]
    assert "tests/test_ops.py::test_add" in smuggled.measurements()["tests"]["broken"]
    assert all(not v.verified for v in verdicts.values())


def test_binary_and_oversized_patches_exit_2_before_any_copy(tmp_path: Path):
    root = project("binary-patch", tmp_path)
    before = snapshot(root)
    binary = cli("verify", "--project-root", str(root), str(HOSTILE / "binary-patch" / "binary.diff"))
    assert binary.returncode == 2 and binary.stdout == ""
    assert binary.stderr.count("\n") == 1 and "binary patch (GIT binary patch)" in binary.stderr, binary.stderr
    big = "diff --git a/addlib/big.py b/addlib/big.py\nnew file mode 100644\n--- /dev/null\n+++ b/addlib/big.py\n" \
          "@@ -0,0 +1,70000 @@\n" + "".join(f"+X{i} = {i}\n" for i in range(70000))
    assert 1_000_000 < len(big) < 2_000_000
    over = cli("verify", "--project-root", str(root), "-", stdin=big)
    assert over.returncode == 2 and over.stderr.count("\n") == 1, over.stderr
    assert "over the 1.0 MB limit" in over.stderr
    small_limit = cli("verify", "--project-root", str(root), "--max-patch-bytes", "100",
                      str(HOSTILE / "weakened-test" / "assert-true.diff"))
    assert small_limit.returncode == 2 and "over the 100 bytes limit" in small_limit.stderr
    (root / "pyproject.toml").write_text((root / "pyproject.toml").read_text() + "\n[tool.empathy]\nmax_patch_bytes = 50\n")
    configured = cli("verify", "--project-root", str(root), str(HOSTILE / "weakened-test" / "assert-true.diff"))
    assert configured.returncode == 2 and "over the 50 bytes limit" in configured.stderr
    (root / "pyproject.toml").write_text(before["pyproject.toml"].decode())
    assert snapshot(root) == before
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("empathy-verify-*/project/addlib/big.py"))


async def test_a_path_through_a_symlink_outside_is_refused(tmp_path: Path):
    root = project("weakened-test", tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.py").write_text("VALUE = 1\n")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    diff = ("diff --git a/linked/victim.py b/linked/victim.py\n--- a/linked/victim.py\n+++ b/linked/victim.py\n"
            "@@ -1 +1 @@\n-VALUE = 1\n+VALUE = 2\n")
    async with Verifier.for_project(root) as verifier:
        v = await verifier.verify(Change(id="l", agent="user", kind=ChangeKind.PATCH, diff=diff))
    assert not v.verified
    where = outside.resolve() / "victim.py"
    assert v.reasons == [f"inside-project: refused: resolves outside the project through a symlink: linked/victim.py → {where}"]
    assert (outside / "victim.py").read_text() == "VALUE = 1\n"


def test_only_additions_are_allowed_in_an_existing_test_file():
    from empathy_os.changes import judging

    old = b"import pytest\nfrom m import a\n\n\ndef test_a():\n    assert a() == 1\n\n\nclass TestA:\n    def test_x(self):\n        assert a()\n"

    def judge(new: bytes) -> tuple[str, list[str]]:
        check, additions = judging.check(judging.Judges(), ["tests/test_m.py"], {"tests/test_m.py": old}, {"tests/test_m.py": new})
        return ("ok" if check.passed else check.detail), additions.targets

    assert judge(old + b"\n\ndef test_b():\n    assert a() != 2\n") == ("ok", ["tests/test_m.py::test_b"])
    grown = old.replace(b"        assert a()\n", b"        assert a()\n\n    def test_y(self):\n        assert a()\n")
    assert judge(grown) == ("ok", ["tests/test_m.py::TestA::test_y"])
    assert judge(old.replace(b"from m import a\n", b"from m import a, b\n") + b"\ndef test_b():\n    assert b()\n") \
        == ("ok", ["tests/test_m.py::test_b"])
    assert "changes `test_a`" in judge(old.replace(b"== 1", b"is not None"))[0]
    assert "redefines `test_a`" in judge(old + b"\n\ndef test_a():\n    pass\n")[0]
    assert "rebinds a" in judge(old + b"\nfrom fake import a\n")[0]
    assert "adds a `xfail` marker" in judge(old + b"\n\n@pytest.mark.xfail\ndef test_c():\n    assert 0\n")[0]
    assert "adds code at line" in judge(old + b"\nimport m\nm.a = lambda: 1\n")[0]
    assert judge(old + b"\n\ndef test_skip_words():\n    assert a().skip(1) == a().skip(1)\n")[0] == "ok"
    assert "adds a `skip` marker" in judge(old.replace(b"import pytest\n", b"import pytest\nfrom pytest import skip\n")
                                            + b"\n\n@skip\ndef test_c():\n    assert 0\n")[0]
    assert "removes or changes `TestA`" in judge(old.split(b"\n\nclass")[0] + b"\n")[0]
    check, _ = judging.check(judging.Judges(), ["tests/data/expected.json"], {"tests/data/expected.json": b"[1]"},
                             {"tests/data/expected.json": b"[2]"})
    assert "edits tests/data/expected.json (a file of the tests)" in check.detail


def test_config_sections_and_local_plugins(tmp_path: Path):
    from empathy_os.changes import judging

    def detail(path: str, old: bytes | None, new: bytes | None, plugins: set[str] = frozenset()) -> str:
        return judging.check(judging.Judges(frozenset(plugins)), [path], {path: old}, {path: new})[0].detail

    cfg = b"[metadata]\nname = x\n\n[tool:pytest]\naddopts = -q\n"
    assert detail("setup.cfg", cfg, cfg.replace(b"name = x", b"name = y")).startswith("leaves")
    assert "pytest or coverage sections of setup.cfg" in detail("setup.cfg", cfg, cfg + b"xfail_strict = false\n")
    assert "coverage sections of tox.ini" in detail("tox.ini", b"[tox]\n", b"[tox]\n[coverage:run]\nomit = *\n")
    assert "adds .coveragerc" in detail(".coveragerc", None, b"[run]\nomit = *\n")
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = "-p myplug"\n')
    (tmp_path / "myplug.py").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "conftest.py").write_text('pytest_plugins = ["helpers.fixtures"]\n')
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "fixtures.py").write_text("")
    plugins = judging.local_plugins(tmp_path)
    assert plugins == {"myplug.py", "helpers/fixtures.py"}
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = "-p myplug"\n'
                                             'testpaths = ["testing", "src"]\n')
    (tmp_path / "testing").mkdir()
    (tmp_path / "src").mkdir()
    found = judging.judges(tmp_path)
    assert found.test_dirs == ("testing",)  # `src` holds doctests of the code, not tests
    assert found.is_test_side("testing/helpers.py") and not found.is_test_side("src/pkg/mod.py")
    assert "changes line 1 of testing/helpers.py" in judging.check(found, ["testing/helpers.py"], {"testing/helpers.py": b"x = 1\n"},
                                                       {"testing/helpers.py": b"x = 2\n"})[0].detail
    assert "a pytest plugin the project loads" in detail("helpers/fixtures.py", b"", b"x = 1\n", plugins)
    assert "stand in for the test runner's own `pytest`" in detail("src/pytest/__init__.py", None, b"")
    own = judging.Judges(tops=frozenset({"_pytest"}))  # pytest's own repository: its modules are its code
    assert judging.check(own, ["src/_pytest/new.py"], {"src/_pytest/new.py": None}, {"src/_pytest/new.py": b""})[0].passed


@pytest.mark.parametrize("name", ["weakened-test", "xfail-conftest", "outcome-hook"])
def test_fixture_projects_pass_their_own_tests(name: str, tmp_path: Path):
    """The hostile cases are only meaningful if the original tests pass on the original code."""
    root = project(name, tmp_path)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=root,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-1500:]

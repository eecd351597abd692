"""The OS sandbox of test generation: real bubblewrap, real writes refused by the kernel, real symlinks."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from empathy_os.testgen.sandbox import Sandbox, copy_project, isolation
from empathy_os.workflows.test_coverage_boost import TestCoverageBoostWorkflow

needs_bwrap = pytest.mark.skipif(not isolation().os_sandbox, reason=isolation().description)


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def write_project(root: Path, outside: Path, real_home: Path, tests_link: Path | None = None) -> None:
    """Functions whose side effects the static filter cannot see: a helper that writes to an absolute
    path outside (and swallows the error, so only the sandbox can tell), and a delete in the real home
    reached through importlib/getattr."""
    (root / "hostile").mkdir(parents=True)
    (root / "hostile" / "__init__.py").write_text("")
    (root / "hostile" / "core.py").write_text(f'''import importlib


def _store(text):
    try:
        with open({str(outside / "written.txt")!r}, "w") as fh:
            fh.write(text)
    except OSError:
        pass


def record(value: int) -> int:
    _store(str(value))
    return value * 2


def tidy(name: str) -> str:
    getattr(importlib.import_module("os"), "remove")({str(real_home / "keep.txt")!r})
    return name.upper()


def safe(value: int) -> int:
    return value + 1
''')
    if tests_link is None:
        (root / "tests").mkdir()
        tests_dir = root / "tests"
    else:
        tests_link.mkdir(parents=True)
        (root / "tests").symlink_to(tests_link, target_is_directory=True)
        tests_dir = tests_link
    (tests_dir / "test_core.py").write_text("from hostile.core import safe\n\n\n"
                                            "def test_safe():\n    assert safe(1) == 2\n")


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    outside, home = tmp_path / "outside", tmp_path / "home"
    outside.mkdir()
    home.mkdir()
    (home / "keep.txt").write_text("precious")
    monkeypatch.setenv("HOME", str(home))  # the user's real home, as Empathy sees it
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    return tmp_path, outside, home


@needs_bwrap
async def test_a_write_outside_fails_in_the_kernel_and_is_recorded(tmp_path):
    (tmp_path / "proj").mkdir()
    sandbox = Sandbox.create(tmp_path / "proj", sys.executable)
    try:
        victim = str(tmp_path / "victim.txt")
        script = (f"import os\ntry:\n    open({victim!r}, 'w')\nexcept OSError as e:\n    print('errno', e.errno)\n"
                  "open('inside.txt', 'w').write('ok')\n")
        ran = await sandbox.run([sys.executable, "-c", script])
        assert ran.returncode == 0, ran.stderr
        assert "errno 30" in ran.stdout  # EROFS: the kernel said no, not our hook
        assert ran.blocked == [f"open {tmp_path / 'victim.txt'}"] and ran.isolated
        assert not (tmp_path / "victim.txt").exists()
        assert (sandbox.copy / "inside.txt").read_text() == "ok"  # the copy stays writable
        connect = "import socket\nsocket.create_connection(('192.0.2.1', 9), timeout=2)"
        net = await sandbox.run([sys.executable, "-c", connect])
        assert net.returncode != 0 and "Network is unreachable" in net.stderr  # own network namespace
    finally:
        sandbox.cleanup()


@needs_bwrap
async def test_hostile_functions_are_contained_and_never_kept(hostile):
    tmp_path, outside, home = hostile
    root = tmp_path / "proj"
    write_project(root, outside, home)
    before = tree(root)
    report = await TestCoverageBoostWorkflow(target=100).execute(root, dry_run=True)
    assert report.refused is None, report.refused
    assert report.isolation.startswith("OS sandbox: bubblewrap")
    assert not (outside / "written.txt").exists()
    assert (home / "keep.txt").read_text() == "precious"
    assert tree(root) == before
    tried = {v.candidate.gap.symbol: v for v in report.verdicts}
    assert {"record", "tidy"} <= set(tried)
    for name in ("record", "tidy"):
        verdicts = [v for v in report.verdicts if v.candidate.gap.symbol == name]
        assert verdicts and not any(v.kept for v in verdicts)
        assert any("refused by the kernel" in v.detail for v in verdicts), [v.detail for v in verdicts]
    assert "outside" not in "".join(f.content for f in report.files if "record" in f.content)


@needs_bwrap
async def test_tests_folder_linked_outside_is_never_written(hostile):
    tmp_path, _, home = hostile
    real_tests = tmp_path / "elsewhere" / "tests"
    root = tmp_path / "proj"
    # The helper writes into the real folder behind the link: the kernel must refuse it.
    write_project(root, real_tests, home, tests_link=real_tests)
    before = tree(real_tests)
    report = await TestCoverageBoostWorkflow(target=100).execute(root, only="hostile/core.py:record")
    assert tree(real_tests) == before  # nothing generated, nothing written through the link
    assert report.written == []
    assert any("links outside the project" in n and "copied as content" in n for n in report.notes)
    assert not any(v.kept for v in report.verdicts)
    assert any("refused by the kernel" in v.detail for v in report.verdicts)


async def test_without_an_os_sandbox_the_run_says_best_effort(hostile, monkeypatch):
    tmp_path, outside, home = hostile
    monkeypatch.setenv("EMPATHY_BWRAP", "none")
    root = tmp_path / "proj"
    write_project(root, outside, home)
    report = await TestCoverageBoostWorkflow(target=100).execute(root, only="hostile/core.py:record",
                                                                dry_run=True)
    assert report.isolation.startswith("best effort") and report.to_json()["os_sandbox"] is False
    assert not (outside / "written.txt").exists()  # the in-process guard refused it
    assert not any(v.kept for v in report.verdicts)
    assert any("in-process guard" in v.detail for v in report.verdicts)


def test_links_inside_stay_links_outside_become_content(tmp_path):
    src, outside = tmp_path / "proj", tmp_path / "outside"
    src.mkdir()
    outside.mkdir()
    (outside / "data.txt").write_text("d")
    (src / "a.py").write_text("A = 1\n")
    (src / "inner.py").symlink_to("a.py")
    (src / "ext").symlink_to(outside, target_is_directory=True)
    (src / "dangling").symlink_to(tmp_path / "nope")
    (src / "loop").symlink_to(src, target_is_directory=True)
    dest = tmp_path / "copy"
    notes = copy_project(src, dest)
    assert (dest / "inner.py").is_symlink() and (dest / "inner.py").resolve() == (dest / "a.py").resolve()
    assert not (dest / "ext").is_symlink() and (dest / "ext" / "data.txt").read_text() == "d"
    assert not (dest / "dangling").exists()
    assert (dest / "loop").is_symlink() and (dest / "loop").resolve() == dest.resolve()
    assert any("ext links outside the project" in n for n in notes)


async def test_write_happy_project_gains_only_its_new_test_files(tmp_path, monkeypatch):
    """Issue 10 item 1, the boost's leg: configs that make every tool write (pytest junit/cache/basetemp,
    coverage data and reports, ruff fixes) change nothing; the only difference is the new test files."""
    from tests.support.tree import copy_fixture, differences, snapshot

    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    root = copy_fixture("write-happy", tmp_path / "write-happy")
    before = snapshot(root)
    report = await TestCoverageBoostWorkflow(target=100).execute(root)
    assert report.refused is None, report.refused
    assert differences(before, snapshot(root)) == [f"added {p}" for p in sorted(report.written)]


async def test_steering_variables_and_secrets_never_reach_a_sandboxed_run(tmp_path, monkeypatch):
    """Set in our shell, COVERAGE_PROCESS_START would start a coverage of its own in project code and
    PYTEST_ADDOPTS would change its pytest runs; neither (nor the API key) may reach a run, cold or warm."""
    leaks = {"COVERAGE_PROCESS_START": str(tmp_path / "elsewhere.rc"), "PYTEST_ADDOPTS": "--junitxml=/tmp/x.xml",
             "ANTHROPIC_API_KEY": "sk-ant-must-not-leak"}
    for key, value in leaks.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "proj").mkdir()
    sandbox = Sandbox.create(tmp_path / "proj", sys.executable)
    code = "import json, os; print(json.dumps(dict(os.environ)))"
    try:
        cold = await sandbox.run([sandbox.python, "-c", code])
        await sandbox.start_warm()
        assert sandbox.warm is not None
        warm = await sandbox.run([sandbox.python, "-c", code])
    finally:
        await sandbox.stop_warm()
        sandbox.cleanup()
    for ran in (cold, warm):
        assert ran.returncode == 0, ran.stderr
        seen = json.loads(ran.stdout)
        assert seen["HOME"] == str(sandbox.home)  # the sandbox's own environment, printed in full
        assert not set(leaks) & set(seen)
        assert not any(value in ran.stdout for value in leaks.values())

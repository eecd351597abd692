"""Nothing leaves the workspace (issue 23 §2): no write into a project may resolve, through a symlink,
outside it. Hostile projects: tests/fixtures/hostile/symlink-out, tests/fixtures/hostile/store-link."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from empathy_os.analyzers.cache import write_entry
from empathy_os.analyzers.contract import ProjectContext
from empathy_os.changes.apply import apply_verdict
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind
from empathy_os.changes.patch import make_diff
from empathy_os.confine import OutsideRoot, confined
from empathy_os.store import StoreError
from empathy_os.store.configurations import ConfigurationStore
from empathy_os.testgen.output import GeneratedTestFile, write_files

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def empathy(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    return subprocess.run([sys.executable, "-m", "empathy_os", *args], capture_output=True, text=True,
                          env=env, timeout=600, check=False)


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path]:
    """(project, outside): project/pkg/ext is a symlink to outside/ext, which holds an F401."""
    shutil.copytree(HOSTILE / "symlink-out", tmp_path, dirs_exist_ok=True)
    (tmp_path / "project" / "pkg" / "ext").symlink_to(Path("..", "..", "outside", "ext"))
    return tmp_path / "project", tmp_path / "outside"


def test_confined_resolves_every_link(tmp_path):
    root, out = tmp_path / "root", tmp_path / "out"
    (root / "in").mkdir(parents=True)
    out.mkdir()
    (root / "away").symlink_to(out)
    (root / "dangling").symlink_to(out / "later.py")  # not there yet: still outside
    (root / "here").symlink_to(root / "in")
    assert confined(root, "in/new/x.py") == (root / "in" / "new" / "x.py").resolve()
    assert confined(root, "here/x.py") == (root / "in" / "x.py").resolve()
    for rel in ("away/x.py", "away/deep/x.py", "dangling", "../out/x.py", str(out / "x.py")):
        with pytest.raises(OutsideRoot, match=f"refusing to write {rel}: it resolves to {out}"):
            confined(root, rel)


def test_fix_apply_never_writes_through_a_link_out_of_the_project(linked):
    project, outside = linked
    before_out, before_in = tree(outside), tree(project)
    proc = empathy("orchestrate", "fix", "--project-root", str(project), "--apply", "--rule", "F401", "--json")
    assert tree(outside) == before_out, "fix --apply wrote outside the project"
    report = json.loads(proc.stdout)
    assert report["applied"] == []
    # Refused by verification (inside-project) or, failing that, by the write itself (changes/apply.py).
    reasons = list(report["refused"].values()) + [r for c in report["changes"] for r in c["reasons"]]
    assert any("pkg/ext/mod.py" in r and str(outside) in r for r in reasons), reasons
    assert {k: v for k, v in tree(project).items() if not k.startswith(".empathy/")} == before_in


async def test_a_link_made_after_verification_is_caught_when_writing(tmp_path):
    """The write checks the path itself, just before writing: a folder that became a link out of the project
    since the change was verified (same content, so not stale) is refused."""
    shutil.copytree(HOSTILE / "symlink-out", tmp_path, dirs_exist_ok=True)
    project, outside = tmp_path / "project", tmp_path / "outside"
    shutil.copytree(outside / "ext", project / "pkg" / "ext")  # a real folder while verifying
    path = "pkg/ext/mod.py"
    text = (project / path).read_text(encoding="utf-8")
    diff = make_diff(path, text, text.replace("import os\n", ""))
    async with Verifier.for_project(project, python=sys.executable) as verifier:
        verdict = await verifier.verify(Change(id="c", agent="user", kind=ChangeKind.PATCH, diff=diff))
    assert verdict.verified, verdict.reasons
    shutil.rmtree(project / "pkg" / "ext")
    (project / "pkg" / "ext").symlink_to(Path("..", "..", "outside", "ext"))
    before = tree(outside)
    why = apply_verdict(project, verdict)
    assert why is not None and why.startswith(f"refusing to write {path}: it resolves to {outside}")
    assert tree(outside) == before


def test_generated_tests_are_not_written_through_a_linked_folder(linked):
    project, outside = linked
    files = [GeneratedTestFile(path="tests/test_gen.py", content="def test_a():\n    pass\n"),
             GeneratedTestFile(path="pkg/ext/test_gen.py", content="def test_b():\n    pass\n")]
    with pytest.raises(OutsideRoot, match="pkg/ext/test_gen.py"):
        write_files(project, files)
    assert not (outside / "ext" / "test_gen.py").exists()
    assert not (project / "tests" / "test_gen.py").exists()  # all or nothing


def test_cache_is_not_written_through_a_linked_empathy_folder(tmp_path):
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / ".empathy").symlink_to(outside)
    assert write_entry(ProjectContext(root=project), "ruff.json", "{}") is False
    assert list(outside.rglob("*")) == []


@pytest.fixture
def store_link(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(HOSTILE / "store-link", tmp_path, dirs_exist_ok=True)
    return tmp_path / "project", tmp_path / "outside"


def test_a_store_linked_out_of_the_project_is_refused_and_never_copied(store_link):
    project, outside = store_link
    (project / ".empathy").mkdir()
    (project / ".empathy" / "store.json").symlink_to(outside / "notes.txt")
    before = tree(outside)
    proc = empathy("store", "list", "--project-root", str(project))
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()
    assert "store.json resolves to" in line and "outside the project" in line
    assert sorted(os.listdir(project / ".empathy")) == ["store.json"]  # no .corrupt-* copy, no lock
    assert tree(outside) == before


def test_a_linked_empathy_folder_is_refused_for_writing(store_link):
    project, outside = store_link
    (project / ".empathy").symlink_to(outside)
    with pytest.raises(StoreError, match="outside the project"):
        ConfigurationStore(project_root=project)
    assert os.listdir(outside) == ["notes.txt"]


def test_a_corrupt_store_linked_inside_the_project_is_reported_but_not_copied(tmp_path):
    (tmp_path / ".empathy").mkdir()
    (tmp_path / "notes.txt").write_text("not json")
    (tmp_path / ".empathy" / "store.json").symlink_to(tmp_path / "notes.txt")
    with pytest.raises(StoreError, match="the file was left as it is"):
        ConfigurationStore(project_root=tmp_path).list()
    assert not list((tmp_path / ".empathy").glob("*.corrupt-*"))

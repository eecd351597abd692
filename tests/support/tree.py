"""Byte-for-byte snapshots of a project tree, to prove a run left the user's files untouched.

`snapshot(root)` hashes every file (path -> sha256, symlinks by their target), ignoring only what a run
may legitimately leave: Empathy's own `.empathy/` folder and Python's `__pycache__`. `assert_unchanged`
names every added, removed or modified file. `copy_fixture` copies a project from tests/fixtures/.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IGNORED_DIRS = {".empathy", "__pycache__"}


def snapshot(root: Path) -> dict[str, str]:
    """relative posix path -> sha256 of the content (or "link:<target>") of every file and folder."""
    result: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
        for name in dirnames:
            path = here / name
            key = path.relative_to(root).as_posix()
            result[key + "/"] = f"link:{os.readlink(path)}" if path.is_symlink() else "dir"
        for name in sorted(filenames):
            path = here / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                result[key] = f"link:{os.readlink(path)}"
            else:
                result[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    added = [f"added {k}" for k in sorted(set(after) - set(before))]
    removed = [f"removed {k}" for k in sorted(set(before) - set(after))]
    changed = [f"changed {k}" for k in sorted(set(before) & set(after)) if before[k] != after[k]]
    return added + removed + changed


def assert_unchanged(root: Path, before: dict[str, str]) -> None:
    diff = differences(before, snapshot(root))
    assert not diff, f"the run changed the project {root}: " + ", ".join(diff)


def copy_fixture(name: str, dest: Path) -> Path:
    """A private copy of tests/fixtures/<name> at `dest` (which must not exist yet)."""
    shutil.copytree(FIXTURES / name, dest, ignore=shutil.ignore_patterns("__pycache__", ".empathy"))
    return dest

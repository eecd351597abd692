"""Shared by the verification tests: a private copy of the fixture project and one-edit diffs."""

from __future__ import annotations

import shutil
from pathlib import Path

from empathy_os.changes.patch import make_diff

FIXPROJ = Path(__file__).resolve().parents[1] / "fixtures" / "fixproj"


def copy_fixproj(tmp_path: Path) -> Path:
    dest = tmp_path / "fixproj"
    shutil.copytree(FIXPROJ, dest, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return dest


def edit(root: Path, path: str, old: str, new: str) -> str:
    """A diff replacing the first `old` in `path` by `new` (which must be there)."""
    text = (root / path).read_text(encoding="utf-8")
    assert old in text
    return make_diff(path, text, text.replace(old, new, 1))

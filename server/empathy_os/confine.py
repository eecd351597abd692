"""The one rule for every write into a user's project: the path, with every symlink resolved, stays under
the project root.

A project may hold symlinks that lead outside it (`pkg/ext -> /somewhere/else`, `.empathy -> /tmp/x`);
writing "into the project" through one of them would write outside it. Every site that writes into a
workspace (applied changes, generated test files, the store, the analyzer cache) asks `confined` first and
refuses with the path when it leaves the root. Checked just before the write: the parent folders are
resolved by the OS (`os.path.realpath`), a last component that is a symlink too (dangling or not).
"""

from __future__ import annotations

import os
from pathlib import Path


class OutsideRoot(ValueError):
    """A path that resolves, through a symlink, outside the root it must stay in (the message names both)."""

    def __init__(self, path: str | os.PathLike[str], resolved: Path, root: Path) -> None:
        super().__init__(f"refusing to write {path}: it resolves to {resolved}, outside {root}")
        self.path = str(path)
        self.resolved = resolved
        self.root = root


def confined(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """`path` (relative to `root`, or absolute) with every symlink resolved; raises `OutsideRoot` when that
    is not `root` itself or a path under it (`root` resolved the same way)."""
    real_root = Path(os.path.realpath(root))
    target = Path(os.path.realpath(Path(root) / path))
    if not target.is_relative_to(real_root):
        raise OutsideRoot(path, target, real_root)
    return target


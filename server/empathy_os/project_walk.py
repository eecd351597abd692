"""Which folders hold a project's own `.py` files: the one walk every analyzer and cache key shares.

Standard library only (no pydantic, no asyncio): the CLI's replay of an unchanged release prep
(app/replay.py) walks the project with it before anything heavy is imported.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Directories that never hold project sources.
SKIP_DIRS = {
    "__pycache__", "build", "dist", "node_modules", "site-packages", "venv", "env", "htmlcov",
    "__pypackages__",
}


def _is_venv(path: Path) -> bool:
    return (path / "pyvenv.cfg").exists()


def walk_py(root: Path) -> Iterator[Path]:
    """Every `.py` file under `root`, sorted, outside hidden folders, build output and virtualenvs."""
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and d not in SKIP_DIRS and not d.endswith(".egg-info")
            and not _is_venv(here / d)
        )
        for name in sorted(filenames):
            if name.endswith(".py"):
                yield here / name

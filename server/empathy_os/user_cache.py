"""The user's cache folder for Empathy (`$XDG_CACHE_HOME/empathy`, else `~/.cache/empathy`): data that is
costly to build, the same for every workspace, and safe to delete at any time."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir(name: str) -> Path | None:
    """`<cache>/empathy/<name>`; None without an absolute XDG_CACHE_HOME or HOME (then nothing is cached,
    rather than a relative `~` folder created wherever the process happens to run)."""
    base = os.environ.get("XDG_CACHE_HOME") or (os.environ.get("HOME") and os.path.join(os.environ["HOME"], ".cache"))
    return Path(base) / "empathy" / name if base and os.path.isabs(base) else None

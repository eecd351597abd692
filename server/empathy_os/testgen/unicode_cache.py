"""Hypothesis' Unicode tables, built once per machine and copied into each sandbox's Hypothesis home.

The first text strategy a Hypothesis process draws builds tables of every Unicode character (its general
category; which characters UTF-8 encodes): ~2.5 s of CPU, then cached in Hypothesis' home folder. Each
boost's sandbox starts with an empty one, so every boost paid it again. Here Empathy's OWN interpreter
(our code and our Hypothesis, never the project's) builds them once into the user's cache folder, and
each new sandbox gets a copy. The files are named by Unicode version, so a project whose Python has
another Unicode version simply does not find them and builds its own, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
from pathlib import Path

from empathy_os.user_cache import user_cache_dir

_BUILD = (
    "import sys\n"
    "from hypothesis.configuration import set_hypothesis_home_dir\n"
    "from hypothesis.internal import charmap\n"
    "set_hypothesis_home_dir(sys.argv[1])\n"
    "charmap.charmap()\n"
    "charmap.intervals_from_codec('utf-8')\n"
)
_MAX_BYTES = 8 << 20  # the real files are ~10 kB; anything far larger is not one of them


def cache_dir() -> Path | None:
    """The user's cache folder for them; None without an absolute XDG_CACHE_HOME or HOME (no cache)."""
    return user_cache_dir("hypothesis")


def seed(hypothesis_home: Path) -> bool:
    """Copy the cached tables into a sandbox's Hypothesis home; False when there are none yet."""
    copied, cache = False, cache_dir()
    if cache is None:
        return False
    for path in (cache / "unicode_data").glob("*/*.json.gz"):
        with contextlib.suppress(OSError):
            if path.is_symlink() or not path.is_file() or path.stat().st_size > _MAX_BYTES:
                continue
            target = hypothesis_home / "unicode_data" / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            copied = True
    return copied


async def build(timeout: float = 120) -> None:
    """Build the tables into the cache with Empathy's own interpreter (a missing Hypothesis: no cache)."""
    cache = cache_dir()
    if cache is None:
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _BUILD, str(cache), stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    except OSError:
        return  # no writable cache folder: every boost builds its own tables, as before
    try:
        await asyncio.wait_for(proc.wait(), timeout)
    except (TimeoutError, asyncio.CancelledError):
        proc.kill()
        await proc.wait()

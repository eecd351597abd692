"""Writing verified changes to the project: exactly the files verification produced, and only if the
project's files are still the ones that were verified (same sha256); otherwise the change is refused."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from empathy_os.changes.model import Verdict
from empathy_os.changes.patch import sha256
from empathy_os.confine import OutsideRoot, confined


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def stale_files(root: Path, verdict: Verdict) -> list[str]:
    """Touched files whose content in the project is no longer what was verified."""
    return [p for p in verdict.touched if sha256(_current(root / p)) != verdict.before_sha.get(p)]


def apply_verdict(root: Path, verdict: Verdict) -> str | None:
    """Write one verified change; returns why it was refused, or None when written."""
    if not verdict.verified:
        return "not verified"
    try:  # every path checked before any is written: a link out of the project refuses the whole change
        for p in verdict.touched:
            confined(root, p)
    except OutsideRoot as exc:
        return str(exc)
    stale = stale_files(root, verdict)
    if stale:
        return f"{', '.join(stale)} changed since it was verified; run fix again"
    for p in verdict.touched:
        target = root / p
        data = verdict.after_content.get(p)
        if data is None:
            target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = target.stat().st_mode & 0o7777 if target.exists() else None
        # Write beside the file, then rename: an editor or a crash never sees half a file.
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return None

"""Copied into every sandbox and loaded by each Python process there (never imported by Empathy).

An audit hook (PEP 578) that notices every attempt to write, delete or rename outside the sandbox's
writable folders and records it in the run's log, so a rejected candidate says what it tried. Under
bubblewrap the kernel refuses the write (read-only file system) and the hook only records it. Without
an OS sandbox (best effort) the hook itself refuses the operation with PermissionError; that stops
Python-level writes only, not a C extension or a child program, which is why the report says so.
"""

import os
import sys

_ALLOW = tuple(
    os.path.realpath(p) + os.sep for p in os.environ.get("EMPATHY_SANDBOX_ALLOW", "").split(os.pathsep) if p
) + ("/dev/",)
_ENFORCE = os.environ.get("EMPATHY_SANDBOX_ENFORCE") == "1"
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {
    "os.remove": 1, "os.rmdir": 1, "os.mkdir": 1, "os.chmod": 1, "os.chown": 1, "os.truncate": 1,
    "os.utime": 1, "shutil.rmtree": 1, "os.rename": 2, "os.symlink": 2, "os.link": 2,
    "shutil.copyfile": 2, "shutil.move": 2, "shutil.copytree": 2,
}
_log_fd = None
_busy = False
try:
    if os.environ.get("EMPATHY_SANDBOX_LOG"):
        _log_fd = os.open(os.environ["EMPATHY_SANDBOX_LOG"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
except OSError:
    _log_fd = None


def _outside(path):
    if isinstance(path, int):
        return None  # a file descriptor: its opening was already checked
    try:
        text = os.fsdecode(os.fspath(path))
        full = os.path.realpath(os.path.join(os.getcwd(), text))
    except (TypeError, ValueError, OSError):
        return None
    if full == os.devnull or (full + os.sep).startswith(_ALLOW) or full.startswith(_ALLOW):
        return None
    return full


def _writes(event, args):
    if event == "open":
        path, mode, flags = (list(args) + [None, None, None])[:3]
        if mode is not None:
            writing = any(c in str(mode) for c in "wax+")
        else:
            writing = bool((flags or 0) & _WRITE_FLAGS)
        return [path] if writing else []
    count = _PATH_EVENTS.get(event)
    if count is None:
        return []
    # rename/symlink/copy: the destination is the second argument; the source of a rename is removed.
    return list(args[:count])


def _hook(event, args):
    global _busy
    if _busy or (event != "open" and event not in _PATH_EVENTS):
        return
    _busy = True
    try:
        outside = [p for p in (_outside(a) for a in _writes(event, args)) if p]
    finally:
        _busy = False
    if not outside:
        return
    _log(f"{event} {outside[0]}")
    if _ENFORCE:
        raise PermissionError(1, "empathy sandbox: writing outside the project copy is refused", outside[0])


def _log(line):
    if _log_fd is not None:
        try:
            os.write(_log_fd, (line + "\n").encode("utf-8", "replace"))
        except OSError:
            pass


def mark(label):
    """Called by our pytest recorder before each test: what follows in the log is that test's doing."""
    _log(f"@@ {label}")


if _ALLOW:
    sys.addaudithook(_hook)

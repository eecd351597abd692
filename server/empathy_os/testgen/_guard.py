"""Copied into every sandbox and loaded by each Python process there (never imported by Empathy).

An audit hook (PEP 578) that notices every attempt to write, delete or rename outside the sandbox's
writable folders and records it in the run's log, so a rejected candidate says what it tried. Under
bubblewrap the kernel refuses the write (read-only file system) and the hook only records it. Without
an OS sandbox (best effort) the hook itself refuses the operation with PermissionError; that stops
Python-level writes only, not a C extension or a child program, which is why the report says so.

In runs of generated code (EMPATHY_SANDBOX_EFFECTS=1: candidates, the generator's calls, mutants) the hook
also records network use and new processes made from project code (a frame of the project copy on the
stack), as "network: ..." and "spawns-process: ..." lines naming the call and where in the project it was
made. The OS sandbox makes such a call fail, which the code under test may swallow; run by hand later,
the test would reach the network or run the program, so the candidate is rejected. Without an OS sandbox
the hook refuses these calls too. Machinery is never reported: the warm server's forks, pytest's and the
tools' own calls have no project frame, and a run that is the project's own suite is not armed.
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
# event -> (kind, how many leading arguments name the call); the socket object itself is left out.
_EFFECT_EVENTS = {
    "socket.connect": ("network", (1, 2)), "socket.sendto": ("network", (1, 2)),
    "socket.sendmsg": ("network", (1, 2)), "socket.bind": ("network", (1, 2)),
    # A name lookup comes first and fails in the sandbox (no DNS), so the connection itself is never tried.
    "socket.getaddrinfo": ("network", (0, 2)), "socket.gethostbyname": ("network", (0, 1)),
    "subprocess.Popen": ("spawns-process", (1, 2)), "os.system": ("spawns-process", (0, 1)),
    "os.exec": ("spawns-process", (1, 2)), "os.posix_spawn": ("spawns-process", (1, 2)),
    "os.spawn": ("spawns-process", (2, 3)), "os.fork": ("spawns-process", (0, 0)),
    "os.forkpty": ("spawns-process", (0, 0)), "os.startfile": ("spawns-process", (0, 1)),
}
_WATCHED = frozenset({"open", *_PATH_EVENTS, *_EFFECT_EVENTS})
_log_fd = None
_effects = False
_project = None
_busy = False


def configure():
    """Read this run's settings from the environment: at import, and in each child of the warm server,
    whose environment is the run's (the server itself is never armed for effects)."""
    global _log_fd, _effects, _project
    if _log_fd is not None:
        try:
            os.close(_log_fd)
        except OSError:
            pass
    _log_fd = None
    try:
        if os.environ.get("EMPATHY_SANDBOX_LOG"):
            _log_fd = os.open(os.environ["EMPATHY_SANDBOX_LOG"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError:
        _log_fd = None
    project = os.environ.get("EMPATHY_SANDBOX_PROJECT")
    _project = os.path.realpath(project) + os.sep if project else None
    _effects = os.environ.get("EMPATHY_SANDBOX_EFFECTS") == "1" and _project is not None


configure()


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


def _project_frame():
    """"path:line" of the innermost frame running a file of the project copy, or None."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith("<") and not os.path.isabs(name):  # "<string>": `-c` code is ours
            name = os.path.join(os.getcwd(), name)
        if name.startswith(_project):
            return f"{name[len(_project):]}:{frame.f_lineno}"
        frame = frame.f_back
    return None


def _effect(event, args):
    kind, (start, stop) = _EFFECT_EVENTS[event]
    where = _project_frame()
    if where is None:
        return
    shown = ", ".join(repr(os.fsdecode(a) if isinstance(a, bytes) else a) for a in args[start:stop])
    if len(shown) > 300:
        shown = shown[:300] + "..."
    _log(f"{kind}: {event}{' ' + shown if shown else ''} from {where}")
    if _ENFORCE:
        raise PermissionError(1, f"empathy sandbox: {kind} refused for generated code ({event})")


def _hook(event, args):
    global _busy
    if _busy or event not in _WATCHED:
        return
    if event in _EFFECT_EVENTS:
        if _effects:
            _busy = True
            try:
                _effect(event, args)
            finally:
                _busy = False
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

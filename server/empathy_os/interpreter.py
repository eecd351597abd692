"""Is the interpreter that will run the project's tests a Python we can use? Asked once, up front.

`--python /bin/ls`, a shell script that is not a Python wrapper, or a Python too old for our test drivers
would otherwise fail deep inside a run (a garbled "coverage not measured") after the analyzers had written
their cache. Here the interpreter is started once with `-I -S -c` (isolated: nothing of the project or the
caller's environment is imported) and must print its version; the answer is remembered per file (path,
inode, size, mtime) for the life of the process, so the daemon asks once, not on every save.

Starting it runs project code when the interpreter is a script of the project (`[tool.empathy] python =
"./py.sh"`): so it goes through the execution door, and only a trusted run asks at all (an untrusted run
never starts the interpreter).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

from empathy_os.execution import start_project_process
from empathy_os.proc import kill_group

# sys.addaudithook (3.8) is what guards generated tests; pytest 8 and coverage 7 need 3.8 as well.
OLDEST = (3, 8)
TIMEOUT_S = 10.0
_ANSWER = "empathy-python"
_PROBE = f"import sys; print({_ANSWER!r}, *sys.version_info[:3])"
_known: dict[tuple[str, int, int, int], str | None] = {}  # (path, inode, size, mtime) -> problem


def check(python: str, cwd: Path, reason: str, trusted: object) -> None:
    """ValueError (one line, naming the interpreter and where it came from: `reason`) unless `python`
    starts and answers as a Python >= OLDEST. Only a trusted run may start it (UntrustedProject)."""
    try:
        st = os.stat(python)
    except OSError:
        st = None
    if st is None or not Path(python).is_file() or not os.access(python, os.X_OK):
        raise ValueError(f"interpreter {python} does not exist or is not executable ({reason})")
    key = (os.path.realpath(python), st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in _known:
        _known[key] = _problem(python, cwd, trusted)
    if _known[key] is not None:
        raise ValueError(f"interpreter {python} {_known[key]} ({reason})")


def _problem(python: str, cwd: Path, trusted: object) -> str | None:
    wanted = f"Empathy runs the project's tests with Python >= {'.'.join(map(str, OLDEST))}"
    try:
        proc = start_project_process(SimpleNamespace(trusted=trusted), [python, "-I", "-S", "-c", _PROBE], cwd)
    except OSError as exc:
        return f"cannot be started: {exc.strerror or exc}"
    try:
        out, _ = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        proc.communicate()
        return f"did not answer within {TIMEOUT_S:g} s as a Python would; {wanted}"
    words = out.decode(errors="replace").split()
    if proc.returncode != 0 or len(words) != 4 or words[0] != _ANSWER:
        return f"does not run as Python (`-c` gave exit code {proc.returncode} and no version); {wanted}"
    version = tuple(int(w) for w in words[1:] if w.isdigit())
    if version[:2] < OLDEST:
        return f"is Python {'.'.join(words[1:])}; {wanted}"
    return None

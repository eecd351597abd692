"""An unchanged re-run of a release prep (`empathy orchestrate release-prep`, the editor's Prepare release),
answered without starting the workflow.

Why: when nothing changed, every analyzer's result comes from its cache (analyzers/cache.py) and the run
takes a few hundredths of a second; the rest of the ~0.6 s a user waited was Python importing pydantic,
asyncio, the orchestration and the analyzers. This module imports none of them (standard library only;
`empathy_os.project_walk` and `empathy_os.gate_specs` are too), so the re-run costs the interpreter's start,
one walk of the project and a hash of its files (folders are seen through that walk: `.empathy/`,
`__pycache__/` and other caches are not read).

The key covers everything a cached run depends on, taken BEFORE the run (a file saved during the run makes
the next run a real one): the command's options; the content of every project `.py` file (the walk every
analyzer uses) and of every file in the project's top folder (configs; not `.coverage*` data), which of
the virtualenv folders the interpreter is looked for in exist; Empathy's own code (size and time of each file of the package) and its installed tools (the time
of each site-packages folder: an install or upgrade changes it); the interpreter; and the environment
(minus a few shell variables; names that look like secrets count by name only). The project's own
environment is fingerprinted when the report is stored and checked before it is replayed
(`environment.witnesses`): its interpreter, pyvenv.cfg and site-packages folders, and for an interpreter
poetry or hatch named, the tool, its config file and the folder its environments live in — their answer
may change without any file of the project changing, and asking them again would cost more than the run
we save. Never replayed: a run with any `ANTHROPIC_*` variable set (a model may take part), a run where an
analyzer did not run (the next run tries it again), a poetry/hatch project whose installed tool named no
environment (creating one would change the answer unseen), `--no-cache`, `--fix`, `--sarif`.

A replayed report says so in its notes. The learning loop does not count it again: the stored run was
recorded once, and an identical re-run is not new evidence about the composition.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from empathy_os.environment import stamp, witnesses
from empathy_os.project_walk import walk_py

ENTRY = "release-prep-report.json"
VERSION = 1
# TMPDIR: where temp folders go changes no result (the daemon gives each worker a new one).
_SHELL_NOISE = {"PWD", "OLDPWD", "SHLVL", "_", "COLUMNS", "LINES", "TERM_SESSION_ID", "WINDOWID", "TMPDIR"}
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH")
_BIG = 2_000_000  # top-folder files larger than this count by size and time, not content
_TEXT_DURATION = -1.0  # stands for the replay's own duration in the stored text rendering
_VENV_NAMES = (".venv", "venv", "env", ".env")  # environment.py's folders, looked for in the top folder
_NOT_READ = (".coverage",)  # a hand-run coverage's data: our runs never read it (their data is in a temp folder)
_LEARN_PREFIXES = ("outcome recorded", "outcome not recorded")


def _entry(root: Path) -> Path:
    return root / ".empathy" / "cache" / ENTRY


def _environment() -> list[tuple[str, str]]:
    out = []
    for name, value in sorted(os.environ.items()):
        if name in _SHELL_NOISE:
            continue
        secret = any(word in name.upper() for word in _SECRET_WORDS)
        out.append((name, "<set>" if secret else value))
    return out


def _own_code(h: Any) -> None:
    """Empathy's package files and the site-packages folders of its interpreter (bandit, ruff, radon,
    interrogate and coverage are installed there): sizes and times, cheap to read."""
    package = Path(__file__).resolve().parents[1]
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            st = os.stat(os.path.join(dirpath, name))
            h.update(f"{dirpath}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    for entry in sys.path:
        if entry.endswith(("site-packages", "dist-packages")) and os.path.isdir(entry):
            h.update(f"{entry}\0{os.stat(entry).st_mtime_ns}\n".encode())


def _project(h: Any, root: Path) -> None:
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.is_dir():
            if entry.name in _VENV_NAMES:  # which one exists decides the interpreter (empathy_os/environment.py)
                venv = os.path.isfile(os.path.join(entry.path, "pyvenv.cfg"))
                h.update(f"dir {entry.name} {venv}\n".encode())
        elif entry.is_file() and not entry.name.startswith(_NOT_READ):
            st = entry.stat()
            if st.st_size > _BIG:
                h.update(f"big {entry.name} {st.st_size} {st.st_mtime_ns}\n".encode())
            else:
                h.update(f"file {entry.name}\n".encode() + hashlib.sha256(Path(entry.path).read_bytes()).digest())
    for path in walk_py(root):
        h.update(f"py {path.relative_to(root).as_posix()}\n".encode() + hashlib.sha256(path.read_bytes()).digest())


def key(root: Path, options: dict[str, Any]) -> str | None:
    """The replay key of this run, or None when it can never be replayed (a model may take part)."""
    if any(name.startswith("ANTHROPIC_") for name in os.environ):
        return None
    h = hashlib.sha256()
    h.update(json.dumps({"version": VERSION, "options": options, "python": sys.executable,
                         "python_version": sys.version, "env": _environment()}, sort_keys=True).encode())
    try:
        _own_code(h)
        _project(h, root)
    except OSError:
        return None
    return h.hexdigest()


def store(root: Path, run_key: str, report: Any, *, trusted: bool = True) -> bool:
    """Keep `report` (a ReleasePrepReport; the workflows are imported by now) for the next identical run,
    if it may be replayed. False when it may not or `.empathy/` is not writable."""
    from empathy_os.analyzers.cache import write_entry
    from empathy_os.analyzers.contract import ProjectContext
    from empathy_os.workflows.reports import render_text

    if not report.all_ran:
        return False
    found = witnesses(root, report.python, report.python_source, trusted)
    if found is None:
        return False
    data = replayed(report.to_json(), stored_at=_now())
    text = render_text(type(report).model_validate({**data, "duration_seconds": _TEXT_DURATION}))
    payload = {"key": run_key, "report": report.to_json(), "text": text, "stored_at": data["stored_at"],
               "environment": {w: stamp(w) for w in found}}
    return write_entry(ProjectContext(root=root), ENTRY, json.dumps(payload))  # only its root is used


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def replayed(report: dict[str, Any], *, stored_at: str) -> dict[str, Any]:
    """The stored report as an unchanged re-run shows it: every agent's analyzers served from the cache."""
    agents = [{**a, "cached": list(a["tools"]), "duration_seconds": 0.0} for a in report["agents"]]
    notes = [n for n in report["notes"] if not n.startswith(_LEARN_PREFIXES)]
    notes.append(f"nothing changed since the release prep of {stored_at}: its report served from "
                 ".empathy/cache (outcome not recorded again; --no-cache re-runs every tool)")
    return {**report, "agents": agents, "notes": notes, "stored_at": stored_at}


def options(root: Path, *, python: str | None, gates: dict[str, Any], max_cost: float | None,
            trusted: bool) -> dict[str, Any]:
    """The options of a release prep the stored report depends on (one spelling for every caller)."""
    return {"root": str(root), "python": python, "gates": gates, "max_cost": max_cost, "untrusted": not trusted}


def lookup(root: Path, run_key: str, *, started: float) -> dict[str, Any] | None:
    """The stored answer when `run_key` matches: {"report": its JSON, "text": its rendering, "approved"},
    with the replay's own duration (since `started`, a perf_counter); None: run the workflow."""
    try:
        entry = json.loads(_entry(root).read_text(encoding="utf-8"))
        if not isinstance(entry, dict) or entry.get("key") != run_key:
            return None
        if any(stamp(w) != was for w, was in entry["environment"].items()):
            return None  # the project's environment (or the tool that names it) changed: a real run
        report = replayed(entry["report"], stored_at=entry["stored_at"])
        text = str(entry["text"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    report.pop("stored_at")
    elapsed = time.perf_counter() - started
    report["duration_seconds"] = round(elapsed, 3)
    head, found, tail = text.rpartition(f"{_TEXT_DURATION:.1f} seconds")
    return {"report": report, "text": head + f"{elapsed:.1f} seconds" + tail if found else text,
            "approved": bool(report.get("approved"))}

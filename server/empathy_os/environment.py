"""Which interpreter runs the project's tests: the project's own environment, found the way its
developers would, and the reason it was chosen (reports quote it).

Order, first match wins:
1. an interpreter given explicitly (`--python`, the editor's selected interpreter);
2. `[tool.empathy] python` in the project's pyproject.toml;
3. a virtual environment inside the project: `.venv`, `venv`, `env`, `.env` (uv, `python -m venv`, PDM
   and poetry with `in-project = true` all create one there);
4. `$VIRTUAL_ENV`, the activated environment, when it is not Empathy's own;
5. poetry's and hatch's environments kept outside the project, asked of the tool itself (`poetry env
   info -p`, `hatch env find`), only when the project uses that tool, the tool is installed, and the
   project is trusted (the tool reads the project's config and plugins);
6. Empathy's own interpreter, with a note: Empathy's development plugins may then load into the run.

Nothing here starts the interpreter it finds; the analyzers say when it cannot run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_IN_PROJECT = (".venv", "venv", "env", ".env")
_TOOL_TIMEOUT = 20  # seconds; poetry and hatch answer in well under one


@dataclass(frozen=True)
class Environment:
    python: str
    source: str  # short: "explicit", "[tool.empathy] python", ".venv", "$VIRTUAL_ENV", "poetry", ...
    reason: str  # one line for the report

    @property
    def own(self) -> bool:
        return self.source == "empathy"


def venv_python(env: Path) -> Path | None:
    """The interpreter of a virtual environment folder (POSIX or Windows layout), if it has one."""
    if not (env / "pyvenv.cfg").is_file():
        return None
    for rel in ("bin/python", "bin/python3", "Scripts/python.exe"):
        if (env / rel).exists():
            return env / rel
    return None


def resolve_python(root: Path, interpreter: str) -> str:
    """An interpreter path as given; relative paths are taken from the project root."""
    candidate = Path(interpreter).expanduser()
    if not candidate.is_absolute() and (os.sep in interpreter or "/" in interpreter):
        candidate = root / candidate
    if candidate.is_absolute():
        return str(candidate)
    return shutil.which(interpreter) or interpreter


def detect(root: Path, explicit: str | None = None, settings: dict[str, Any] | None = None,
           trusted: bool = True) -> Environment:
    if explicit:
        return Environment(resolve_python(root, explicit), "explicit", f"given explicitly: {explicit}")
    configured = (settings or {}).get("python")
    if configured:
        return Environment(resolve_python(root, str(configured)), "[tool.empathy] python",
                           f"[tool.empathy] python = {configured!r} in pyproject.toml")
    for name in _IN_PROJECT:
        found = venv_python(root / name)
        if found is not None:
            return Environment(str(found), name, f"the project's virtual environment {name}/")
    active = os.environ.get("VIRTUAL_ENV")
    if active and Path(active).resolve() != Path(sys.prefix).resolve():
        found = venv_python(Path(active))
        if found is not None:
            return Environment(str(found), "$VIRTUAL_ENV", f"the activated environment $VIRTUAL_ENV={active}")
    if trusted:
        tool_env = _tool_environment(root)
        if tool_env is not None:
            return tool_env
    why = "no project environment found (no --python, no [tool.empathy] python, no .venv/venv in the project"
    why += ", no other $VIRTUAL_ENV" + (", no poetry/hatch environment)" if trusted else ")")
    return Environment(sys.executable, "empathy",
                       f"Empathy's own interpreter {sys.executable}: {why}; its development plugins may "
                       "load into the project's test run (give --python to choose)")


def _tool_environment(root: Path) -> Environment | None:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    asks = []
    if "[tool.poetry" in text:
        asks.append(("poetry", ["env", "info", "-p"]))
    if "[tool.hatch" in text:
        asks.append(("hatch", ["env", "find"]))
    for tool, args in asks:
        exe = shutil.which(tool)
        if exe is None:
            continue
        try:
            done = subprocess.run([exe, *args], cwd=root, capture_output=True, text=True,
                                  timeout=_TOOL_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError):
            continue
        lines = done.stdout.strip().splitlines()
        found = venv_python(Path(lines[0].strip())) if done.returncode == 0 and lines else None
        if found is not None:
            return Environment(str(found), tool, f"{tool}'s environment for the project ({lines[0].strip()})")
    return None

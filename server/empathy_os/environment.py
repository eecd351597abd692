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
    questions = {"poetry": ["env", "info", "-p"], "hatch": ["env", "find"]}
    for tool in _asked_tools(root):
        args = questions[tool]
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


# -- what the answer depends on ----------------------------------------------------------------------------
# An unchanged re-run may reuse a stored report only if `detect` would give the same interpreter, with the
# same packages installed. For a venv folder or an explicit interpreter the project's files and the options
# say so already; poetry's and hatch's answers live outside the project. Asking the tool again costs half a
# second or more, so instead the files its answer (and the environment's contents) depend on are recorded
# as "witnesses" and re-stamped: the tool's executable, its config file, the folder its environments live
# in (creating, removing or switching one changes it; poetry's envs.toml is there), the environment's
# pyvenv.cfg, interpreter and site-packages folders (an install or uninstall changes their time).


def witnesses(root: Path, python: str, source: str, trusted: bool) -> list[str] | None:
    """What `detect`'s answer for `root` depends on outside the project, as "kind:path" entries for
    `stamp`; None when it cannot be told without asking the tool (it is installed but named no environment)."""
    found = [f"file:{python}", *_env_witnesses(Path(python))]
    asked = _asked_tools(root) if trusted and source in ("empathy", "poetry", "hatch") else []
    for tool in asked:
        exe = shutil.which(tool)
        found.append(f"which:{tool}")
        if exe is None:
            continue  # not installed: nothing can answer, until `which` finds it
        if source != tool:
            return None  # installed, yet no environment: creating one changes the answer, unseen here
        found += [f"file:{exe}", f"file:{_config_file(tool)}"]
        env = Path(python).parent.parent
        found += [f"dir:{env.parent}", f"file:{env.parent / 'envs.toml'}"]
    return found


def stamp(witness: str) -> str:
    """The current state of one witness: file contents (small) or size and time, a folder's time, or
    which executable a name finds; "-" when absent."""
    kind, _, target = witness.partition(":")
    if kind == "which":
        return shutil.which(target) or "-"
    try:
        st = os.stat(target)
    except OSError:
        return "-"
    if kind == "dir" or st.st_size > 65536:
        return f"{st.st_size}:{st.st_mtime_ns}"
    import hashlib

    return hashlib.sha256(Path(target).read_bytes()).hexdigest()


def _env_witnesses(python: Path) -> list[str]:
    env = python.parent.parent
    if not (env / "pyvenv.cfg").is_file():
        return []
    sites = sorted(env.glob("lib/python*/site-packages")) + sorted(env.glob("Lib/site-packages"))
    return [f"file:{env / 'pyvenv.cfg'}", *(f"dir:{site}" for site in sites)]


def _asked_tools(root: Path) -> list[str]:
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [tool for tool in ("poetry", "hatch") if f"[tool.{tool}" in text]


def _config_file(tool: str) -> Path:
    """The tool's own config file (platformdirs' user config folder, or the tool's override variable)."""
    override = os.environ.get({"poetry": "POETRY_CONFIG_DIR", "hatch": "HATCH_CONFIG"}[tool])
    if override:
        return Path(override) / "config.toml" if tool == "poetry" else Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / ("pypoetry" if tool == "poetry" else "hatch") / "config.toml"

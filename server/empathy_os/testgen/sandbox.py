"""Where project code runs while we generate and validate tests: a private copy, inside an OS sandbox.

On Linux every run goes through bubblewrap (`bwrap`): the whole file system read-only, only this
sandbox's folder (project copy, HOME, TMPDIR) writable, no network, its own PID/IPC/UTS namespaces, and
killed with us (`--die-with-parent`). A write anywhere else fails in the kernel (EROFS); an audit hook
loaded into every Python process (_guard.py) records the attempt so the candidate is rejected with
that reason. Where bubblewrap is missing or unusable (detected by running it), the same hook refuses
Python-level writes itself, and every report says that isolation is best effort.

Each run also gets no API key in its environment, and a content hash of the copy (and of HOME) before
and after, so a test that writes anywhere but its temp folder is caught and rejected.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from empathy_os import runners
from empathy_os.analyzers._pytest import config_args, neutral_args
from empathy_os.execution import check_trusted, project_env, run_project_code
from empathy_os.proc import ToolRun
from empathy_os.testgen import unicode_cache
from empathy_os.testgen.warm import WarmGone, WarmWorker

# The commands a warm server can fork instead of starting: `python -c`, `python -m`, a runner (runners/).
WARM_FORMS = ("-c", "-m", runners.LAUNCHER)
# Never copied: VCS data, environments, caches and build output.
_IGNORE_DIRS = {
    ".git", ".hg", ".svn", ".venv", "venv", "env", ".tox", ".nox", "node_modules", "__pycache__",
    ".empathy", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache", "htmlcov", "build", "dist",
}
# Written by the runners we start ourselves; their appearance is not the test's doing.
_CACHE_NAMES = {"__pycache__", ".pytest_cache", ".hypothesis"}

# Loaded into every pytest run with `-p`: keeps Hypothesis' example database out of the project copy.
# The project's own Hypothesis profile stays in charge (validation is a normal run).
_PLUGIN = '''\
import os
try:
    from hypothesis.configuration import set_hypothesis_home_dir
    set_hypothesis_home_dir(os.environ["EMPATHY_SANDBOX_HYPOTHESIS"])
except Exception:  # hypothesis absent or too old: tests that need it fail on their own
    pass
'''
PLUGIN_NAME = "_empathy_sandbox_plugin"
# Given to runs of generated code (candidates, the generator's calls, mutants): the guard records, and
# without an OS sandbox refuses, network use and new processes made from project code (_guard.py).
EFFECTS_ENV = {"EMPATHY_SANDBOX_EFFECTS": "1"}
_GUARD_NAME = "_empathy_sandbox_guard"
# Ours shadows the interpreter's own sitecustomize (Debian ships one), so it loads that one after.
_SITECUSTOMIZE = f'''\
import importlib.machinery, importlib.util, os, sys
import {_GUARD_NAME}
_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.machinery.PathFinder.find_spec(
    "sitecustomize", [p for p in sys.path if os.path.abspath(p or ".") != _here])
if _spec is not None and _spec.loader is not None:
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["sitecustomize"] = _module
    _spec.loader.exec_module(_module)
'''


@dataclass(frozen=True)
class Isolation:
    """What contains project code on this machine: bubblewrap, or only our in-process guard."""

    bwrap: str | None  # path of a bubblewrap that was seen to work
    description: str  # one line for reports

    @property
    def os_sandbox(self) -> bool:
        return self.bwrap is not None


# The namespaces and mounts of every run. `--unshare-all` also removes the network; the sandbox folder
# is bound writable after the read-only root, so it is the only writable place besides /dev's tmpfs.
_BWRAP_BASE = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all",
               "--die-with-parent", "--new-session"]


@functools.lru_cache(maxsize=4)
def _probe(bwrap: str | None) -> Isolation:
    best_effort = ("best effort: {why}; generated tests run in a private copy with their own HOME/TMPDIR "
                   "and an in-process guard that refuses Python-level writes outside it, but nothing stops "
                   "a C extension or a child program (install bubblewrap for an OS sandbox)")
    if not bwrap:
        return Isolation(None, best_effort.format(why="no OS sandbox (bubblewrap is disabled or not installed)"))
    true = shutil.which("true") or "/bin/true"
    try:
        # Detect by trying: bwrap exists on machines where user namespaces are forbidden.
        done = subprocess.run([bwrap, *_BWRAP_BASE, "--", true], capture_output=True, text=True, timeout=20,
                              check=False)
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return Isolation(None, best_effort.format(why=f"bubblewrap ({bwrap}) cannot start: {exc}"))
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return Isolation(None, best_effort.format(why=f"bubblewrap ({bwrap}) is unusable here: {last}"))
    name = version.stdout.strip() or "bubblewrap"
    return Isolation(bwrap, f"OS sandbox: {name} (read-only file system except the private copy, HOME and "
                            "TMPDIR; no network; own PID namespace; dies with Empathy)")


def isolation() -> Isolation:
    """`EMPATHY_BWRAP` names the bubblewrap to use; empty or `none` turns the OS sandbox off."""
    chosen = os.environ.get("EMPATHY_BWRAP")
    if chosen is None:
        chosen = shutil.which("bwrap") or ("/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else "")
    return _probe(None if chosen.strip().lower() in ("", "none") else chosen)


def _ignore(directory: str, names: list[str]) -> set[str]:
    here = Path(directory)
    return {
        n for n in names
        if n in _IGNORE_DIRS or n.startswith(".coverage") or n.endswith(".egg-info")
        or (here / n / "pyvenv.cfg").exists()
    }


def copy_project(source: Path, dest: Path) -> list[str]:
    """Copy the project; a symlink stays a link only when it points inside the project.

    A link to anything outside (e.g. `tests -> /elsewhere/tests`) becomes a copy of its content, so no
    write in the copy can land outside it; a link that dangles or loops is left out. Returns notes.
    """
    root = source.resolve()
    notes: list[str] = []

    def walk(src: Path, dst: Path, seen: frozenset[Path]) -> None:
        dst.mkdir(exist_ok=True)
        try:
            names = sorted(os.listdir(src))
        except OSError as exc:
            notes.append(f"not copied: {src} ({exc.strerror})")
            return
        skip = _ignore(str(src), names)
        for name in names:
            if name in skip:
                continue
            path, target = src / name, dst / name
            if path.is_symlink():
                try:
                    real = path.resolve()
                except (OSError, RuntimeError):  # a loop of links
                    real = None
                if real is not None and real.exists() and real.is_relative_to(root):
                    os.symlink(os.path.relpath(dest / real.relative_to(root), target.parent), target)
                elif real is None or not real.exists() or real in seen:
                    notes.append(f"not copied: {target.relative_to(dest)} (dangling or looping link)")
                else:
                    notes.append(f"{target.relative_to(dest)} links outside the project ({real}): "
                                 "copied as content")
                    if real.is_dir():
                        walk(real, target, seen | {real})
                    else:
                        shutil.copy2(real, target)
            elif path.is_dir():
                walk(path, target, seen | {path.resolve()})
            elif path.is_file():
                shutil.copy2(path, target)

    walk(source, dest, frozenset({root}))
    return notes


def _subdirs(path: Path) -> list[Path]:
    return [p for p in path.iterdir() if p.is_dir()] if path.is_dir() else []


def tree_hashes(root: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under root, runner caches excluded."""
    result: dict[str, str] = {}
    if not root.exists():
        return result
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _CACHE_NAMES]
        for name in filenames:
            if name.startswith(".coverage"):
                continue
            path = Path(dirpath) / name
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = "<unreadable>"
            result[path.relative_to(root).as_posix()] = digest
    return result


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    keys = set(before) | set(after)
    return sorted(k for k in keys if before.get(k) != after.get(k))


@dataclass
class SandboxRun(ToolRun):
    """A ToolRun plus the writes outside the sandbox that were attempted (and refused)."""

    # the guard's lines: "event path" (e.g. "open /home/u/.bashrc"), or "network: ..."/"spawns-process: ..."
    blocked: list[str] = field(default_factory=list)
    isolated: bool = False  # True when bubblewrap contained the run
    log: list[str] = field(default_factory=list)  # the guard's log as written ("@@ test id" marks)


@dataclass
class Sandbox:
    """A temp folder holding a project copy, a HOME, a TMPDIR and our pytest plugin."""

    base: Path
    copy: Path
    python: str
    _runs: int = field(default=0)
    notes: list[str] = field(default_factory=list)  # what the copy changed (links copied as content)
    isolation: Isolation = field(default_factory=isolation)
    source: Path | None = None  # the project the copy was made from
    trusted: bool = True  # read by the trust guard (execution.run_project_code) on every run
    warm: WarmWorker | None = field(default=None, repr=False)  # see start_warm()
    _tables: asyncio.Task | None = field(default=None, repr=False)  # unicode_cache.build(), if running
    # Warm runs write and read the bytecode of what they import (project modules, pytest's rewritten test
    # files) in one folder of this sandbox, so the next run does not compile them again. Only where no
    # file of the copy is edited in place: a pyc is checked by its source's mtime and size, so an edit
    # within the same second that keeps the size would be missed (the boost writes new files only).
    share_bytecode: bool = False

    @classmethod
    def create(cls, project_root: Path, python: str, prefix: str = "empathy-testgen-",
               trusted: bool = True) -> Sandbox:
        base = Path(tempfile.mkdtemp(prefix=prefix)).resolve()
        copy = base / "project"
        notes = copy_project(Path(project_root), copy)
        for sub in ("home", "tmp", "plugin", "data", "hypothesis"):
            (base / sub).mkdir()
        plugin = base / "plugin"
        (plugin / f"{PLUGIN_NAME}.py").write_text(_PLUGIN, encoding="utf-8")
        shutil.copyfile(Path(__file__).with_name("_guard.py"), plugin / f"{_GUARD_NAME}.py")
        (plugin / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
        (base / "data" / "coveragerc").write_text("[run]\nbranch = True\n", encoding="utf-8")
        return cls(base=base, copy=copy, python=python, notes=notes, source=Path(project_root), trusted=trusted)

    def cleanup(self) -> None:
        if self.warm is not None:  # normally stopped by stop_warm(); this only ends its process group
            self.warm.kill()
            self.warm = None
        shutil.rmtree(self.base, ignore_errors=True)

    @property
    def pycache(self) -> Path:
        return self.base / "pycache"

    def bytecode_env(self) -> dict[str, str]:
        """For a warm run that imports the project and its tests, not new tools: with a prefix, Python
        looks for all bytecode there, so a tool imported for the first time would be compiled anew."""
        return {"EMPATHY_SANDBOX_PYCACHE": str(self.pycache)} if self.share_bytecode else {}

    @property
    def home(self) -> Path:
        return self.base / "home"

    def env(self, coverage_file: Path | None = None) -> dict[str, str]:
        env = project_env()  # ours minus secrets and steering variables (execution.STEERING)
        # Only our plugin folder is added: `python -m pytest` from the root imports the package the way
        # the project's own suite does (cwd on sys.path, its pytest `pythonpath`, or an installed package).
        pythonpath = [str(self.base / "plugin")]
        # src layout: the copy's packages come before an editable install of the real project (its
        # finder or .pth entry sits behind PYTHONPATH), so what runs is the copy, and is measured there.
        if any((p / "__init__.py").is_file() for p in _subdirs(self.copy / "src")):
            pythonpath.append(str(self.copy / "src"))
        if env.get("PYTHONPATH"):
            pythonpath.append(env["PYTHONPATH"])
        env.update(
            HOME=str(self.home),
            TMPDIR=str(self.base / "tmp"),
            TEMP=str(self.base / "tmp"),
            TMP=str(self.base / "tmp"),
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONPATH=os.pathsep.join(pythonpath),
            EMPATHY_SANDBOX_HYPOTHESIS=str(self.base / "hypothesis"),
            HYPOTHESIS_STORAGE_DIRECTORY=str(self.base / "hypothesis"),
            PYTHONHASHSEED="0",
            EMPATHY_SANDBOX_ALLOW=str(self.base),
            EMPATHY_SANDBOX_PROJECT=str(self.copy),
            # Under bubblewrap the kernel refuses; without it the guard is all there is.
            EMPATHY_SANDBOX_ENFORCE="0" if self.isolation.os_sandbox else "1",
        )
        if coverage_file is not None:
            env["COVERAGE_FILE"] = str(coverage_file)
        return env

    def next_id(self) -> int:
        self._runs += 1
        return self._runs

    def pytest_args(self, run_id: int) -> list[str]:
        args = ["-m", "pytest", "-q", "-p", PLUGIN_NAME, "--color=no", f"--rootdir={self.copy}"]
        return (args + config_args(self.copy, self.base / "data")
                + neutral_args(self.copy, self.base / "tmp" / f"pytest-{run_id}"))

    def command(self, cmd: list[str], cwd: Path | None = None) -> list[str]:
        """`cmd` wrapped in bubblewrap (when available), running in `cwd` (default: the copy)."""
        if not self.isolation.os_sandbox:
            return list(cmd)
        where = str(cwd or self.copy)
        return [self.isolation.bwrap, *_BWRAP_BASE, "--bind", str(self.base), str(self.base),
                "--chdir", where, "--", *cmd]

    async def start_warm(self) -> None:
        """From now on, `python -c`/`python -m`/runner runs of this sandbox's interpreter fork from one warm
        process (warm.py) instead of starting cold; if it cannot start, runs stay cold."""
        if self.warm is None:
            if not unicode_cache.seed(self.base / "hypothesis"):
                self._tables = asyncio.create_task(unicode_cache.build())  # for the next boosts
            try:
                self.warm = await WarmWorker.start(self)
            except (WarmGone, OSError, TimeoutError):
                self.warm = None

    async def stop_warm(self) -> None:
        if self.warm is not None:
            warm, self.warm = self.warm, None
            await warm.close()
        if self._tables is not None:
            tables, self._tables = self._tables, None
            await tables

    async def run(self, cmd: list[str], coverage_file: Path | None = None, timeout: float = 300,
                  cwd: Path | None = None, env: dict[str, str] | None = None) -> SandboxRun:
        """Run `cmd` in the sandbox (cwd: the copy, or `cwd`, which is read-only unless it is in the copy)."""
        run_env = {**self.env(coverage_file), **(env or {})}
        log = self.base / "data" / f"guard-{self.next_id()}.log"
        run_env["EMPATHY_SANDBOX_LOG"] = str(log)
        ran = None
        if self.warm is not None and len(cmd) > 2 and cmd[0] == self.python and cmd[1] in WARM_FORMS:
            check_trusted(self)
            try:
                ran = await self.warm.run(cmd[1:], cwd or self.copy, project_env(run_env), timeout)
            except WarmGone:
                self.warm = None
        if ran is None:
            # The one door for project code: refuses unless trusted, strips secrets and steering variables.
            ran = await run_project_code(self, self.command(cmd, cwd), cwd or self.copy, timeout=timeout,
                                         env=run_env)
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
        blocked = list(dict.fromkeys(ln for ln in lines if not ln.startswith("@@ ")))
        return SandboxRun(ran.returncode, ran.stdout, ran.stderr, ran.duration, blocked=blocked,
                          isolated=self.isolation.os_sandbox, log=lines)

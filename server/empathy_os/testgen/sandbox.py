"""Where project code runs while we generate and validate tests: a private copy, never the project.

Each run gets its own HOME and TMPDIR inside the sandbox, no API key in its environment, and a content
hash of the copy (and of HOME) before and after, so a test that writes anywhere but its temp folder is
caught and rejected.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from empathy_os.analyzers._pytest import has_pytest_config
from empathy_os.analyzers.base import ToolRun, run_tool

# Never copied: VCS data, environments, caches and build output.
_IGNORE_DIRS = {
    ".git", ".hg", ".svn", ".venv", "venv", "env", ".tox", ".nox", "node_modules", "__pycache__",
    ".empathy", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache", "htmlcov", "build", "dist",
}
# Written by the runners we start ourselves; their appearance is not the test's doing.
_CACHE_NAMES = {"__pycache__", ".pytest_cache", ".hypothesis"}

# Loaded into every pytest run with `-p`: keeps Hypothesis' example database out of the project copy.
_PLUGIN = '''\
import os
try:
    from hypothesis import Phase, settings
    from hypothesis.configuration import set_hypothesis_home_dir
    set_hypothesis_home_dir(os.environ["EMPATHY_SANDBOX_HYPOTHESIS"])
    # No shrinking: a failing candidate is rejected either way, and shrinking under coverage is slow.
    # 30 examples a run, 3 runs: 90 examples per candidate, at a third of the default's time.
    settings.register_profile("empathy-sandbox", database=None, deadline=None, max_examples=30,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("empathy-sandbox")
except Exception:  # hypothesis absent or too old: tests that need it fail on their own
    pass
'''
PLUGIN_NAME = "_empathy_sandbox_plugin"

_SECRET_PREFIXES = ("ANTHROPIC_", "COVERAGE_PROCESS_START", "PYTEST_ADDOPTS")


def _ignore(directory: str, names: list[str]) -> set[str]:
    here = Path(directory)
    return {
        n for n in names
        if n in _IGNORE_DIRS or n.startswith(".coverage") or n.endswith(".egg-info")
        or (here / n / "pyvenv.cfg").exists()
    }


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
class Sandbox:
    """A temp folder holding a project copy, a HOME, a TMPDIR and our pytest plugin."""

    base: Path
    copy: Path
    python: str
    _runs: int = field(default=0)

    @classmethod
    def create(cls, project_root: Path, python: str, prefix: str = "empathy-testgen-") -> Sandbox:
        base = Path(tempfile.mkdtemp(prefix=prefix))
        copy = base / "project"
        shutil.copytree(project_root, copy, ignore=_ignore, symlinks=True)
        for sub in ("home", "tmp", "plugin", "data", "hypothesis"):
            (base / sub).mkdir()
        (base / "plugin" / f"{PLUGIN_NAME}.py").write_text(_PLUGIN, encoding="utf-8")
        (base / "data" / "coveragerc").write_text("[run]\nbranch = True\n", encoding="utf-8")
        return cls(base=base, copy=copy, python=python)

    def cleanup(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)

    @property
    def home(self) -> Path:
        return self.base / "home"

    @property
    def rcfile(self) -> Path:
        return self.base / "data" / "coveragerc"

    def env(self, coverage_file: Path | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_SECRET_PREFIXES)}
        # Only our plugin is added: `python -m pytest` from the root imports the package the way the
        # project's own suite does (cwd on sys.path, its pytest `pythonpath`, or an installed package).
        pythonpath = [str(self.base / "plugin")]
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
        )
        if coverage_file is not None:
            env["COVERAGE_FILE"] = str(coverage_file)
        return env

    def next_id(self) -> int:
        self._runs += 1
        return self._runs

    def pytest_args(self, run_id: int) -> list[str]:
        args = [
            "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", PLUGIN_NAME, "--color=no",
            f"--basetemp={self.base / 'tmp' / f'pytest-{run_id}'}", f"--rootdir={self.copy}",
        ]
        if not has_pytest_config(self.copy):
            # Otherwise pytest would adopt a parent folder's config (the sandbox lives in /tmp).
            ini = self.base / "data" / "pytest.ini"
            ini.write_text("[pytest]\n", encoding="utf-8")
            args += ["-c", str(ini)]
        return args

    async def run(self, cmd: list[str], coverage_file: Path | None = None, timeout: float = 300) -> ToolRun:
        # run_tool merges our env over os.environ, so secrets must be blanked, not just left out.
        env = self.env(coverage_file)
        for key in os.environ:
            if key.startswith(_SECRET_PREFIXES) and key not in env:
                env[key] = ""
        return await run_tool(cmd, self.copy, timeout=timeout, env=env)

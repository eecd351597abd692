"""What a project is, for the analyzers: its root, settings, interpreter, and which files count.

Settings come from the project's own `pyproject.toml` `[tool.empathy]` table, then `overrides` (e.g. CLI
flags) on top. Recognised keys (all optional):

- `python`: interpreter that runs the project's tests (absolute, relative to the root, or a name on PATH)
- `critical_min_severity` / `critical_min_confidence`: what bandit finding counts as critical
- `max_function_lines`, `max_parameters`, `max_nesting`: code-smell thresholds
- `min_maintainability`: radon MI under which a file is reported
- `slow_test_seconds`: test-duration threshold
- `coverage_timeout`, `tool_timeout`: seconds
- `file_timeout`: seconds of CPU each per-file analysis (radon, code smells, docstrings) may spend on one file
  (default 5; past it the file is skipped and named: analyzers/filepool.py)
- `bytecode_cache` (default true): the test run's bytecode, and pytest's rewritten test modules, kept in the
  user's cache folder (`~/.cache/empathy/pycache`), never in the project; false turns it off
- `live_worker_max_mb` (default 512): the daemon's warm interpreter for live coverage (lsp/warm_tests.py) is
  started afresh after a refresh that leaves it above this many MiB resident
- `layers`: list of module names, highest first, checked by the import-graph analyzer
- `max_file_bytes`: source files larger than this (default 1,000,000 bytes; generated tables, vendored
  bundles) are skipped by every per-file analysis (bandit, ruff, radon, docstrings, code smells, coverage
  gaps, test generation) and left out of the coverage figure (parsing a 5 MB generated table for a
  report cost minutes and gigabytes); `oversized_files` lists them and reports say so.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path
from typing import Any

from empathy_os.analyzers._perfile import parse_file, read_source  # noqa: F401  (here since the worker needs them)
from empathy_os.analyzers.contract import ProjectContext
from empathy_os.environment import detect as detect_environment
from empathy_os.environment import resolve_python  # noqa: F401  (re-exported)
from empathy_os.interpreter import check as check_interpreter
from empathy_os.project_walk import SKIP_DIRS as _SKIP_DIRS
from empathy_os.project_walk import walk_py as _walk_py

_TEST_DIRS = {"tests", "test"}
CONFIG_FILES = (
    "pyproject.toml", "setup.cfg", "tox.ini", ".coveragerc", ".bandit", "ruff.toml", ".ruff.toml",
    "pytest.ini", "conftest.py",
)


def load_project(
    root: str | os.PathLike[str],
    *,
    python: str | None = None,
    trusted: bool = True,
    overrides: dict[str, Any] | None = None,
    check_python: bool = True,
) -> ProjectContext:
    """Validate `root` and read its settings. Raises ValueError with a one-line reason if unusable: in a
    trusted run (`check_python`, for runs that may start it) also when the interpreter that would run the
    tests is not a Python we can use (empathy_os.interpreter)."""
    path = Path(root).expanduser()
    if not path.exists():
        raise ValueError(f"project root does not exist: {path}")
    if not path.is_dir():
        raise ValueError(f"project root is a file, not a folder: {path}")
    path = path.resolve()
    settings = dict(read_empathy_settings(path))
    settings.update({k: v for k, v in (overrides or {}).items() if v is not None})
    env = detect_environment(path, explicit=python, settings=settings, trusted=trusted)
    if check_python and trusted is True and not env.own:
        check_interpreter(env.python, path, env.reason, trusted)
    return ProjectContext(root=path, python=env.python, trusted=trusted, settings=settings,
                          python_reason=env.reason, python_source=env.source)


def read_empathy_settings(root: Path) -> dict[str, Any]:
    data = read_pyproject(root)
    table = data.get("tool", {}).get("empathy", {})
    if not isinstance(table, dict):
        raise ValueError(f"[tool.empathy] in {root / 'pyproject.toml'} must be a table")  # noqa: TRY004  (callers expect ValueError)
    return table


def read_pyproject(root: Path) -> dict[str, Any]:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {pyproject}: {exc}") from None


def is_test_file(rel: Path) -> bool:
    name = rel.name
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    return any(part in _TEST_DIRS for part in rel.parts[:-1])


def _only(ctx: ProjectContext) -> set[Path] | None:
    if ctx.only_files is None:
        return None
    return {(p if Path(p).is_absolute() else ctx.root / p).resolve() for p in ctx.only_files}


def all_py_files(ctx: ProjectContext) -> list[Path]:
    """Every project .py file (sources and tests), absolute paths, sorted."""
    return list(_walk_py(ctx.root))


DEFAULT_MAX_FILE_BYTES = 1_000_000


def max_file_bytes(ctx: ProjectContext) -> int:
    value = ctx.settings.get("max_file_bytes")
    try:
        return int(value) if value is not None and int(value) > 0 else DEFAULT_MAX_FILE_BYTES
    except (TypeError, ValueError):
        return DEFAULT_MAX_FILE_BYTES


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _sources(ctx: ProjectContext) -> list[Path]:
    only = _only(ctx)
    files = [p for p in _walk_py(ctx.root) if not is_test_file(p.relative_to(ctx.root))]
    if only is not None:
        files = [p for p in files if p.resolve() in only]
    return files


def source_files(ctx: ProjectContext) -> list[Path]:
    """Project sources: .py files outside tests, venvs, build output and hidden folders, and not over
    `max_file_bytes` (see oversized_files)."""
    limit = max_file_bytes(ctx)
    return [p for p in _sources(ctx) if _size(p) <= limit]


def oversized_files(ctx: ProjectContext) -> list[tuple[Path, int]]:
    """(path, bytes) of the sources skipped by per-file analysis for their size."""
    limit = max_file_bytes(ctx)
    return [(p, n) for p in _sources(ctx) if (n := _size(p)) > limit]


def size_note(ctx: ProjectContext) -> str | None:
    """One line for a report naming the files skipped for their size, or None."""
    big = oversized_files(ctx)
    if not big:
        return None
    names = ", ".join(f"{rel(ctx, p)} ({n / 1e6:.1f} MB)" for p, n in big)
    return (f"skipped by per-file analysis, larger than {max_file_bytes(ctx):,} bytes "
            f"([tool.empathy] max_file_bytes): {names}")


def test_files(ctx: ProjectContext) -> list[Path]:
    return [p for p in _walk_py(ctx.root) if is_test_file(p.relative_to(ctx.root))]


test_files.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite the name


def packages(ctx: ProjectContext) -> list[str]:
    """Top-level import packages, as paths relative to the root (`inventory`, `src/pkg`)."""
    found: list[str] = []
    # setuptools' `[tool.setuptools.packages.find] where` names other source folders (e.g. `server`).
    where = read_pyproject(ctx.root).get("tool", {}).get("setuptools", {}).get("packages", {})
    where = where.get("find", {}).get("where", []) if isinstance(where, dict) else []
    extra = [ctx.root / w for w in where if isinstance(w, str) and w not in (".", "src")]
    for base in (ctx.root, ctx.root / "src", *extra):
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            if (
                child.is_dir() and (child / "__init__.py").is_file()
                and child.name not in _TEST_DIRS and not child.name.startswith(".")
                and child.name not in _SKIP_DIRS
            ):
                found.append(child.relative_to(ctx.root).as_posix())
    return found


def rel(ctx: ProjectContext, path: str | Path) -> str:
    """Posix path relative to the project root (unchanged if outside it)."""
    p = Path(path)
    if not p.is_absolute():
        p = ctx.root / p
    try:
        return p.resolve().relative_to(ctx.root).as_posix()
    except ValueError:
        return p.as_posix()


def config_files(ctx: ProjectContext) -> list[Path]:
    return [ctx.root / n for n in CONFIG_FILES if (ctx.root / n).is_file()]


def fingerprint(paths: list[Path], root: Path) -> str:
    """Content hash of files (path + bytes), independent of timestamps."""
    h = hashlib.sha256()
    for p in sorted(paths):
        try:
            data = p.read_bytes()
        except OSError:
            data = b"<unreadable>"
        h.update(p.relative_to(root).as_posix().encode() if p.is_relative_to(root) else str(p).encode())
        h.update(b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()

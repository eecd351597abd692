"""Incremental runs: an analyzer's result is reused while its inputs are byte-for-byte unchanged.

Key = SHA-256 over: the analyzer name, the analyzer module's own source, the tool's version, the
settings and file restriction, and the content of its inputs:
- per-file analyzers (bandit, ruff, radon, docstrings, code_smells, import_graph): the source files and
  the project's config files;
- test-running analyzers (coverage, test_durations): every project .py file (sources and tests), the
  config files and the interpreter path; so any source or test edit re-measures coverage.

One entry per analyzer under `<root>/.empathy/cache/<name>.json`, written atomically (tmp + os.replace).
A missing, unreadable or corrupt entry is a miss, never an error. Only results that ran are stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from pydantic import ValidationError

from empathy_os.analyzers._util import dist_version
from empathy_os.analyzers.contract import REGISTRY, AnalyzerResult, ProjectContext
from empathy_os.analyzers.project import all_py_files, config_files, fingerprint, source_files
from empathy_os.analyzers.specs import spec_of
from empathy_os.confine import OutsideRoot, confined


def cache_key(name: str, ctx: ProjectContext) -> str:
    fn = REGISTRY.get(name)
    module = sys.modules.get(getattr(fn, "__module__", "") or "")  # a plug-in's module lives elsewhere
    module_src = b""
    if module is not None and getattr(module, "__file__", None):
        module_src = Path(module.__file__).read_bytes()
    spec = spec_of(name)
    test_running = spec is not None and spec.test_running
    inputs = all_py_files(ctx) if test_running else source_files(ctx)
    parts = {
        "analyzer": name,
        "module": hashlib.sha256(module_src).hexdigest(),
        "tool": dist_version(spec.distribution if spec is not None else name),
        "settings": ctx.settings,
        "only": sorted(str(p) for p in ctx.only_files) if ctx.only_files is not None else None,
        "python": ctx.python if test_running else None,
        "trusted": ctx.trusted,
        "inputs": fingerprint(inputs + config_files(ctx), ctx.root),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _entry(ctx: ProjectContext, name: str) -> Path:
    return ctx.cache_dir / f"{name}.json"


def load(ctx: ProjectContext, name: str, key: str) -> AnalyzerResult | None:
    try:
        data = json.loads(_entry(ctx, name).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        return AnalyzerResult.model_validate(data["result"])
    except (OSError, ValueError, KeyError, TypeError, ValidationError):
        return None


def store(ctx: ProjectContext, name: str, key: str, result: AnalyzerResult) -> bool:
    """Write the entry atomically; False (and nothing half-written) when the folder is not writable."""
    return write_entry(ctx, f"{name}.json", json.dumps({"key": key, "result": result.model_dump(mode="json")}))


def write_entry(ctx: ProjectContext, filename: str, payload: str) -> bool:
    """`payload` into `<root>/.empathy/cache/<filename>` atomically (temp file + rename); False when the
    folder is not writable or leads (a symlink) out of the project. `.empathy/` gets a .gitignore the first
    time."""
    target = ctx.cache_dir / filename
    ignore = ctx.root / ".empathy" / ".gitignore"
    try:
        confined(ctx.root, target)
        confined(ctx.root, ignore)
    except OutsideRoot:
        return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not ignore.exists():
            ignore.write_text("# Empathy's cache and generated data\n*\n", encoding="utf-8")
        fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True
    except OSError:
        return False

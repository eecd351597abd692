"""Helpers for the analyzer tests: tiny real projects written to tmp_path, and running an analyzer."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

from empathy_os.analyzers import run_analyzer
from empathy_os.analyzers.contract import AnalyzerResult
from empathy_os.analyzers.project import load_project

PY = sys.executable
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample-project"


def copy_sample(dest: Path) -> Path:
    """A private copy of the sample, without any run debris someone left in the repo's copy."""
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns(
        ".empathy", "__pycache__", ".coverage*", ".hypothesis", ".pytest_cache", ".ruff_cache"))
    return dest


def write_project(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def analyze(name: str, root: Path, *, use_cache: bool = False, **kwargs) -> AnalyzerResult:
    ctx = load_project(root, **kwargs)
    ctx.use_cache = use_cache
    return asyncio.run(run_analyzer(name, ctx))


def leftovers(root: Path) -> list[str]:
    """Files a test run must never leave in the user's project."""
    names = [".coverage", ".pytest_cache", ".hypothesis", ".ruff_cache", "coverage.json", "junit.xml"]
    return [n for n in names if (root / n).exists()] + [p.name for p in root.glob(".coverage.*")]

"""Small helpers shared by the tool wrappers."""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

from empathy_os.analyzers.contract import AnalyzerResult, ProjectContext


def dist_version(dist: str) -> str:
    """`"<dist> <version>"` of a tool installed in our environment (what actually runs)."""
    try:
        return f"{dist} {metadata.version(dist)}"
    except metadata.PackageNotFoundError:
        return f"{dist} (not installed)"


def not_run(analyzer: str, tool: str, error: str, **extra: Any) -> AnalyzerResult:
    return AnalyzerResult(analyzer=analyzer, tool=tool, ran=False, error=error, **extra)


def setting(ctx: ProjectContext, key: str, default: Any) -> Any:
    value = ctx.settings.get(key)
    return default if value is None else value


def load_json(text: str, what: str) -> Any:
    """Parse a tool's JSON output; a clear error naming the tool when it printed something else."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        snippet = " ".join(text.split())[:200]
        raise RuntimeError(f"{what} did not print JSON: {snippet or '(no output)'}") from None


def join_notes(notes: list[str]) -> str | None:
    return "; ".join(notes) if notes else None

"""Glue between runs and the learning store: which files to use, and never letting learning break a run.

The workspace store is `<project>/.empathy/store.json` (or the context's `store_path`); the cross-project
pattern library is the user's (see `empathy_os.store.pattern_library`). Planning only *reads*: a missing store is
not created. A damaged store never stops a run: the problem is reported in the rationale / report instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from empathy_os.orchestration.run_context import RunContext
from empathy_os.store.configurations import STORE_ENV


def store_path(context: RunContext | Mapping[str, Any]) -> Path:
    run = RunContext.parse(context)
    # docs/guide/teams.md: the workspace store may be overridden by EMPATHY_STORE, for every command.
    explicit = run.store_path or os.environ.get(STORE_ENV)
    if explicit:
        return Path(str(explicit)).expanduser()
    return run.project_root / ".empathy" / "store.json"


def open_stores(context: RunContext | Mapping[str, Any], *, create: bool):
    """(store, pattern_library), or None when reading and there is no store yet."""
    from empathy_os.store.configurations import ConfigurationStore
    from empathy_os.store.pattern_library import PatternLibrary

    path = store_path(context)
    if not create and not path.is_file():
        return None
    library = PatternLibrary()
    return ConfigurationStore(path, pattern_library=library), library


def recorded_compositions(task_pattern: str, context: RunContext | Mapping[str, Any]):
    """([(config, "store" | "pattern_library"), ...], note): every composition recorded for the pattern in
    the workspace store, plus the pattern library's best when the store lacks it. Never raises."""
    try:
        opened = open_stores(context, create=False)
        if opened is None:
            return [], None
        store, library = opened
        found = [(c, "store") for c in store.list(task_pattern)]
        shared = library.find_best(task_pattern) if library is not None else None
        if shared is not None and shared.id not in {c.id for c, _ in found}:
            found.append((shared, "pattern_library"))
    except Exception as exc:  # noqa: BLE001 - a damaged store must not stop planning; say why instead
        return [], f"learning skipped: {exc}"
    return found, None


def record_outcome(context: RunContext | Mapping[str, Any], *, task_pattern: str, agents: list[tuple[str, str]],
                   strategy: str, quality_gates: dict[str, Any] | None, success: bool,
                   quality_score: float | None) -> str:
    """Record a run against its configuration; returns a line for the report (never raises)."""
    from empathy_os.store.composition_records import record_run

    try:
        store, library = open_stores(context, create=True)
        config = record_run(store, task_pattern=task_pattern, agents=agents, strategy=strategy,
                            quality_gates=quality_gates, success=success, quality_score=quality_score,
                            quality_scale=10.0, pattern_library=library)
    except Exception as exc:  # noqa: BLE001 - the run's result stands even if it cannot be recorded
        return f"outcome not recorded: {exc}"
    runs = config.usage_count
    return (f"outcome recorded on {config.id}: {runs} run{'' if runs == 1 else 's'}, "
            f"{config.success_rate:.0%} success")

"""Store queries, the use case behind `empathy store list | show | best` and the daemon's Best Stored
Composition: read the workspace's configuration store. Reading never creates it: a store file that does not
exist is an empty store. A store that cannot be read raises StoreError (one line, naming the file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from empathy_os.app.requests import StoreQueryRequest
from empathy_os.app.results import StoreQueryResult
from empathy_os.progress_callback import Progress, no_progress


async def run(request: StoreQueryRequest, progress: Progress = no_progress) -> StoreQueryResult:
    from empathy_os.store.configurations import ConfigurationStore, default_store_path

    path = Path(request.store) if request.store is not None else default_store_path(request.root)
    store = ConfigurationStore(path) if path.exists() else None  # opening it would create it
    if request.query == "list":
        configs = store.list(task_pattern=request.task_pattern) if store is not None else []
        return StoreQueryResult(query="list", store=str(path), configurations=[_document(c) for c in configs],
                                text=_table(configs, path))
    if request.query == "show":
        config = store.get(request.id) if store is not None else None
        if config is None:
            return StoreQueryResult(query="show", store=str(path), exit_code=2,
                                    usage_error=f"no configuration {request.id!r} in {path}")
    else:
        config = store.get_best_for_task(request.task_pattern) if store is not None else None
        if config is None:
            why = (f"no stored composition for task pattern {request.task_pattern!r}" if store is not None
                   else "no learned compositions stored in this workspace yet")
            return StoreQueryResult(query="best", store=str(path), exit_code=1, reason=why,
                                    text=f"no configuration for task pattern {request.task_pattern!r} in {path}")
    return StoreQueryResult(query=request.query, store=str(path), configurations=[_document(config)],
                            text=_describe(config))


def _document(config: Any) -> dict[str, Any]:
    return config.model_dump(mode="json")


def _table(configs: list[Any], path: Path) -> str:
    if not configs:
        return f"no configurations in {path}"
    rows = [("ID", "TASK PATTERN", "STRATEGY", "RUNS", "SUCCESS", "AVG QUALITY", "AGENTS")]
    for c in configs:
        quality = f"{c.avg_quality_score:.1f}" if c.quality_score_count else "-"
        agents = ", ".join(f"{a['role']}:{a['tier']}" for a in c.agents)
        rows.append((c.id, c.task_pattern, c.strategy, str(c.usage_count), f"{c.success_rate:.0%}",
                     quality, agents))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]
             for row in rows]
    lines.append(f"{len(configs)} configuration(s) in {path}")
    return "\n".join(lines)


def _describe(config: Any) -> str:
    quality = f"{config.avg_quality_score:.1f}/100 over {config.quality_score_count} score(s)" \
        if config.quality_score_count else "no scores recorded"
    return "\n".join([
        f"id:            {config.id}",
        f"task pattern:  {config.task_pattern}",
        f"strategy:      {config.strategy}",
        "agents:        " + ", ".join(f"{a['role']} ({a['tier']})" for a in config.agents),
        f"quality gates: {json.dumps(config.quality_gates)}",
        f"runs:          {config.usage_count} ({config.success_count} succeeded, {config.success_rate:.1%})",
        f"avg quality:   {quality}",
        f"created:       {config.created_at.isoformat()}",
        f"last used:     {config.last_used.isoformat() if config.last_used else '-'}",
    ])

"""`empathy store list | show ID | best TASK_PATTERN`: read the workspace's configuration store.

Store location: `--store PATH`, else `--project-root PATH` → `PATH/.empathy/store.json`, else
`$EMPATHY_STORE`, else `./.empathy/store.json`. Reading never creates the store.
Exit codes: 0 found, 1 `best` found nothing, 2 bad usage or an unusable store file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from empathy_os.cli.common import UsageError


def register(subparsers) -> None:
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_mutually_exclusive_group()
    where.add_argument("--store", metavar="PATH", type=Path, help="store file (default ./.empathy/store.json)")
    where.add_argument("--project-root", metavar="PATH", type=Path,
                       help="workspace whose .empathy/store.json to read")
    common.add_argument("--json", action="store_true", help="machine-readable output")

    parser = subparsers.add_parser("store", help="inspect learned configurations")
    actions = parser.add_subparsers(dest="store_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", parents=[common], help="list stored configurations")
    listing.add_argument("--task-pattern", metavar="PATTERN", help="only this task pattern")
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", parents=[common], help="show one configuration")
    show.add_argument("id", metavar="ID")
    show.set_defaults(handler=_show)

    best = actions.add_parser("best", parents=[common], help="best configuration for a task pattern")
    best.add_argument("task_pattern", metavar="TASK_PATTERN")
    best.set_defaults(handler=_best)


def _open(args: argparse.Namespace):
    from empathy_os.store.configurations import ConfigurationStore

    if args.project_root is not None and not args.project_root.is_dir():
        raise UsageError(f"project root {args.project_root} is not a directory")
    return ConfigurationStore(args.store, project_root=args.project_root)


def _guard(action):
    """Store problems (corrupt file, newer schema, a directory) become one-line usage errors."""

    def run(args: argparse.Namespace) -> int:
        # Imported when a store command runs, not when the parser is built (the store imports pydantic).
        from empathy_os.store.storage import StoreError

        try:
            return action(args)
        except StoreError as exc:
            raise UsageError(str(exc)) from None

    return run


def _document(config) -> dict[str, Any]:
    return config.model_dump(mode="json")


@_guard
def _list(args: argparse.Namespace) -> int:
    store = _open(args)
    configs = store.list(task_pattern=args.task_pattern)
    if args.json:
        print(json.dumps([_document(c) for c in configs], indent=2))
        return 0
    if not configs:
        print(f"no configurations in {store.path}")
        return 0
    rows = [("ID", "TASK PATTERN", "STRATEGY", "RUNS", "SUCCESS", "AVG QUALITY", "AGENTS")]
    for c in configs:
        quality = f"{c.avg_quality_score:.1f}" if c.quality_score_count else "-"
        agents = ", ".join(f"{a['role']}:{a['tier']}" for a in c.agents)
        rows.append((c.id, c.task_pattern, c.strategy, str(c.usage_count), f"{c.success_rate:.0%}",
                     quality, agents))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    print(f"{len(configs)} configuration(s) in {store.path}")
    return 0


@_guard
def _show(args: argparse.Namespace) -> int:
    store = _open(args)
    config = store.get(args.id)
    if config is None:
        raise UsageError(f"no configuration {args.id!r} in {store.path}")
    return _print_config(config, args.json)


@_guard
def _best(args: argparse.Namespace) -> int:
    store = _open(args)
    config = store.get_best_for_task(args.task_pattern)
    if config is None and not args.json:
        print(f"no configuration for task pattern {args.task_pattern!r} in {store.path}")
        return 1
    return _print_config(config, args.json)


def _print_config(config, as_json: bool) -> int:
    """One configuration as JSON (`null` when there is none: exit 1) or as text."""
    if as_json:
        print(json.dumps(None if config is None else _document(config), indent=2))
    else:
        print(_describe(config))
    return 0 if config is not None else 1


def _describe(config) -> str:
    quality = f"{config.avg_quality_score:.1f}/100 over {config.quality_score_count} score(s)" \
        if config.quality_score_count else "no scores recorded"
    lines = [
        f"id:            {config.id}",
        f"task pattern:  {config.task_pattern}",
        f"strategy:      {config.strategy}",
        "agents:        " + ", ".join(f"{a['role']} ({a['tier']})" for a in config.agents),
        f"quality gates: {json.dumps(config.quality_gates)}",
        f"runs:          {config.usage_count} ({config.success_count} succeeded, {config.success_rate:.1%})",
        f"avg quality:   {quality}",
        f"created:       {config.created_at.isoformat()}",
        f"last used:     {config.last_used.isoformat() if config.last_used else '-'}",
    ]
    return "\n".join(lines)

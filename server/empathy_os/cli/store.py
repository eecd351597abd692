"""`empathy store list | show ID | best TASK_PATTERN`: read the workspace's configuration store.

Store location: `--store PATH`, else `--project-root PATH` → `PATH/.empathy/store.json`, else
`$EMPATHY_STORE`, else `./.empathy/store.json`. Reading never creates the store.
Exit codes: 0 found, 1 `best` found nothing, 2 bad usage or an unusable store file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

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
    listing.set_defaults(handler=run, query="list")

    show = actions.add_parser("show", parents=[common], help="show one configuration")
    show.add_argument("id", metavar="ID")
    show.set_defaults(handler=run, query="show")

    best = actions.add_parser("best", parents=[common], help="best configuration for a task pattern")
    best.add_argument("task_pattern", metavar="TASK_PATTERN")
    best.set_defaults(handler=run, query="best")


def run(args: argparse.Namespace) -> int:
    # Imported when a store command runs, not when the parser is built (the store imports pydantic).
    from empathy_os.app.requests import StoreQueryRequest
    from empathy_os.cli import common
    from empathy_os.store.storage import StoreError

    request = common.request(StoreQueryRequest, query=args.query, store=args.store, root=args.project_root,
                             id=getattr(args, "id", None), task_pattern=getattr(args, "task_pattern", None))
    try:
        result = common.execute(request)
    except StoreError as exc:  # a corrupt file, a newer schema, a directory: one line
        raise UsageError(str(exc)) from None
    if result.usage_error:  # `show` of an id that is not there
        raise UsageError(result.usage_error)
    return common.show(result, as_json=args.json)

"""`empathy orchestrate test-coverage`: generate tests, keep only those that pass and raise coverage."""

from __future__ import annotations

import argparse

from empathy_os.cli import common

positive_int = common.int_at_least(1)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "test-coverage", help="generate tests for uncovered code; keep only those that pass and add coverage",
        description="Stage 1 measures coverage and ranks the gaps, stage 2 writes candidate tests "
                    "(Hypothesis ghostwriter and plain calls offline; a CHEAP → CAPABLE → PREMIUM model "
                    "cascade when ANTHROPIC_API_KEY is set), stage 3 keeps a candidate only if it passes "
                    "3 isolated runs, covers new lines and writes nothing outside its temp folder. "
                    "Exit 0 target reached, 1 not reached, 2 bad usage or refused.")
    common.add_project_options(p, untrusted="the boost is refused, as in an untrusted editor workspace")
    p.add_argument("--target", type=common.bounded_float(0, 100), default=80.0, metavar="N",
                   help="coverage percent to reach (default 80)")
    p.add_argument("--max-iterations", type=positive_int, default=3, metavar="N",
                   help="model rounds over the remaining gaps (default 3)")
    p.add_argument("--only", metavar="FILE[:FUNCTION]", help="restrict to one file or one function")
    p.add_argument("--dry-run", action="store_true", help="print what would be written, write nothing")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from empathy_os.app.requests import CoverageBoostRequest

    request = common.request(
        CoverageBoostRequest, root=common.project_root_arg(args.project_root), target=args.target,
        max_iterations=args.max_iterations, max_cost=args.max_cost, only=args.only, dry_run=args.dry_run,
        write=True, python=args.python, trusted=not args.untrusted)
    return common.show(common.execute(request), as_json=args.json)

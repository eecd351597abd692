"""`empathy compose TASK`: show the team, strategy, estimate and rationale the orchestrator picks (and
optionally run it)."""

from __future__ import annotations

import argparse
import sys

from empathy_os.cli import common


def register(subparsers) -> None:
    p = subparsers.add_parser("compose", help="compose an agent team for a task (and optionally run it)")
    p.add_argument("task", help='what you want done, e.g. "Prepare for production release"')
    common.add_project_options(p, untrusted="with --run: tests and coverage are skipped, static tools only",
                        json_of="plan (and with --run the result)")
    p.add_argument("--domain", action="append", help="domain hint (repeatable): security, testing, ...")
    p.add_argument("--capability", action="append", help="capability hint (repeatable)")
    p.add_argument("--complexity", choices=["simple", "moderate", "complex"])
    p.add_argument("--no-learn", action="store_true", help="ignore and do not update learned compositions")
    p.add_argument("--run", action="store_true", help="execute the plan and print the agents' results")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from empathy_os.app.requests import ComposeRequest

    root = common.project_root_arg(args.project_root)
    if args.untrusted and not args.run:
        raise common.UsageError("--untrusted only applies with --run")
    context = {"project_path": str(root), "python": args.python, "domain": args.domain,
               "capabilities": args.capability,
               "complexity": args.complexity, "max_cost": args.max_cost, "learn": not args.no_learn}
    result = common.execute(common.request(ComposeRequest, task=args.task, context=context, execute=args.run,
                                           trusted=not args.untrusted))
    if result.refused is not None and not args.json:  # a refusal is an answer, not an error: one line, exit 2
        print(result.text, file=sys.stderr)
        return result.exit_code
    return common.show(result, as_json=args.json)

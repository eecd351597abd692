"""`empathy orchestrate fix`: verified changes for the current findings; `--apply` writes only those."""

from __future__ import annotations

import argparse
import json
import sys

from empathy_os.cli.common import UsageError, bounded_float, project_root_arg, run_async, stderr_progress


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "fix", help="propose verified changes for the current findings",
        description="Each proposed change (ruff's own fixes offline; with ANTHROPIC_API_KEY also model "
                    "fixes, security triage, docstrings, refactorings) is applied in a private copy of the "
                    "project and kept only if the finding is gone, nothing new is reported, the tests pass "
                    "and coverage is not lower. Writes nothing without --apply. Exit 0 every targeted "
                    "finding got a verified change, 1 some did not, 2 bad usage.")
    p.add_argument("--project-root", default=".", metavar="PATH", help="project folder (default: .)")
    p.add_argument("--rule", action="append", metavar="RULE", help="only findings of this rule (repeatable)")
    p.add_argument("--path", action="append", metavar="FILE", help="only findings in this file or folder "
                   "(relative to the project root; repeatable)")
    p.add_argument("--agents", nargs="+", metavar="ID", help="code_reviewer, security_auditor, "
                   "documentation_writer, refactoring_specialist (default: all)")
    p.add_argument("--max-cost", type=bounded_float(0, 1e6), metavar="USD", help="cap on model spend")
    p.add_argument("--apply", action="store_true", help="write the verified changes to the project")
    p.add_argument("--python", metavar="INTERPRETER", help="interpreter that runs the project's tests")
    p.add_argument("--untrusted", action="store_true", help="never run project code (nothing can be verified)")
    p.add_argument("--json", action="store_true", help="print the report as JSON (nothing else on stdout)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = project_root_arg(args.project_root)
    from empathy_os.changes.workflow import render_text, run_fix

    try:
        report = run_async(run_fix(root, rules=args.rule, paths=args.path, agents=args.agents,
                                     max_cost=args.max_cost, apply=args.apply, python=args.python,
                                     trusted=not args.untrusted, progress=stderr_progress()))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(render_text(report, applied=args.apply))
    return 0 if not report.unresolved and not report.refused else 1

"""`empathy orchestrate fix`: verified changes for the current findings; `--apply` writes only those."""

from __future__ import annotations

import argparse

from empathy_os.cli import common


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "fix", help="propose verified changes for the current findings",
        description="Each proposed change (ruff's own fixes offline; with ANTHROPIC_API_KEY also model "
                    "fixes, security triage, docstrings, refactorings) is applied in a private copy of the "
                    "project and kept only if the finding is gone, nothing new is reported, the tests pass "
                    "and coverage is not lower. Writes nothing without --apply. Exit 0 every targeted "
                    "finding got a verified change, 1 some did not, 2 bad usage.")
    common.add_project_options(p, untrusted="nothing can be verified")
    p.add_argument("--rule", action="append", metavar="RULE", help="only findings of this rule (repeatable)")
    p.add_argument("--path", action="append", metavar="FILE", help="only findings in this file or folder "
                   "(relative to the project root; repeatable)")
    p.add_argument("--agents", nargs="+", metavar="ID", help="code_reviewer, security_auditor, "
                   "documentation_writer, refactoring_specialist (default: these four); test_coverage_analyzer (only "
                   "when named: the coverage boost's new test files, verified like any change); test_generator "
                   "(only when named, needs a model: repairs of failing tests, editing only the failing test)")
    p.add_argument("--apply", action="store_true", help="write the verified changes to the project")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from empathy_os.app.requests import FixRequest

    request = common.request(FixRequest, root=common.project_root_arg(args.project_root), rules=args.rule,
                             paths=args.path, agents=args.agents, max_cost=args.max_cost, apply=args.apply,
                             python=args.python, trusted=not args.untrusted)
    return common.show(common.execute(request), as_json=args.json)

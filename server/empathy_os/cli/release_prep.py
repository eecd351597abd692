"""`empathy orchestrate release-prep`: run the release gates on a project and report."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from empathy_os.cli.common import (
    UsageError,
    bounded_float,
    non_negative_int,
    project_root_arg,
    stderr_progress,
)
from empathy_os.workflows.gates import GATE_SPECS, gates_from


def register(subparsers) -> None:
    p = subparsers.add_parser("release-prep", help="run the release quality gates on a project",
                              description="Security, coverage, quality and docs agents in parallel, "
                                          "then quality gates. Exit 0 approved, 1 not approved, 2 bad usage.")
    p.add_argument("--project-root", default=".", metavar="PATH", help="project folder (default: .)")
    for gate in GATE_SPECS:
        p.add_argument(gate.flag, dest=gate.name, metavar="N", help=gate.help,
                       type=non_negative_int if gate.whole else bounded_float(gate.low, gate.high))
    p.add_argument("--python", metavar="INTERPRETER", help="interpreter that runs the project's tests")
    p.add_argument("--max-cost", type=bounded_float(0, 1e6), metavar="USD", help="cap on model spend")
    p.add_argument("--json", action="store_true", help="print the report as JSON (nothing else on stdout)")
    p.add_argument("--sarif", metavar="FILE", help="also write findings as SARIF 2.1.0 to FILE")
    p.add_argument("--no-cache", action="store_true", help="re-run every analyzer")
    p.add_argument("--untrusted", action="store_true", help="never run project code (skips coverage)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = project_root_arg(args.project_root)
    sarif = None
    if args.sarif:
        sarif = Path(args.sarif).expanduser()
        if not sarif.parent.is_dir():
            raise UsageError(f"--sarif: folder {sarif.parent} does not exist")
        if sarif.is_dir():
            raise UsageError(f"--sarif: {sarif} is a folder")
    gates = gates_from({gate.name: getattr(args, gate.name) for gate in GATE_SPECS})
    from empathy_os.workflows.orchestrated_release_prep import OrchestratedReleasePrepWorkflow
    from empathy_os.workflows.reports import render_sarif, render_text

    try:
        workflow = OrchestratedReleasePrepWorkflow(quality_gates=gates, max_cost=args.max_cost)
        report = asyncio.run(workflow.execute(root, python=args.python, trusted=not args.untrusted,
                                              use_cache=not args.no_cache, progress=stderr_progress()))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if sarif is not None:
        sarif.write_text(json.dumps(render_sarif(report), indent=2), encoding="utf-8")
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(render_text(report))
    return 0 if report.approved else 1

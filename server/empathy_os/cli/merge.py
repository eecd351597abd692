"""`empathy orchestrate merge DIR...` and `release-prep --shard K/N --shard-dir DIR`: sharded release prep
(empathy_os.workflows.shards). The merge prints the report, gates and exit code of one unsharded run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from empathy_os.cli import common, release_prep
from empathy_os.gate_specs import GATE_SPECS


def register(subparsers) -> None:
    p = subparsers.add_parser("merge", help="merge the shards of a sharded release prep into one report",
                              description="Combine the folders written by `release-prep --shard K/N --shard-dir "
                                          "DIR` (coverage.py's combine, test outcomes and findings unioned) and "
                                          "report as one release prep. Exit 0 approved, 1 not approved, 2 bad "
                                          "usage or shards that do not make one run.")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="the shards' folders, one per shard")
    common.add_project_options(p)
    release_prep.add_gate_options(p)
    p.add_argument("--sarif", metavar="FILE", help="also write findings as SARIF 2.1.0 to FILE")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = common.project_root_arg(args.project_root)
    sarif = release_prep.sarif_target(args.sarif) if args.sarif else None
    gates = {gate.name: getattr(args, gate.name) for gate in GATE_SPECS if getattr(args, gate.name) is not None}
    dirs = [Path(d).expanduser() for d in args.dirs]
    from empathy_os.workflows.reports import render_sarif, render_text
    from empathy_os.workflows.shards import merge

    with common.usage_errors():
        report = common.run_async(merge(root, dirs, gates=gates, python=args.python, max_cost=args.max_cost))
    if args.json:
        common.print_json(report.to_json())
    else:
        print(render_text(report))
    sys.stdout.flush()
    if sarif is not None:
        try:
            release_prep.write_sarif(sarif, render_sarif(report))
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or exc
            raise common.UsageError(f"--sarif: cannot write {sarif}: {why}") from None
    return 0 if report.approved else 1


def run_shard(args: argparse.Namespace) -> int:
    """`release-prep --shard K/N --shard-dir DIR`: exit 0 once the shard's results are stored (the verdict is
    the merge's), 2 for bad usage or a shard that cannot run."""
    if args.shard is None or args.shard_dir is None:
        raise common.UsageError("--shard K/N and --shard-dir DIR go together")
    clash = [flag for flag, on in (("--untrusted", args.untrusted), ("--fix", args.fix), ("--sarif", args.sarif))
             if on]
    if clash:
        raise common.UsageError(f"--shard cannot be combined with {', '.join(clash)} (the merge reports)")
    root = common.project_root_arg(args.project_root)
    from empathy_os.workflows.shards import parse_shard
    from empathy_os.workflows.shards import run_shard as run_one

    with common.usage_errors():
        k, n = parse_shard(args.shard)
        manifest = common.run_async(run_one(root, k, n, Path(args.shard_dir).expanduser().resolve(),
                                            python=args.python))
    coverage = manifest["results"]["coverage"]
    summary = {"shard": f"{k}/{n}", "dir": str(Path(args.shard_dir).resolve()), "commit": manifest["commit"],
               "test_files": len(manifest["test_files"]), "analyzers": sorted(manifest["results"]),
               "tests": {key: coverage["metrics"].get(f"tests_{key}") for key in ("passed", "failed", "errors")},
               "error": coverage["error"]}
    if args.json:
        common.print_json(summary)
    else:
        print(f"shard {k}/{n}: {summary['test_files']} test file(s), {json.dumps(summary['tests'])}, "
              f"{len(summary['analyzers'])} analyzer(s); results in {summary['dir']}")
    return 0

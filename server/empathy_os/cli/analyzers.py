"""`empathy analyzers`: every analyzer Empathy can run (built-in and plug-in), what it measures, which agent
fixes its findings and whether the security gate counts them; and the plug-ins that were skipped, with the reason.

Exit 0, or 1 when a plug-in was skipped (so a CI step that installs one notices it did not load).
"""

from __future__ import annotations

import argparse
import dataclasses

from empathy_os.cli import common


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "analyzers", help="list the analyzers (built-in and plug-ins) and any plug-in that was skipped",
        description="Lists each registered analyzer from its spec: name, distribution and version, what it "
                    "measures, the agent that fixes its findings, whether the security gate counts it, where it comes from "
                    "(built-in or the plug-in's distribution). Plug-ins come from the entry-point group "
                    "'empathy_os.analyzers'; one that cannot be loaded is named with the reason. Exit 1 then.")
    p.add_argument("--json", action="store_true", help="print the list as JSON (nothing else on stdout)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from empathy_os.analyzers import plugins
    from empathy_os.analyzers._util import dist_version
    from empathy_os.analyzers.specs import all_specs

    specs, origin, problems = all_specs(), plugins.loaded(), plugins.problems()
    rows = [{**{f.name: getattr(s, f.name) for f in dataclasses.fields(s)}, "levels": dict(s.levels),
             "tool": dist_version(s.distribution), "origin": origin.get(s.name, "built-in")}
            for s in specs.values()]
    if args.json:
        common.print_json({"analyzers": rows, "skipped_plugins": problems})
        return 1 if problems else 0
    for row in rows:
        gate = "; its critical findings count in max_critical_issues" if row["counts_critical"] else ""
        fixer = f"; fixed by {row['fixer']}" if row["fixer"] else ""
        print(f"{row['name']:16} {row['tool']:24} {row['measures']}{fixer}{gate} [{row['origin']}]")
    for name, why in problems.items():
        print(f"skipped plug-in {name}: {why}")
    return 1 if problems else 0

"""`empathy summary REPORT.json`: a release-prep JSON report as Markdown, for a CI job summary.

GitHub shows what a step appends to `$GITHUB_STEP_SUMMARY` on the run's page (the action in `action.yml`
does that); a GitLab job can post the same text to a merge request. It reads the `--json` output of
`empathy orchestrate release-prep` and adds nothing it does not say: the verdict, every gate with its
message, where each figure came from, the findings by tool and severity (the most severe listed; all of
them are in the SARIF upload), the notes. Standard library only.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from empathy_os.cli import common

SEVERITIES = ("critical", "high", "medium", "low", "info")
LISTED = 50  # findings listed by name; GitHub caps a step summary at 1 MiB


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "summary", help="render a release-prep JSON report as Markdown (CI job summaries)",
        description="Reads the output of `empathy orchestrate release-prep --json` and prints it as Markdown: "
                    "the verdict, the gates, the sources of the figures, the findings and notes. Exit 0, "
                    "or 2 when REPORT is not such a report.")
    p.add_argument("report", metavar="REPORT", help="the JSON report ('-' reads standard input)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(render(load(args.report)))
    return 0


def load(name: str) -> dict[str, Any]:
    import sys

    try:
        text = sys.stdin.read() if name == "-" else Path(name).expanduser().read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise common.UsageError(f"cannot read {name}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise common.UsageError(f"{name} is not JSON: {exc}") from None
    missing = [k for k in ("approved", "gates", "findings") if not isinstance(data, dict) or k not in data]
    if missing:
        raise common.UsageError(f"{name} is not a release-prep report (no {', '.join(missing)}); "
                                "it is what `empathy orchestrate release-prep --json` prints")
    return data


def cell(text: Any) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, one line."""
    return " ".join(str(text).split()).replace("|", "\\|")


def render(report: dict[str, Any]) -> str:
    verdict = "✅ Release approved" if report["approved"] else "❌ Release not approved"
    lines = [f"## {verdict} (confidence: {report.get('confidence', 'unknown')})", ""]
    lines += _gates(report["gates"]) + _sources(report.get("metric_sources") or {})
    lines += _findings(report["findings"]) + _notes(report.get("notes") or [])
    assisted = "model-assisted" if report.get("model_assisted") else "tools only (no model call)"
    lines.append(f"Empathy release prep · {report.get('duration_seconds', 0):.1f} s · {assisted} · "
                 f"model cost ${report.get('total_cost_usd', 0):.4f}")
    return "\n".join(lines)


def _gates(gates: list[dict[str, Any]]) -> list[str]:
    lines = ["| | Gate | Result | Kind |", "|---|---|---|---|"]
    for g in gates:
        mark = "✅" if g.get("passed") else ("❌" if g.get("critical") else "⚠️")
        kind = "critical" if g.get("critical") else "warning"
        lines.append(f"| {mark} | `{g.get('name')}` | {cell(g.get('message', ''))} | {kind} |")
    return [*lines, ""]


def _sources(sources: dict[str, str]) -> list[str]:
    if not sources:
        return []
    return ["**Measured by**", "", *[f"- {cell(name)}: {cell(src)}" for name, src in sources.items()], ""]


def _findings(findings: list[dict[str, Any]]) -> list[str]:
    if not findings:
        return ["No findings.", ""]
    counts = Counter((f.get("tool", "?"), f.get("severity", "info")) for f in findings)
    tools = sorted({tool for tool, _ in counts})
    lines = [f"**{len(findings)} finding(s)**", "", "| Tool | " + " | ".join(SEVERITIES) + " |",
             "|---" * (len(SEVERITIES) + 1) + "|"]
    lines += [f"| {tool} | " + " | ".join(str(counts[tool, s]) for s in SEVERITIES) + " |" for tool in tools]
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    top = sorted(findings, key=lambda f: (rank.get(f.get("severity"), len(rank)), f.get("path", ""),
                                          f.get("line", 0)))[:LISTED]
    lines += ["", "<details><summary>Most severe first</summary>", "",
              "| Severity | Where | Tool | Rule | Message |", "|---|---|---|---|---|"]
    lines += [f"| {f.get('severity')} | `{cell(f.get('path'))}:{f.get('line')}` | {f.get('tool')} | "
              f"{cell(f.get('rule'))} | {cell(f.get('message', ''))} |" for f in top]
    if len(findings) > len(top):
        lines.append(f"\n… and {len(findings) - len(top)} more (all of them are in the SARIF report).")
    return [*lines, "", "</details>", ""]


def _notes(notes: list[str]) -> list[str]:
    if not notes:
        return []
    return ["<details><summary>Notes</summary>", "", *[f"- {cell(n)}" for n in notes], "", "</details>", ""]

"""Release-prep report renderers: the tutorial's text layout and SARIF 2.1.0 (GitHub code scanning)."""

from __future__ import annotations

from typing import Any

from empathy_os import __version__
from empathy_os.analyzers.contract import Severity
from empathy_os.workflows.orchestrated_release_prep import ReleasePrepReport

RULE = "=" * 60
SARIF_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
               Severity.LOW: "note", Severity.INFO: "note"}


def render_text(report: ReleasePrepReport) -> str:
    lines = [RULE, "  RELEASE PREPARATION REPORT", RULE, f"  Project: {report.project_root}", ""]
    for gate in report.gates:
        mark = "✓" if gate.passed else ("✗" if gate.critical else "⚠")
        lines.append(f"  {mark} {gate.message}" + (f" · model's view: {gate.model_view}" if gate.model_view else ""))
    lines += ["", "   MEASURED BY"] + [f"  - {name}: {source}" for name, source in report.metric_sources.items()]
    lines += _verdict_lines(report) + _agent_lines(report)
    top = [f for f in report.findings if f.severity in (Severity.CRITICAL, Severity.HIGH)][:10]
    if top:
        lines += ["", "   TOP FINDINGS"]
        lines += [f"  - [{f.severity.value}] {f.path}:{f.line} {f.tool} {f.rule}: {f.message}" for f in top]
    if report.notes:
        lines += ["", "   NOTES"] + [f"  - {n}" for n in report.notes]
    assist = "model-assisted" if report.model_assisted else "tools only (no model call)"
    lines += ["", f"  Duration: {report.duration_seconds:.1f} seconds · {assist} · cost ${report.total_cost_usd:.4f}",
              RULE]
    return "\n".join(lines)


def _verdict_lines(report: ReleasePrepReport) -> list[str]:
    """The QUALITY GATES section: failed critical gates, warnings, the verdict."""
    lines = ["", "   QUALITY GATES", "  " + "-" * 56]
    failed = [g for g in report.gates if g.critical and not g.passed]
    warnings = [g for g in report.gates if not g.critical and not g.passed]
    if failed:
        lines.append(f"  ❌ {len(failed)} critical gate(s) failed: " + ", ".join(g.name for g in failed))
    else:
        lines.append("  ✅ All critical gates passed!")
    if warnings:
        lines.append(f"  ⚠  {len(warnings)} warning(s) (" + "; ".join(g.message for g in warnings) + ")")
    verdict = "✅ RELEASE APPROVED" if report.approved else "❌ RELEASE NOT APPROVED"
    return lines + ["", f"  {verdict} (confidence: {report.confidence})"]


def _agent_lines(report: ReleasePrepReport) -> list[str]:
    lines = ["", "   AGENTS"]
    for a in report.agents:
        cached = f", cached: {', '.join(a.cached)}" if a.cached else ""
        score = "n/a" if a.quality_score is None else f"{a.quality_score:.1f}/10"
        cost = f", {a.input_tokens}+{a.output_tokens} tokens, ${a.cost_usd:.4f}" if a.model else ""
        lines.append(f"  - {a.role} [{a.tier}]: score {score} ({a.basis}), {a.duration_seconds:.1f}s{cost}{cached}")
    return lines


def render_sarif(report: ReleasePrepReport) -> dict[str, Any]:
    runs: dict[str, dict[str, Any]] = {}
    for f in report.findings:
        run = runs.setdefault(f.tool, {
            "tool": {"driver": {"name": f.tool,
                                "semanticVersion": __version__, "rules": []}},
            "automationDetails": {"id": f"empathy/{f.tool}/"},
            "originalUriBaseIds": {"SRCROOT": {"uri": _dir_uri(report.project_root)}},
            "results": [], "_rules": {},
        })
        if f.rule not in run["_rules"]:
            rule: dict[str, Any] = {"id": f.rule, "shortDescription": {"text": f.rule}}
            if f.url:
                rule["helpUri"] = f.url
            if f.cwe:
                rule["properties"] = {"tags": [f"external/cwe/cwe-{f.cwe}"]}
            run["_rules"][f.rule] = len(run["tool"]["driver"]["rules"])
            run["tool"]["driver"]["rules"].append(rule)
        region: dict[str, Any] = {"startLine": f.line}
        if f.end_line and f.end_line >= f.line:
            region["endLine"] = f.end_line
        if f.column:
            region["startColumn"] = f.column
        run["results"].append({
            "ruleId": f.rule, "ruleIndex": run["_rules"][f.rule], "level": SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.path, "uriBaseId": "SRCROOT"},
                                                "region": region}}],
            "properties": {"severity": f.severity.value, **({"confidence": f.confidence} if f.confidence else {})},
        })
    for run in runs.values():
        run.pop("_rules")
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
            "runs": list(runs.values())}


def _dir_uri(path: str) -> str:
    from pathlib import Path

    return Path(path).resolve().as_uri() + "/"

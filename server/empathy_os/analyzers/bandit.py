"""Security: bandit over the project's sources (tests excluded), honouring the project's bandit config.

Config: `[tool.bandit]` in pyproject.toml is passed with `-c pyproject.toml`; a `.bandit` file with `--ini`.

Critical: a finding is CRITICAL when bandit's severity is at least `critical_min_severity` (default HIGH)
and its confidence at least `critical_min_confidence` (default MEDIUM); both are `[tool.empathy]` settings.
Other findings keep bandit's severity (HIGH/MEDIUM/LOW; UNDEFINED -> info).

Score: 10 - (4 x critical + 2 x other HIGH + 1 x MEDIUM + 0.25 x LOW), floored at 0.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

from empathy_os.analyzer_spec import SECURITY_LEVELS, AnalyzerSpec, Kind
from empathy_os.analyzers._util import dist_version, join_notes, load_json, not_run, setting
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.analyzers.project import read_pyproject, rel, source_files
from empathy_os.proc import in_background, run_tool, tool_bin

NAME = "bandit"
SPEC = AnalyzerSpec(
    name=NAME, distribution="bandit", measures="security issues in the project's sources", kind=Kind.SECURITY,
    on_save=True, prior_seconds=2.0, fixer="security_auditor", counts_critical=True, checks_changes=True,
    levels=SECURITY_LEVELS, byte_columns=True)
_RANK = {"UNDEFINED": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}
_SEVERITY = {"HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}
SCORE_FORMULA = "10 - (4 x critical + 2 x other HIGH + 1 x MEDIUM + 0.25 x LOW bandit issues), floored at 0"


def config_args(ctx: ProjectContext) -> list[str]:
    """bandit's own config for this project, as command-line arguments."""
    if "bandit" in read_pyproject(ctx.root).get("tool", {}):
        return ["-c", "pyproject.toml"]
    if (ctx.root / ".bandit").is_file():
        return ["--ini", ".bandit"]
    return []


def is_critical(severity: str, confidence: str, ctx: ProjectContext) -> bool:
    min_sev = str(setting(ctx, "critical_min_severity", "HIGH")).upper()
    min_conf = str(setting(ctx, "critical_min_confidence", "MEDIUM")).upper()
    return _RANK.get(severity, 0) >= _RANK.get(min_sev, 3) and _RANK.get(confidence, 0) >= _RANK.get(min_conf, 2)


async def _report(ctx: ProjectContext, files: list[Path], tool: str) -> dict | AnalyzerResult:
    """bandit's JSON report on `files`, or the result saying why bandit could not run."""
    if ctx.only_files is not None and not config_args(ctx):
        # The editor's per-file re-run: starting a bandit process costs more than scanning one file.
        return load_json(await in_background(scan_in_process, files), "bandit")
    cmd = [tool_bin("bandit"), "-f", "json", "-q", *config_args(ctx), *[rel(ctx, f) for f in files]]
    run = await run_tool(cmd, ctx.root, timeout=float(setting(ctx, "tool_timeout", 600)), background=True)
    if run.returncode not in (0, 1):
        return not_run(NAME, tool, f"bandit failed (exit {run.returncode}): {run.stderr.strip()[:300]}")
    return load_json(run.stdout, "bandit")


def _finding(ctx: ProjectContext, r: dict, critical: bool) -> Finding:
    sev, cwe = r.get("issue_severity", "UNDEFINED"), (r.get("issue_cwe") or {}).get("id")
    return Finding(
        tool="bandit",
        rule=r["test_id"],
        severity=Severity.CRITICAL if critical else _SEVERITY.get(sev, Severity.INFO),
        path=rel(ctx, r["filename"]),
        line=max(1, int(r.get("line_number") or 1)),
        end_line=max(r.get("line_range") or [r.get("line_number") or 1]),
        column=(r["col_offset"] + 1) if r.get("col_offset") is not None else None,
        message=r.get("issue_text", ""),
        confidence=r.get("issue_confidence", "UNDEFINED"),
        cwe=int(cwe) if cwe else None,
        url=r.get("more_info"),
        extra={"test_name": r.get("test_name"), "bandit_severity": sev},
    )


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    tool = dist_version("bandit")
    files = source_files(ctx)
    if not files:
        return not_run(NAME, tool, f"no Python source files to scan in {ctx.root}")
    data = await _report(ctx, files, tool)
    if isinstance(data, AnalyzerResult):
        return data
    findings: list[Finding] = []
    penalty = 0.0
    for r in data.get("results", []):
        sev = r.get("issue_severity", "UNDEFINED")
        crit = is_critical(sev, r.get("issue_confidence", "UNDEFINED"), ctx)
        penalty += 4 if crit else {"HIGH": 2, "MEDIUM": 1, "LOW": 0.25}.get(sev, 0)
        findings.append(_finding(ctx, r, crit))
    totals = data.get("metrics", {}).get("_totals", {})
    skipped = [f"{rel(ctx, e.get('filename', '?'))}: {e.get('reason', '')}" for e in data.get("errors", [])]
    return AnalyzerResult(
        analyzer=NAME,
        tool=tool,
        ran=True,
        error=join_notes([f"bandit skipped {len(skipped)} file(s): " + "; ".join(skipped)] if skipped else []),
        findings=findings,
        metrics={
            "critical_issues": sum(f.severity is Severity.CRITICAL for f in findings),
            "issues_total": len(findings),
            "high": int(totals.get("SEVERITY.HIGH", 0)),
            "medium": int(totals.get("SEVERITY.MEDIUM", 0)),
            "low": int(totals.get("SEVERITY.LOW", 0)),
            "files_scanned": len(files) - len(skipped),
            "files_skipped": len(skipped),
            "lines_of_code": int(totals.get("loc", 0)),
            "nosec": int(totals.get("nosec", 0)),
        },
        score=round(max(0.0, 10.0 - penalty), 2),
        score_formula=SCORE_FORMULA,
        scope=f"{len(files)} source file(s), tests excluded"
        + (f"; bandit config {' '.join(config_args(ctx))}" if config_args(ctx) else ""),
    )


class _Capture(io.StringIO):
    """bandit's JSON formatter closes its file and logs its name; keep the text past close()."""

    name = "<empathy>"
    text = ""

    def close(self) -> None:
        self.text = self.getvalue()
        super().close()


_IN_PROCESS = threading.Lock()  # bandit's manager and extension loader are not meant for concurrent use


def scan_in_process(files: list[Path]) -> str:
    """bandit's own manager and JSON formatter, in this process: the same report as `bandit -f json`
    with default settings (used only when the project has no bandit config)."""
    from bandit.core import config as b_config
    from bandit.core import constants
    from bandit.core import manager as b_manager
    from bandit.formatters import json as b_json

    with _IN_PROCESS:
        mgr = b_manager.BanditManager(b_config.BanditConfig(), "file", quiet=True)
        mgr.discover_files([str(f) for f in files])
        mgr.run_tests()
        out = _Capture()
        b_json.report(mgr, out, constants.RANKING[0], constants.RANKING[0])
        return out.text

"""Complexity: radon's Python API, cyclomatic complexity per function and maintainability index per file.

Findings: functions ranked C or worse (CC >= 11; rule `radon-cc-<rank>`), files whose maintainability
index is under `min_maintainability` (default 20, i.e. below radon's rank A; rule `radon-mi-<rank>`).
Files Python cannot compile (syntax error, undecodable), and files over the time limit per file
(`[tool.empathy] file_timeout`, see filepool.py), are skipped and named in `error`.

Score: 0.5 x CC part + 0.5 x MI part, where CC part = 10 x share of functions with CC <= 10 (rank A/B)
and MI part = min(10, mean maintainability index / 10).
"""

from __future__ import annotations

from pathlib import Path
from statistics import mean

from radon.complexity import cc_rank
from radon.metrics import mi_rank

from empathy_os.analyzer_spec import AnalyzerSpec, Kind
from empathy_os.analyzers._util import dist_version, join_notes, not_run, setting
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.analyzers.filepool import PerFile, per_file
from empathy_os.analyzers.project import rel, source_files

NAME = "radon"
SPEC = AnalyzerSpec(
    name=NAME, distribution="radon", measures="cyclomatic complexity and maintainability per function and file",
    kind=Kind.COMPLEXITY, fixer="refactoring_specialist")
SCORE_FORMULA = (
    "0.5 x (10 x share of functions with cyclomatic complexity <= 10) + 0.5 x min(10, mean maintainability / 10)"
)
_CC_SEVERITY = {"C": Severity.LOW, "D": Severity.MEDIUM, "E": Severity.MEDIUM, "F": Severity.HIGH}


def _measure(ctx: ProjectContext, files: list[Path], done: PerFile) -> AnalyzerResult:
    min_mi = float(setting(ctx, "min_maintainability", 20))
    findings: list[Finding] = []
    complexities: list[int] = []
    mis: list[float] = []
    for path in files:
        if path not in done.results:
            continue
        relpath = rel(ctx, path)
        data = done.results[path]
        for fullname, lineno, endline, complexity in data["blocks"]:
            complexities.append(complexity)
            rank = cc_rank(complexity)
            if rank in _CC_SEVERITY:
                findings.append(Finding(
                    tool="radon", rule=f"radon-cc-{rank}", severity=_CC_SEVERITY[rank], path=relpath,
                    line=lineno, end_line=endline, symbol=fullname,
                    message=f"cyclomatic complexity {complexity} (rank {rank}) in {fullname}",
                    extra={"complexity": complexity, "rank": rank},
                ))
        mi = data["mi"]
        mis.append(mi)
        if mi < min_mi:
            findings.append(Finding(
                tool="radon", rule=f"radon-mi-{mi_rank(mi)}", severity=Severity.LOW, path=relpath, line=1,
                message=f"maintainability index {mi:.1f} (rank {mi_rank(mi)}) is under {min_mi:g}",
                extra={"maintainability_index": round(mi, 2)},
            ))
    skipped = done.notes(ctx, "radon cannot parse")
    tool = dist_version("radon")
    if not mis:
        return not_run(NAME, tool, "no source file could be measured: " + "; ".join(skipped))
    simple_share = sum(1 for c in complexities if c <= 10) / len(complexities) if complexities else 1.0
    avg_mi = mean(mis)
    score = 0.5 * 10 * simple_share + 0.5 * min(10.0, avg_mi / 10)
    return AnalyzerResult(
        analyzer=NAME,
        tool=tool,
        ran=True,
        error=join_notes(skipped),
        findings=findings,
        metrics={
            "functions": len(complexities),
            "avg_complexity": round(mean(complexities), 3) if complexities else None,
            "max_complexity": max(complexities) if complexities else None,
            "complex_functions": sum(1 for c in complexities if c > 10),
            "avg_maintainability": round(avg_mi, 3),
            "min_maintainability": round(min(mis), 3),
            "files_measured": len(mis),
            "files_skipped": len(done.skipped),
            "files_over_time_limit": len(done.timed_out),
        },
        score=round(score, 2),
        score_formula=SCORE_FORMULA,
        scope=f"{len(files)} source file(s), tests excluded",
    )


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    files = source_files(ctx)
    if not files:
        return not_run(NAME, dist_version("radon"), f"no Python source files to measure in {ctx.root}")
    return _measure(ctx, files, await per_file(ctx, "radon", files))

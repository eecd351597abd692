"""Refactoring: long functions, long parameter lists, deep nesting and high complexity, per function.

By AST (lengths from the def line to the last line, parameters excluding self/cls, nesting of
if/for/while/try/with/match blocks) plus radon's cyclomatic complexity. Thresholds (`[tool.empathy]`):
`max_function_lines` 50, `max_parameters` 5, `max_nesting` 4, `max_complexity` 10. Rules:
`long-function`, `too-many-parameters`, `deep-nesting`, `high-complexity` (all low). Measured per file in
a worker process under the time limit per file (filepool.py); a file past it is skipped and named.

Score: 10 x share of functions with no smell.
"""

from __future__ import annotations

from pathlib import Path

from empathy_os.analyzer_spec import AnalyzerSpec, Kind
from empathy_os.analyzers._util import dist_version, join_notes, not_run, setting
from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity, register
from empathy_os.analyzers.filepool import PerFile, per_file
from empathy_os.analyzers.project import rel, source_files

NAME = "code_smells"
SPEC = AnalyzerSpec(name=NAME, distribution="radon", measures="long functions and long parameter lists",
                    kind=Kind.COMPLEXITY)


def _measure(ctx: ProjectContext, files: list[Path], done: PerFile) -> AnalyzerResult:
    limits = {
        "long-function": int(setting(ctx, "max_function_lines", 50)),
        "too-many-parameters": int(setting(ctx, "max_parameters", 5)),
        "deep-nesting": int(setting(ctx, "max_nesting", 4)),
        "high-complexity": int(setting(ctx, "max_complexity", 10)),
    }
    findings: list[Finding] = []
    total = smelly = 0
    for path in files:
        if path not in done.results:
            continue
        relpath = rel(ctx, path)
        for fn in done.results[path]["functions"]:
            total += 1
            hit = False
            qualname = fn["symbol"]
            for rule, value in fn["measured"].items():
                if value is not None and value > limits[rule]:
                    hit = True
                    findings.append(Finding(
                        tool="code_smells", rule=rule, severity=Severity.LOW, path=relpath, line=fn["line"],
                        end_line=fn["end_line"], symbol=qualname,
                        message=f"{qualname}: {rule.replace('-', ' ')} ({value} > {limits[rule]})",
                        extra={"value": value, "limit": limits[rule]},
                    ))
            smelly += hit
    skipped = done.notes(ctx, "Python cannot parse")
    tool = f"ast + {dist_version('radon')}"
    if not done.results and skipped:
        return not_run(NAME, tool, "no source file could be measured: " + "; ".join(skipped))
    by_rule = {rule: sum(1 for f in findings if f.rule == rule) for rule in limits}
    return AnalyzerResult(
        analyzer=NAME,
        tool=tool,
        ran=True,
        error=join_notes(skipped),
        findings=findings,
        metrics={
            "functions": total,
            "smelly_functions": smelly,
            "smells_total": len(findings),
            **{rule.replace("-", "_"): n for rule, n in by_rule.items()},
        },
        score=round(10.0 * (total - smelly) / total, 2) if total else 10.0,
        score_formula="10 x share of functions with no smell",
        scope=f"{len(files)} source file(s), tests excluded",
    )


@register(SPEC)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    files = source_files(ctx)
    if not files:
        return not_run(NAME, f"ast + {dist_version('radon')}", f"no Python source files in {ctx.root}")
    return _measure(ctx, files, await per_file(ctx, "smells", files))

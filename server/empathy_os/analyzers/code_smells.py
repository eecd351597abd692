"""Refactoring: long functions, long parameter lists, deep nesting and high complexity, per function.

By AST (lengths from the def line to the last line, parameters excluding self/cls, nesting of
if/for/while/try/with/match blocks) plus radon's cyclomatic complexity. Thresholds (`[tool.empathy]`):
`max_function_lines` 50, `max_parameters` 5, `max_nesting` 4, `max_complexity` 10. Rules:
`long-function`, `too-many-parameters`, `deep-nesting`, `high-complexity` (all low).

Score: 10 x share of functions with no smell.
"""

from __future__ import annotations

import ast
from pathlib import Path

from empathy_os.analyzers._util import dist_version, join_notes, not_run, setting
from empathy_os.analyzers.base import (
    AnalyzerResult,
    Finding,
    ProjectContext,
    Severity,
    in_background,
    register,
)
from empathy_os.analyzers.project import parse_file, rel, source_files
from empathy_os.analyzers.radon import function_blocks

NAME = "code_smells"
_BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match,
           getattr(ast, "TryStar", ast.Try))
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)


def nesting_depth(node: ast.AST, depth: int = 0) -> int:
    deepest = depth
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _FUNCS + (ast.ClassDef,)):
            continue  # a nested def is measured on its own
        inner = depth + 1 if isinstance(child, _BLOCKS) else depth
        deepest = max(deepest, nesting_depth(child, inner))
    return deepest


def _functions(tree: ast.Module):
    """(qualified name, node) for every function, methods included."""
    stack: list[tuple[str, ast.AST]] = [("", tree)]
    while stack:
        prefix, node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _FUNCS):
                name = f"{prefix}{child.name}"
                yield name, child
                stack.append((f"{name}.", child))
            elif isinstance(child, ast.ClassDef):
                stack.append((f"{prefix}{child.name}.", child))
            else:
                stack.append((prefix, child))


def _measure(ctx: ProjectContext, files: list[Path]) -> AnalyzerResult:
    limits = {
        "long-function": int(setting(ctx, "max_function_lines", 50)),
        "too-many-parameters": int(setting(ctx, "max_parameters", 5)),
        "deep-nesting": int(setting(ctx, "max_nesting", 4)),
        "high-complexity": int(setting(ctx, "max_complexity", 10)),
    }
    findings: list[Finding] = []
    skipped: list[str] = []
    total = smelly = 0
    for path in files:
        relpath = rel(ctx, path)
        code, tree, reason = parse_file(path)
        if tree is None:
            skipped.append(f"{relpath} ({reason})")
            continue
        cc = {(b.lineno, b.name): b.complexity for b in function_blocks(code)}
        for qualname, fn in _functions(tree):
            total += 1
            args = fn.args
            params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
            if params and params[0] in ("self", "cls"):
                params = params[1:]
            measured = {
                "long-function": (fn.end_lineno or fn.lineno) - fn.lineno + 1,
                "too-many-parameters": len(params) + bool(args.vararg) + bool(args.kwarg),
                "deep-nesting": nesting_depth(fn),
                "high-complexity": cc.get((fn.lineno, fn.name)),
            }
            hit = False
            for rule, value in measured.items():
                if value is not None and value > limits[rule]:
                    hit = True
                    findings.append(Finding(
                        tool="code_smells", rule=rule, severity=Severity.LOW, path=relpath, line=fn.lineno,
                        end_line=fn.end_lineno, symbol=qualname,
                        message=f"{qualname}: {rule.replace('-', ' ')} ({value} > {limits[rule]})",
                        extra={"value": value, "limit": limits[rule]},
                    ))
            smelly += hit
    tool = f"ast + {dist_version('radon')}"
    if not total and skipped:
        return not_run(NAME, tool, "no source file could be parsed: " + "; ".join(skipped))
    by_rule = {rule: sum(1 for f in findings if f.rule == rule) for rule in limits}
    return AnalyzerResult(
        analyzer=NAME,
        tool=tool,
        ran=True,
        error=join_notes([f"skipped {len(skipped)} unparsable file(s): " + "; ".join(skipped)] if skipped else []),
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


@register(NAME)
async def analyze(ctx: ProjectContext) -> AnalyzerResult:
    files = source_files(ctx)
    if not files:
        return not_run(NAME, f"ast + {dist_version('radon')}", f"no Python source files in {ctx.root}")
    return await in_background(_measure, ctx, files)

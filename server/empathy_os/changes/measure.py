"""Static measurements of the copy before and after a change: findings, ASTs, signatures, complexity.

Findings are matched by content, not line number (a change moves lines): the key is tool, rule, file,
the function (when the tool names one) or the text of the flagged line, and the message. Keys are
counted, so two identical findings in one file stay two.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import replace
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Class

from empathy_os.analyzers import run_analyzer
from empathy_os.analyzers.contract import Finding, ProjectContext

Key = tuple[str, str, str, str, str]


def _anchors(root: Path, path: str, cache: dict[str, tuple[list[str], ast.Module | None]]) -> tuple[
        list[str], ast.Module | None]:
    if path not in cache:
        try:
            text = (root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        try:
            tree = ast.parse(text)
        except SyntaxError:
            tree = None
        cache[path] = (text.splitlines(), tree)
    return cache[path]


def finding_key(f: Finding, root: Path, cache: dict | None = None) -> Key:
    """Where a finding is, independent of line numbers: the tool's symbol, else the enclosing function
    (so editing the flagged line does not make an old finding look new), else the flagged line's text."""
    anchor = f.symbol or ""
    if not anchor:
        from empathy_os.changes.code_context import enclosing

        lines, tree = _anchors(root, f.path, {} if cache is None else cache)
        span = enclosing(tree, f.line) if tree is not None else None
        if span is not None and span.name:
            anchor = f"in {span.name}"
        elif 0 < f.line <= len(lines):
            anchor = lines[f.line - 1].strip()
    return (f.tool, f.rule, f.path, anchor, f.message)


def keys(findings: list[Finding], root: Path) -> Counter[Key]:
    cache: dict = {}
    return Counter(finding_key(f, root, cache) for f in findings)


async def findings_on(ctx: ProjectContext, paths: list[str], analyzers: tuple[str, ...]) -> tuple[
        dict[str, list[Finding]], list[str]]:
    """Each analyzer's findings on `paths` (relative), run on `ctx.root` (the copy), no cache.

    Returns (analyzer -> findings, errors of analyzers that could not run).
    """
    sub = replace(ctx, only_files=[ctx.root / p for p in paths], use_cache=False)
    found: dict[str, list[Finding]] = {}
    errors: list[str] = []
    for name in analyzers:
        result = await run_analyzer(name, sub)
        if result.ran:
            found[name] = result.findings
        elif "no Python source files" not in (result.error or ""):
            errors.append(f"{name}: {result.error}")
        else:
            found[name] = []  # only test files touched: analyzers scan sources only
    return found, errors


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


def ast_dump(source: str, without_docstrings: bool = False) -> str:
    tree = ast.parse(source)
    if without_docstrings:
        tree = _strip_docstrings(tree)
    return ast.dump(tree, annotate_fields=True, include_attributes=False)


def parse_error(source: str, path: str) -> str | None:
    try:
        ast.parse(source, filename=path)
    except SyntaxError as exc:
        return f"{path} line {exc.lineno}: {exc.msg}"
    return None


def public_signatures(source: str) -> dict[str, str]:
    """qualified name -> dump of its arguments and decorators, for every public function and class."""
    out: dict[str, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}{child.name}"
                public = not child.name.startswith("_") or (child.name.startswith("__")
                                                              and child.name.endswith("__"))
                if public:
                    if isinstance(child, ast.ClassDef):
                        out[name] = "class(" + ", ".join(ast.dump(b) for b in child.bases) + ")"
                        visit(child, name + ".")
                    else:
                        out[name] = ast.dump(child.args) + " -> " + (ast.dump(child.returns)
                                                                    if child.returns else "")
    visit(ast.parse(source), "")
    return out


def complexity(source: str, symbol: str) -> int | None:
    """radon's cyclomatic complexity of `symbol` (`f` or `Class.method`), None if it is not there."""
    for block in cc_visit(source):
        if isinstance(block, Class):
            continue
        if block.fullname == symbol or block.name == symbol:
            return block.complexity
    return None

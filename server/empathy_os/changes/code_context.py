"""The code a model is shown, and where it may change it: the enclosing function, its callers' lines,
the module's import block, the project's own docstring examples; and inserting a docstring."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from empathy_os.analyzers.project import parse_file

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass
class Span:
    start: int  # first line (decorators included)
    end: int
    name: str | None  # qualified name; None at module level
    node: ast.AST | None = None


def numbered(lines: list[str], start: int, end: int, mark: set[int] = frozenset()) -> str:
    return "\n".join(f"{'>>' if n in mark else '  '}{n:5d}  {lines[n - 1]}"
                     for n in range(max(1, start), min(end, len(lines)) + 1))


def enclosing(tree: ast.Module, line: int) -> Span | None:
    """The innermost function (or class, if no function) containing `line`."""
    best: Span | None = None

    def visit(node: ast.AST, prefix: str) -> None:
        nonlocal best
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _DEFS):
                start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                end = child.end_lineno or child.lineno
                name = prefix + child.name
                if start <= line <= end:
                    best = Span(start, end, name, child)
                    visit(child, name + ".")

    visit(tree, "")
    return best


def find_symbol(tree: ast.Module, symbol: str) -> Span | None:
    def visit(node: ast.AST, prefix: str) -> Span | None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, _DEFS):
                name = prefix + child.name
                if name == symbol:
                    start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    return Span(start, child.end_lineno or child.lineno, name, child)
                if (found := visit(child, name + ".")) is not None:
                    return found
        return None

    return visit(tree, "")


def header_end(tree: ast.Module) -> int:
    """Last line of the module's leading docstring/imports block (where a fix may add an import)."""
    end = 0
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            end = stmt.end_lineno or stmt.lineno
        else:
            break
    return end


def callers(root: Path, files: list[Path], name: str, exclude: tuple[str, int, int], limit: int = 12) -> list[str]:
    """`path:line: text` of lines in the project's sources that call `name(` (outside its own body)."""
    short = name.split(".")[-1]
    pattern = re.compile(rf"\b{re.escape(short)}\s*\(")
    out: list[str] = []
    for path in files:
        relpath = path.relative_to(root).as_posix()
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for n, text in enumerate(lines, 1):
            if relpath == exclude[0] and exclude[1] <= n <= exclude[2]:
                continue
            if pattern.search(text) and not text.lstrip().startswith(("def ", "async def ")):
                out.append(f"{relpath}:{n}: {text.strip()}")
                if len(out) >= limit:
                    return out
    return out


def docstring_examples(files: list[Path], limit: int = 3) -> list[str]:
    """Up to `limit` of the project's own function docstrings, longest-first (they show its style)."""
    found: list[str] = []
    for path in files:
        _, tree, _ = parse_file(path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (doc := ast.get_docstring(node)):
                found.append(doc)
    return sorted(set(found), key=len, reverse=True)[:limit]


def insert_docstring(source: str, symbol: str | None, docstring: str) -> str | None:
    """`source` with `docstring` added to `symbol` (None: the module); None if it cannot be placed."""
    text = docstring.strip().replace('"""', r'\"\"\"')
    if not text:
        return None
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    if symbol is None:
        node_body, indent, at = tree.body, "", 0
        while at < len(lines) and lines[at].startswith("#"):  # shebang, coding cookie, licence header
            at += 1
    else:
        span = find_symbol(tree, symbol)
        if span is None or not getattr(span.node, "body", None):
            return None
        node_body = span.node.body
        first = node_body[0]
        if first.lineno == span.node.lineno:  # `def f(): return 1` on one line
            return None
        indent = " " * first.col_offset
        at = first.lineno - 1
        # Comments directly above the first statement stay with it: insert before them.
        while at > span.node.lineno and lines[at - 1].strip().startswith("#"):
            at -= 1
    if node_body and isinstance(node_body[0], ast.Expr) and isinstance(node_body[0].value, ast.Constant) \
            and isinstance(node_body[0].value.value, str):
        return None  # already documented
    body = text.splitlines()
    if len(body) == 1:
        block = f'{indent}"""{body[0]}"""\n'
    else:
        inner = "".join(f"{indent}{ln}\n" if ln.strip() else "\n" for ln in body[1:])
        block = f'{indent}"""{body[0]}\n{inner}{indent}"""\n'
    if symbol is None and at < len(lines):
        block += "\n"
    return "".join(lines[:at]) + block + "".join(lines[at:])


def called_code(root: Path, tree: ast.Module, fn: ast.AST, limit: int = 4, max_lines: int = 80) -> list[str]:
    """The project's own functions and classes a test calls by a name its module imports (`from pkg.mod
    import name`), each numbered under its path: what a test repair must match, not change."""
    called = {n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    out: list[str] = []
    for node in tree.body:
        if not (isinstance(node, ast.ImportFrom) and node.module and not node.level):
            continue
        for alias in node.names:
            path = _module_file(root, node.module) if (alias.asname or alias.name) in called else None
            source, module, _ = parse_file(root / path) if path else (None, None, None)
            span = find_symbol(module, alias.name) if module is not None else None
            if span is not None and len(out) < limit:
                lines = source.splitlines()
                out.append(f"{path}:\n" + numbered(lines, span.start, min(span.end, span.start + max_lines - 1)))
    return out


def _module_file(root: Path, module: str) -> str | None:
    base = module.replace(".", "/")
    for candidate in (f"{base}.py", f"{base}/__init__.py", f"src/{base}.py", f"src/{base}/__init__.py"):
        if (root / candidate).is_file():
            return candidate
    return None

"""Public ways into a private helper: the public functions, classes and methods whose bodies reach it.

A maintainer tests `_split_label` through `encode`, the function users call, not by importing the helper.
This is the static half: every function of the target's package that names the helper (a call, a
`self._helper`, a reference passed along), followed upwards through other private functions until public
ones are found. The generator then calls those entry points under a line tracer and keeps only calls that
really run the helper's missed lines, so a wrong guess here costs a few trial calls, never a bad test.
"""

from __future__ import annotations

import ast
from pathlib import Path

from empathy_os.testgen.gaps import Gap, is_test_module, module_name, side_effects

MAX_ENTRIES = 6  # per private target: the nearest ones; each costs trial calls in the generator
MAX_DEPTH = 4  # private callers followed upwards before giving up
_SKIP = {".venv", "venv", ".tox", ".nox", "build", "dist", "__pycache__", ".git", "node_modules"}


def is_public(module: str, symbol: str) -> bool:
    """No part of the symbol starts with `_` (a class's `__init__` is its public constructor).

    The module path may be private (`pkg._impl`): the generator spells such an entry by the public
    package that re-exports it, or drops it."""
    parts = symbol.split(".")
    return not any(p.startswith("_") for p in parts[:-1]) and (
        not parts[-1].startswith("_") or (parts[-1] == "__init__" and len(parts) == 2))


def _references(fn: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return names


def _package_files(root: Path, rel: str) -> list[str]:
    """The non-test Python files of the package `rel` belongs to (or `rel` alone, a top-level module)."""
    parts = Path(rel).parts
    top = 2 if parts[0] == "src" and len(parts) > 2 else 1
    if len(parts) <= top:
        return [rel]
    package = root.joinpath(*parts[:top])
    found = []
    for path in sorted(package.rglob("*.py")):
        sub = path.relative_to(root)
        if not _SKIP & set(sub.parts) and not is_test_module(sub.as_posix()):
            found.append(sub.as_posix())
    return found


class CallGraph:
    """Per package: which importable functions name which identifiers."""

    def __init__(self, root: Path, files: list[str]):
        self.callers: dict[str, list[tuple[str, str]]] = {}  # name -> [(module, symbol)]
        self.effects: dict[tuple[str, str], str | None] = {}  # (module, symbol) -> why calling it is unsafe
        for rel in files:
            try:
                tree = ast.parse((root / rel).read_text(encoding="utf-8"))
            except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
                continue
            module = module_name(rel)
            for symbol, fn in _importable(tree):
                self.effects[(module, symbol)] = side_effects(fn)
                for name in _references(fn):
                    self.callers.setdefault(name, []).append((module, symbol))

    def entries(self, gap: Gap) -> list[str]:
        """`module:symbol` of public callers, nearest first (`module:Class.__init__` = the constructor)."""
        found: list[str] = []
        seen = {(gap.module, gap.symbol)}
        frontier = [gap.function_name]
        for _ in range(MAX_DEPTH):
            following = []
            for name in frontier:
                # The helper's own module first: its public functions are the likeliest way in.
                for module, symbol in sorted(self.callers.get(name, []), key=lambda c: c[0] != gap.module):
                    if (module, symbol) in seen:
                        continue
                    seen.add((module, symbol))
                    if self.effects.get((module, symbol)):
                        continue  # offline generation never calls what runs a shell or writes files
                    if is_public(module, symbol):
                        found.append(f"{module}:{symbol}")
                    elif not _dunder(symbol):  # an operator's method is not followed further up
                        following.append(symbol.split(".")[-1])
            if len(found) >= MAX_ENTRIES or not following:
                break
            frontier = following
        return found[:MAX_ENTRIES]


def _dunder(symbol: str) -> bool:
    name = symbol.split(".")[-1]
    return name.startswith("__") and name.endswith("__")


def _importable(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{item.name}", item


def public_entries(root: Path, gaps: list[Gap]) -> dict[str, list[str]]:
    """Gap key -> its public entry points (empty for a public gap: it is called directly)."""
    graphs: dict[tuple[str, ...], CallGraph] = {}
    out: dict[str, list[str]] = {}
    for gap in gaps:
        if gap.public:
            out[gap.key] = []
            continue
        files = tuple(_package_files(root, gap.path))
        if files not in graphs:
            graphs[files] = CallGraph(root, list(files))
        out[gap.key] = graphs[files].entries(gap)
    return out

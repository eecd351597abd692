"""Names other code relies on, which a fix must never remove: a module-level name listed in `__all__`,
imported (or used as `module.name`) elsewhere in the project, its tests or its docs, or any public name of a
module that exists to re-export (`__init__.py`, `compat.py`, `_compat.py`, `py3compat.py`, ...).

Read from the text of the project (AST for Python files, plain text for docs); nothing is run.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from empathy_os.analyzers.project import parse_file

_DOCS = (".rst", ".md", ".txt")
_SKIP_DIRS = {".git", ".hg", ".tox", ".nox", ".venv", "venv", "env", "node_modules", "build", "dist",
              "__pycache__", ".empathy", ".eggs"}


def reexports(path: str) -> bool:
    stem = Path(path).stem
    return stem == "__init__" or "compat" in stem


def bound_names(tree: ast.Module) -> set[str]:
    """Names a module binds at its top level (imports, defs, classes, assignments), under `if`/`try` too."""
    out: set[str] = set()
    todo = list(tree.body)
    while todo:
        stmt = todo.pop()
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            out |= {a.asname or a.name.split(".")[0] for a in stmt.names if a.name != "*"}
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(stmt.name)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            out |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(stmt, (ast.If, ast.Try, ast.With)) or type(stmt).__name__ == "TryStar":
            todo += [s for part in ("body", "orelse", "finalbody") for s in getattr(stmt, part, [])]
            todo += [s for h in getattr(stmt, "handlers", []) for s in h.body]
    return out


def dunder_all(tree: ast.Module) -> set[str]:
    out: set[str] = set()
    for stmt in ast.walk(tree):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
            stmt, (ast.AugAssign, ast.AnnAssign)) else []
        if any(getattr(t, "id", None) == "__all__" for t in targets) and stmt.value is not None:
            try:
                value = ast.literal_eval(stmt.value)
            except (ValueError, TypeError, SyntaxError, RecursionError):
                continue
            out |= {v for v in value if isinstance(v, str)} if isinstance(value, (list, tuple, set)) else set()
    return out


class Users:
    """Where each module's names are used from outside it, indexed once per project."""

    def __init__(self, root: Path):
        self.root = root
        self._py: list[tuple[str, ast.Module]] = []
        self._docs: list[tuple[str, str]] = []
        for path in _walk(root):
            relpath = path.relative_to(root).as_posix()
            if path.suffix == ".py":
                _, tree, _ = parse_file(path)
                if tree is not None:
                    self._py.append((relpath, tree))
            else:
                try:
                    self._docs.append((relpath, path.read_text(encoding="utf-8", errors="replace")))
                except OSError:
                    continue

    def trees(self) -> list[tuple[str, ast.Module]]:
        """(path, AST) of every parsed Python file of the project."""
        return self._py

    def where_used(self, module_path: str, name: str) -> str | None:
        """`file:line` of a use of `name` from the module at `module_path` outside that module, or None."""
        leaf = Path(module_path).parent.name if Path(module_path).stem == "__init__" else Path(module_path).stem
        for relpath, tree in self._py:
            if relpath == module_path:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == leaf \
                        and any(a.name == name for a in node.names):
                    return f"{relpath}:{node.lineno}"
                if isinstance(node, ast.Attribute) and node.attr == name and getattr(node.value, "id", None) == leaf:
                    return f"{relpath}:{node.lineno}"
        pattern = re.compile(rf"\b{re.escape(leaf)}\.{re.escape(name)}\b|from\s+[\w.]*\b{re.escape(leaf)}\s+"
                             rf"import\s[^\n]*\b{re.escape(name)}\b")
        for relpath, text in self._docs:
            m = pattern.search(text)
            if m:
                return f"{relpath}:{text.count(chr(10), 0, m.start()) + 1}"
        return None


def _walk(root: Path) -> list[Path]:
    out: list[Path] = []
    stack = [root]
    while stack:
        here = stack.pop()
        try:
            entries = list(here.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in _SKIP_DIRS and not entry.name.endswith(".egg-info"):
                    stack.append(entry)
            elif entry.suffix == ".py" or entry.suffix in _DOCS:
                out.append(entry)
    return out


def why_kept(users: Users, module_path: str, tree: ast.Module, name: str) -> str | None:
    """Why `name` of the module at `module_path` must stay, or None if nothing relies on it."""
    if name in dunder_all(tree):
        return f"`{name}` is listed in {module_path}'s `__all__`"
    if reexports(module_path) and not name.startswith("_"):
        return f"`{name}` is a public name of {module_path}, a module that exists to re-export"
    used = users.where_used(module_path, name)
    if used:
        return f"`{name}` of {module_path} is used at {used}"
    return None


def removed(before: str, after: str, module_path: str, users: Users) -> list[str]:
    """Why each module-level name `after` no longer binds had to stay (empty: nothing relied on them)."""
    try:
        old, new = ast.parse(before), ast.parse(after)
    except SyntaxError:
        return []
    gone = sorted(bound_names(old) - bound_names(new))
    return [why for name in gone if (why := why_kept(users, module_path, old, name))]

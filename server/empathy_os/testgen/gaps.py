"""Stage 1: uncovered functions, located and ranked (public API first, then complexity, then missed lines)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from radon.complexity import cc_visit

from empathy_os.analyzers.contract import Finding

# Calls that reach outside the process: fuzzing them with random input is unsafe, so offline
# generation skips such functions (a model may still try; validation rejects any write).
_EFFECT_MODULES = {"subprocess", "socket", "shutil", "urllib", "requests", "http", "ftplib", "smtplib"}
# pathlib-style writes, whatever the receiver.
_EFFECT_ATTRS = {"write_text", "write_bytes", "touch", "unlink", "rmdir", "mkdir", "symlink_to", "chmod"}
_OS_HARMLESS = {"path", "environ", "getenv", "getcwd", "fspath", "sep", "linesep", "cpu_count", "getpid"}


@dataclass
class Gap:
    path: str  # relative to the project root, posix
    module: str  # dotted import name, as the project's tests import it
    symbol: str  # "func" or "Class.method"
    line: int
    end_line: int
    missing: set[int] = field(default_factory=set)  # statement lines of this function never run
    missing_arcs: set[tuple[int, int]] = field(default_factory=set)
    complexity: int = 1
    side_effects: str | None = None  # why offline fuzzing is unsafe here
    raises: list[str] = field(default_factory=list)  # exception names the function raises itself
    entries: list[str] = field(default_factory=list)  # a private helper's public callers (`module:symbol`)

    @property
    def public(self) -> bool:
        return not any(part.startswith("_") for part in self.symbol.split(".")) and not any(
            part.startswith("_") and part != "__init__" for part in self.module.split(".")
        )

    @property
    def key(self) -> str:
        return f"{self.path}:{self.symbol}"

    @property
    def class_name(self) -> str | None:
        return self.symbol.split(".")[0] if "." in self.symbol else None

    @property
    def function_name(self) -> str:
        return self.symbol.split(".")[-1]

    def owns(self, line: int) -> bool:
        return self.line <= line <= self.end_line

    def to_json(self) -> dict:
        return {
            "path": self.path, "symbol": self.symbol, "line": self.line, "end_line": self.end_line,
            "missing_lines": sorted(self.missing), "complexity": self.complexity, "public": self.public,
            "skipped_offline": self.side_effects, "public_entries": self.entries,
        }


def module_name(rel: str) -> str:
    parts = list(Path(rel).with_suffix("").parts)
    if parts and parts[0] == "src":
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Importable functions: module level and methods of module-level classes."""
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found.append((f"{node.name}.{item.name}", item))
    return found


def side_effects(fn: ast.AST) -> str | None:
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            target = node.func
            if isinstance(target, ast.Name) and target.id in {"open", "exec", "eval", "__import__"}:
                return f"calls {target.id}()"
            if isinstance(target, ast.Attribute):
                root = target
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(root, ast.Name) and root.id in _EFFECT_MODULES:
                    return f"calls {root.id}.{target.attr}()"
                if isinstance(root, ast.Name) and root.id == "os" and not (
                    _os_chain(target) & _OS_HARMLESS
                ):
                    return f"calls os.{target.attr}()"
                if target.attr in _EFFECT_ATTRS:
                    return f"calls .{target.attr}()"
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            return "imports inside the function"
    return None


def _os_chain(node: ast.Attribute) -> set[str]:
    names = set()
    current: ast.AST = node
    while isinstance(current, ast.Attribute):
        names.add(current.attr)
        current = current.value
    return names


def raised_names(fn: ast.AST) -> list[str]:
    names: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name):
                names.add(exc.id)
    return sorted(names)


def _blocks(source: str) -> list:
    out = []
    for block in cc_visit(source):
        out.append(block)
        out.extend(getattr(block, "methods", []) or [])
    return out


def gaps_from_findings(root: Path, findings: list[Finding], only: tuple[str, str | None] | None = None) -> list[Gap]:
    """Gaps from the coverage analyzer's `coverage-gap` findings, enriched from the AST and radon."""
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        if f.rule == "coverage-gap" and f.symbol and (only is None or f.path == only[0]):
            by_file.setdefault(f.path, []).append(f)
    # test and test-helper modules are never targets
    gaps = [g for rel, items in sorted(by_file.items()) if not is_test_module(rel)
            for g in _file_gaps(root, rel, items)]
    if only and only[1]:
        gaps = [g for g in gaps if g.symbol == only[1] or g.function_name == only[1]]
    return rank(gaps)


def _file_gaps(root: Path, rel: str, items: list[Finding]) -> list[Gap]:
    """The gaps of one source file's findings (nested or dynamically defined functions are left out: a test
    cannot import them)."""
    try:
        source = (root / rel).read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, SyntaxError, UnicodeDecodeError):
        return []  # coverage measured it, so this should not happen; nothing to target
    nodes = dict(_functions(tree))
    complexity = {(getattr(b, "classname", None), b.name, b.lineno): b.complexity for b in _blocks(source)}
    out = []
    for f in items:
        fn = nodes.get(f.symbol)
        if fn is None:
            continue
        cls = f.symbol.split(".")[0] if "." in f.symbol else None
        out.append(Gap(
            path=rel, module=module_name(rel), symbol=f.symbol, line=fn.lineno,
            end_line=fn.end_lineno or fn.lineno,
            missing=set(f.extra.get("missing_lines") or []),
            missing_arcs={tuple(a) for a in f.extra.get("missing_branches") or []},
            complexity=complexity.get((cls, fn.name, fn.lineno), 1),
            side_effects=side_effects(fn), raises=raised_names(fn),
        ))
    return out


_TEST_DIRS = {"tests", "test", "testing"}


def is_test_module(rel: str) -> bool:
    """tests.py, test_*.py, *_test.py, conftest.py, or anything under a tests/ folder (helpers too)."""
    parts = Path(rel).parts
    name = parts[-1]
    return (name in ("tests.py", "test.py", "conftest.py") or name.startswith("test_")
            or name.endswith("_test.py") or any(p in _TEST_DIRS for p in parts[:-1]))


def function_names(path: Path) -> list[str]:
    """Importable function names of a file (for `--only` validation)."""
    return [name for name, _ in _functions(ast.parse(path.read_text(encoding="utf-8")))]


def rank(gaps: list[Gap]) -> list[Gap]:
    return sorted(gaps, key=lambda g: (not g.public, -g.complexity, -len(g.missing), g.path, g.line))

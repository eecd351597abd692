"""Mutation testing of the core decision modules: how many small, deliberate bugs do the tests catch?

A small AST mutator (mutmut does not fit this layout and our child processes): for each module it lists
mutation points — a comparison flipped (`<` ↔ `<=`, `==` ↔ `!=`, `in` ↔ `not in`), `and` ↔ `or`, a `not`
dropped, a number nudged (n → n+1, 0 ↔ 1), True ↔ False, an `if` branch body replaced by `pass`, a
`return x` made `return None` — applies one at a time to the module *in a temporary copy of the repository*
(the real tree is never touched), runs the tests that reach the module there (first failure stops the run),
and restores the file. Killed = the tests failed or timed out. Survivors are printed so a person can judge
which are equivalent (no behaviour change) and which are missing tests.

    .venv/bin/python bench/mutation_bench.py [--module gates ...] [--limit N] [--seed S] [--timeout S]

Prints one table: module, mutants, killed, survived, kill rate, and the surviving mutants with their line.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PKG = "server/empathy_os"

# module → the tests that reach it (focused rule tests first: they are fast and fail first).
TARGETS: dict[str, tuple[str, list[str]]] = {
    "gates": (f"{PKG}/gates.py", ["tests/unit/test_gates_rules.py"]),
    "bandit": (f"{PKG}/analyzers/bandit.py", ["tests/unit/test_analyzer_rules.py",
                                              "tests/unit/test_bandit_in_process.py"]),
    "ruff": (f"{PKG}/analyzers/ruff.py", ["tests/unit/test_analyzer_rules.py"]),
    "meta_orchestrator": (f"{PKG}/orchestration/meta_orchestrator.py", ["tests/unit/test_planner_rules.py",
                                                                        "tests/unit/test_planner_choices.py",
                                                                        "tests/unit/test_task_classifier.py",
                                                                        "tests/unit/test_adaptive_routing.py",
                                                                        "tests/unit/test_orchestrator.py",
                                                                        "tests/unit/test_learning_loop.py"]),
    "validate": (f"{PKG}/testgen/validate.py", ["tests/unit/test_validate_rules.py",
                                                "tests/unit/test_validate_verdicts.py",
                                                "tests/unit/test_testgen_validate.py"]),
    "models": (f"{PKG}/store/models.py", ["tests/unit/test_store_rules.py", "tests/unit/test_store.py"]),
}

FLIP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


@dataclass
class Mutant:
    index: int
    line: int
    what: str


class _Points(ast.NodeVisitor):
    """Lists mutation points in a stable order; `apply(n)` mutates the n-th one."""

    def __init__(self, target: int | None = None):
        self.points: list[Mutant] = []
        self.target = target
        self.docstrings: set[int] = set()

    def _point(self, node: ast.AST, what: str) -> bool:
        self.points.append(Mutant(len(self.points), getattr(node, "lineno", 0), what))
        return self.target == len(self.points) - 1

    def visit_Module(self, node):  # docstrings and annotations are not behaviour
        self._skip_docstrings(node)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self._skip_docstrings(node)
        for i, stmt in enumerate(node.body):
            if (isinstance(stmt, ast.Return) and stmt.value is not None and not _is_none(stmt.value)
                    and self._point(stmt, f"return {ast.unparse(stmt.value)[:40]} -> return None")):
                node.body[i] = ast.Return(value=ast.Constant(None))
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_ClassDef = visit_Module

    def _skip_docstrings(self, node):
        body = getattr(node, "body", [])
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            self.docstrings.add(id(body[0].value))

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)

    def visit_arg(self, node):
        return

    def visit_Compare(self, node):
        for i, op in enumerate(node.ops):
            flipped = FLIP.get(type(op))
            if flipped and self._point(node, f"{type(op).__name__} -> {flipped.__name__}"):
                node.ops[i] = flipped()
        self.generic_visit(node)

    def visit_BoolOp(self, node):
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        if self._point(node, f"{type(node.op).__name__} -> {other.__name__}"):
            node.op = other()
        self.generic_visit(node)

    def visit_UnaryOp(self, node):
        if isinstance(node.op, ast.Not) and self._point(node, "drop not"):
            node.op = ast.UAdd()  # +bool(x) is x's truth value as an int: same truthiness as x
            node.operand = ast.Call(ast.Name("bool", ast.Load()), [node.operand], [])
        self.generic_visit(node)

    def visit_Constant(self, node):
        if id(node) in self.docstrings:
            return
        value = node.value
        if isinstance(value, bool):
            if self._point(node, f"{value} -> {not value}"):
                node.value = not value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            new = 1 if value == 0 else (0 if value == 1 else value + 1)
            if self._point(node, f"{value} -> {new}"):
                node.value = new

    def visit_If(self, node):
        if (not (len(node.body) == 1 and isinstance(node.body[0], ast.Pass))
                and self._point(node, f"if {ast.unparse(node.test)[:40]}: body -> pass")):
            node.body = [ast.Pass()]
        self.generic_visit(node)


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def points(source: str) -> list[Mutant]:
    finder = _Points()
    finder.visit(ast.parse(source))
    return finder.points


def mutate(source: str, index: int) -> str:
    tree = ast.parse(source)
    _Points(index).visit(tree)
    return ast.unparse(ast.fix_missing_locations(tree))


def copy_repo(dest: Path) -> None:
    ignore = shutil.ignore_patterns(".venv", "node_modules", ".git", "*.egg-info", "__pycache__", "test-artifacts",
                                    "vscode-extension", "dist", "*.vsix")
    for name in ("server", "tests", "examples"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)
    shutil.copy2(REPO / "pyproject.toml", dest / "pyproject.toml")


PRELOAD = ("pytest", "pytest_asyncio", "pydantic", "anthropic", "tinydb", "radon.complexity", "platformdirs",
           "hypothesis", "psutil")


def run_tests(workdir: Path, tests: list[str], timeout: float) -> bool:
    """True when the tests pass (the mutant survived).

    The run is a fork of this process, which has imported the heavy third-party packages once; the child
    forgets every `empathy_os` and `tests` module, puts the temporary copy first on sys.path and runs pytest
    in-process. A fresh interpreter per mutant costs ~30 s on a loaded machine; a fork costs well under 1 s.
    """
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.chdir(workdir)
            sys.path.insert(0, str(workdir / "server"))
            sys.path.insert(0, str(workdir))
            for name in [m for m in sys.modules if m.split(".")[0] in ("empathy_os", "tests")]:
                del sys.modules[name]
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            import pytest

            code = int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", "--timeout", str(int(timeout)), *tests]))
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) == 0
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return False
        time.sleep(0.05)


def bench_module(name: str, limit: int | None, seed: int, timeout: float) -> tuple[str, int, int, list[Mutant]]:
    rel, tests = TARGETS[name]
    with tempfile.TemporaryDirectory(prefix=f"mut-{name}-") as tmp:
        work = Path(tmp)
        copy_repo(work)
        target = work / rel
        original = target.read_text(encoding="utf-8")
        if not run_tests(work, tests, timeout):
            raise SystemExit(f"{name}: the tests fail without any mutation; fix them first")
        found = points(original)
        chosen = found if limit is None or len(found) <= limit else sorted(
            random.Random(seed).sample(found, limit), key=lambda m: m.index)
        survivors = []
        try:
            for mutant in chosen:
                target.write_text(mutate(original, mutant.index), encoding="utf-8")
                if run_tests(work, tests, timeout):
                    survivors.append(mutant)
        finally:
            target.write_text(original, encoding="utf-8")
        return name, len(chosen), len(chosen) - len(survivors), survivors


def main() -> None:
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError:
            pass
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", choices=sorted(TARGETS), help="default: all")
    parser.add_argument("--limit", type=int, help="at most N mutants per module (a seeded sample)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--timeout", type=float, default=300, help="seconds per test run (a hang = killed)")
    args = parser.parse_args()
    modules = args.module or list(TARGETS)
    started = time.perf_counter()
    results = [bench_module(m, args.limit, args.seed, args.timeout) for m in modules]
    print(f"{'module':<20}{'mutants':>8}{'killed':>8}{'survived':>9}{'kill rate':>11}")
    for name, total, killed, survivors in results:
        rate = f"{killed / total:.0%}" if total else "-"
        print(f"{name:<20}{total:>8}{killed:>8}{len(survivors):>9}{rate:>11}")
    for name, _, _, survivors in results:
        for m in survivors:
            print(f"  survived {name}:{m.line} #{m.index} {m.what}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"({time.perf_counter() - started:.0f}s, load average {load:.1f})")


if __name__ == "__main__":
    main()

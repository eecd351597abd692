"""What a repair of a failing test claims, and the text rules that keep it from weakening the test.

A change of kind `test-repair` claims failing tests (the failing_tests analyzer's findings): per test file,
the qualified names of the test functions it repairs. judging.py lets it edit those functions only. Here,
reading only the text before and after: each claimed function keeps at least as many checks (assert
statements, `pytest.raises`/`warns`, assert calls such as `self.assertEqual` or `mock.assert_called_with`),
gains no skip/xfail, no constant assert (`assert True`, `assert 1 == 1`, `assert x == x`), no handler that
swallows failures (a bare `except`, `except Exception`/`BaseException`/`AssertionError` that does not
re-raise, `contextlib.suppress`), no `pytest.raises(Exception)`, and no `return` or constant `if` that could
leave its checks unrun. repair.py then runs it.
"""

from __future__ import annotations

import ast
from collections import Counter

from empathy_os.changes import judging
from empathy_os.changes.model import Change, ChangeKind, Check

RULE = "failing-test"  # the failing_tests analyzer's rule a repair claims
_RAISES = {"raises", "warns", "deprecated_call"}
_SWALLOWED = {"Exception", "BaseException", "AssertionError"}


def claims(change: Change) -> dict[str, set[str]]:
    """Test file → the test functions (qualified names) the change claims to repair ({}: not a repair)."""
    out: dict[str, set[str]] = {}
    for f in change.findings if change.kind == ChangeKind.REPAIR else ():
        if f.rule == RULE and f.symbol:
            out.setdefault(f.path, set()).add(f.symbol)
    return out


def test_ids(change: Change) -> list[str]:
    """The claimed functions as pytest node ids (a parametrized function's id runs all its cases)."""
    return [f"{path}::{name.replace('.', '::')}" for path, names in sorted(claims(change).items())
            for name in sorted(names)]


def _own_nodes(fn: ast.AST) -> list[ast.AST]:
    """The nodes of a function, not of the functions and classes defined in it."""
    out, stack = [], list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        out.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return out


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _constant(expr: ast.expr) -> bool:
    """An expression whose truth cannot depend on the code under test."""
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, ast.Compare):
        parts = [expr.left, *expr.comparators]
        return all(isinstance(p, ast.Constant) for p in parts) or len(
            {ast.dump(p, include_attributes=False) for p in parts}) == 1
    if isinstance(expr, ast.BoolOp):
        return all(_constant(v) for v in expr.values) or (
            isinstance(expr.op, ast.Or) and any(isinstance(v, ast.Constant) and v.value for v in expr.values))
    if isinstance(expr, ast.UnaryOp):
        return _constant(expr.operand)
    return False


def _constant_call(args: list[ast.expr]) -> bool:
    """`self.assertTrue(True)`, `self.assertEqual(1, 1)`, `self.assertEqual(x, x)`."""
    if not args or any(isinstance(a, ast.Starred) for a in args):
        return False
    return all(_constant(a) for a in args) or (
        len(args) == 2 and ast.dump(args[0], include_attributes=False) == ast.dump(args[1], include_attributes=False))


def _swallows(node: ast.AST) -> bool:
    if isinstance(node, ast.ExceptHandler):
        caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        broad = node.type is None or any(_name(c) in _SWALLOWED for c in caught if c is not None)
        return broad and not any(isinstance(n, ast.Raise) for n in ast.walk(node))
    return isinstance(node, ast.Call) and _name(node.func) == "suppress"


def profile(fn: ast.AST, module: ast.Module | None = None) -> Counter[str]:
    """What a test function checks and what could weaken it, counted."""
    out: Counter[str] = Counter()
    for node in _own_nodes(fn):
        if isinstance(node, ast.Assert):
            out["checks"] += 1
            out["constant asserts"] += _constant(node.test)
        elif isinstance(node, ast.Call) and (_name(node.func) in _RAISES or _name(node.func).startswith("assert")):
            out["checks"] += 1
            out["constant asserts"] += _name(node.func).startswith("assert") and _constant_call(node.args[:2])
        out["swallowing handlers"] += _swallows(node)
        out["returns"] += isinstance(node, ast.Return)
        out["constant conditions"] += isinstance(node, (ast.If, ast.IfExp)) and _constant(node.test)
        out["broad pytest.raises"] += isinstance(node, ast.Call) and _name(node.func) == "raises" and any(
            _name(a) in _SWALLOWED - {"AssertionError"} for a in node.args[:1])
    out["skip/xfail markers"] = len(judging.markers(fn, module))
    return out


def _weakened(name: str, old: tuple[ast.AST, ast.Module], new: tuple[ast.AST, ast.Module]) -> list[str]:
    before, after = profile(*old), profile(*new)
    out = []
    if after["checks"] < before["checks"]:
        out.append(f"`{name}` has fewer checks ({before['checks']} → {after['checks']} asserts, "
                   "pytest.raises/warns and assert calls)")
    for what in ("constant asserts", "swallowing handlers", "skip/xfail markers", "returns", "constant conditions",
                 "broad pytest.raises"):
        if after[what] > before[what]:
            out.append(f"`{name}` gains {after[what] - before[what]} {what}")
    return out


def not_weakened(change: Change, touched: list[str], originals: dict[str, bytes | None],
                 after: dict[str, bytes | None]) -> list[Check]:
    """The kind rule of `test-repair` (text_checks.kind_checks)."""
    claimed = claims(change)
    if not claimed:
        return [Check(name="not-weakened", passed=False,
                      detail=f"claims no failing test (a repair claims {RULE} findings with their test function)")]
    problems: list[str] = []
    counts: dict[str, dict[str, int]] = {}
    for path, names in sorted(claimed.items()):
        old_tree, new_tree = _parse(originals.get(path)), _parse(after.get(path))
        if old_tree is None or new_tree is None:
            problems.append(f"{path} is not readable Python before and after the change")
            continue
        for name in sorted(names):
            old, new = judging.find_def(old_tree, name), judging.find_def(new_tree, name)
            if old is None or new is None:
                problems.append(f"`{name}` is not a test function of {path} before and after the change")
                continue
            problems += _weakened(name, (old, old_tree), (new, new_tree))
            counts[f"{path}::{name}"] = {"checks_before": profile(old)["checks"], "checks_after": profile(new)["checks"]}
    untouched = [p for p in claimed if p not in touched]
    if untouched:
        problems.append(f"does not edit {', '.join(untouched)}, where the test(s) it claims are")
    return [Check(name="not-weakened", passed=not problems, measured={"tests": counts, "problems": problems},
                  detail=("weakens the test: " + "; ".join(problems[:5])) if problems else
                  "no fewer checks, no skip/xfail, constant assert, swallowing handler or early return added: "
                  + ", ".join(f"{t} {c['checks_before']} → {c['checks_after']} checks" for t, c in counts.items()))]


def _parse(data: bytes | None) -> ast.Module | None:
    try:
        return ast.parse(data) if data is not None else None
    except (SyntaxError, ValueError):
        return None

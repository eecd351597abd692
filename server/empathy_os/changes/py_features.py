"""What a change may not do to a project's declared Python range: add a construct its oldest declared
Python cannot run, or drop one that Python needs (a `from __future__` import, a `u''` prefix, in Python 2).

Counted on the AST before and after the change, per file: a change may not raise the count of any feature
newer than the oldest declared Python (f-strings 3.6, `:=` 3.8, bare `super()` 3.0, `datetime.UTC` 3.11, ...),
and under Python 2 may not lower the count of `__future__` names or `u''` strings. Counting, not "present
at all", so a file that already uses a feature (behind a version check) can still be fixed elsewhere.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable

from empathy_os.analyzers.python_range import DeclaredPython, Version

# ruff rule families whose fixes assume Python 3 (pyupgrade, f-string joins, refurb's modern idioms,
# pathlib, `contextlib.suppress`, literal unpacking, future-annotations) — not proposed to a project that
# declares Python 2; under 3.7 ruff cannot target the version (py37 is its oldest), so UP is left out too.
PY3_RULES = ("UP", "FLY", "FURB", "FA", "PTH", "RUF005", "RUF010", "SIM105", "ISC003")
PRE37_RULES = ("UP", "FA")


def rule_needs_newer(rule: str, declared: DeclaredPython) -> bool:
    if declared.oldest is None:
        return False
    if declared.python2:
        return rule.startswith(PY3_RULES)
    return declared.oldest < (3, 7) and rule.startswith(PRE37_RULES)


def _args(node: ast.AST) -> ast.arguments | None:
    return node.args if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else None


def _attr(module: str, name: str) -> Callable[[ast.AST], bool]:
    return lambda n: isinstance(n, ast.Attribute) and n.attr == name and getattr(n.value, "id", None) == module


def _imports(module: str, name: str) -> Callable[[ast.AST], bool]:
    return lambda n: isinstance(n, ast.ImportFrom) and n.module == module and any(a.name == name for a in n.names)


_TYPE_ALIAS = getattr(ast, "TypeAlias", ())  # 3.12+; our own interpreter may be 3.11

# (what, the first Python that has it, does this node use it)
NEWER: list[tuple[str, Version, Callable[[ast.AST], bool]]] = [
    ("bare super()", (3, 0), lambda n: isinstance(n, ast.Call) and getattr(n.func, "id", None) == "super"
     and not n.args and not n.keywords),
    ("keyword-only parameter", (3, 0), lambda n: bool((a := _args(n)) and a.kwonlyargs)),
    ("annotation", (3, 0), lambda n: isinstance(n, ast.arg) and n.annotation is not None
     or isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.returns is not None),
    ("nonlocal", (3, 0), lambda n: isinstance(n, ast.Nonlocal)),
    ("raise ... from", (3, 0), lambda n: isinstance(n, ast.Raise) and n.cause is not None),
    ("starred assignment target", (3, 0), lambda n: isinstance(n, ast.Starred) and isinstance(n.ctx, ast.Store)),
    ("collections.abc", (3, 3), lambda n: isinstance(n, ast.ImportFrom) and n.module == "collections.abc"
     or _attr("collections", "abc")(n)),
    ("itertools.zip_longest", (3, 0), lambda n: _imports("itertools", "zip_longest")(n)
     or _attr("itertools", "zip_longest")(n)),
    ("yield from", (3, 3), lambda n: isinstance(n, ast.YieldFrom)),
    ("contextlib.suppress", (3, 4), lambda n: _imports("contextlib", "suppress")(n)
     or _attr("contextlib", "suppress")(n)),
    ("async/await", (3, 5), lambda n: isinstance(n, (ast.AsyncFunctionDef, ast.Await, ast.AsyncFor,
                                                     ast.AsyncWith))),
    ("@ operator", (3, 5), lambda n: isinstance(n, (ast.BinOp, ast.AugAssign)) and isinstance(n.op, ast.MatMult)),
    ("unpacking in a literal", (3, 5), lambda n: isinstance(n, (ast.List, ast.Tuple, ast.Set))
     and isinstance(n.ctx if hasattr(n, "ctx") else ast.Load(), ast.Load)
     and any(isinstance(e, ast.Starred) for e in n.elts) or isinstance(n, ast.Dict) and None in n.keys),
    ("f-string", (3, 6), lambda n: isinstance(n, ast.JoinedStr)),
    ("variable annotation", (3, 6), lambda n: isinstance(n, ast.AnnAssign)),
    (":=", (3, 8), lambda n: isinstance(n, ast.NamedExpr)),
    ("positional-only parameter", (3, 8), lambda n: bool((a := _args(n)) and a.posonlyargs)),
    ("str.removeprefix/removesuffix", (3, 9), lambda n: isinstance(n, ast.Attribute)
     and n.attr in ("removeprefix", "removesuffix")),
    ("functools.cache", (3, 9), lambda n: _imports("functools", "cache")(n) or _attr("functools", "cache")(n)),
    ("match", (3, 10), lambda n: isinstance(n, ast.Match)),
    ("datetime.UTC", (3, 11), lambda n: _imports("datetime", "UTC")(n) or _attr("datetime", "UTC")(n)),
    ("except*", (3, 11), lambda n: isinstance(n, ast.TryStar)),
    ("type parameters", (3, 12), lambda n: bool(getattr(n, "type_params", None)) or isinstance(n, _TYPE_ALIAS)),
]


def _python2_needs(tree: ast.Module) -> Counter[str]:
    """What Python 2 code relies on and a Python-3-minded fix removes."""
    out: Counter[str] = Counter()
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and n.module == "__future__":
            out["`from __future__` name"] += len(n.names)
        elif isinstance(n, ast.Constant) and n.kind == "u":
            out["u'' string"] += 1
    return out


def counts(tree: ast.Module, oldest: Version) -> Counter[str]:
    return Counter(what for n in ast.walk(tree) for what, since, uses in NEWER if since > oldest and uses(n))


def violations(before: str, after: str, declared: DeclaredPython) -> list[str]:
    """What `after` does that the oldest declared Python cannot run, compared with `before`."""
    if declared.oldest is None:
        return []
    try:
        old_tree, new_tree = ast.parse(before), ast.parse(after)
    except SyntaxError:
        return []  # the parse check reports it
    old, new = counts(old_tree, declared.oldest), counts(new_tree, declared.oldest)
    out = [f"adds {what} ({new[what] - old[what]}x), which Python {declared.oldest[0]}.{declared.oldest[1]} "
           "cannot run" for what in new if new[what] > old[what]]
    if declared.python2:
        old2, new2 = _python2_needs(old_tree), _python2_needs(new_tree)
        out += [f"removes {old2[what] - new2[what]} {what}(s), which Python 2 needs" for what in old2
                if new2[what] < old2[what]]
    return out

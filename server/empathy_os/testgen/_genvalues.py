"""Runs INSIDE the sandbox, loaded by _genscript.py (never imported by Empathy itself).

Argument values for the plain characterisation tests, taken where a developer would look: the
project's own tests (calls to the target with literal arguments, and the literals of every test module
that names the target) and the target's docstring examples (`>>> f(...)`). Each value must fit the
parameter's annotation. A line tracer then tells which calls reach the lines the suite misses, so the
test keeps those calls (each asserting its exact observed result) rather than the first few tried.
"""
# ruff: noqa: BLE001, S112  (project code and its files may fail in any way; each is skipped)

import ast
import inspect
import os
import re
import sys
import typing

_SKIP_DIRS = {".git", ".venv", "venv", "env", ".tox", ".nox", "node_modules", "__pycache__", "build", "dist",
              ".hypothesis", ".pytest_cache", ".empathy"}
_POOL_LIMIT = 240  # literals per target: enough variety, bounded work
_LITERAL_TYPES = (str, int, float, bytes, bool)
NOTHING = object()


def _test_file(name):
    return name.endswith(".py") and (name.startswith("test") or name.endswith("_test.py") or name == "conftest.py")


def test_files(root="."):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS
                       and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))]
        in_tests = any(part in ("tests", "test", "testing") for part in dirpath.split(os.sep))
        for name in filenames:
            if _test_file(name) or (in_tests and name.endswith(".py")):
                yield os.path.join(dirpath, name)


def doc_files(root="."):
    for folder in (root, os.path.join(root, "docs"), os.path.join(root, "doc")):
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.lower().endswith((".rst", ".md", ".txt")) and os.path.isfile(os.path.join(folder, name)):
                yield os.path.join(folder, name)


def _literal(node):
    try:
        return ast.literal_eval(node)
    except Exception:
        return NOTHING


def _parametrized(fn):
    """Rows ({argument name: value}) of a test's `@pytest.mark.parametrize("a, b", [(1, 2), ...])` tables
    (literal ones; several tables multiply, as pytest does)."""
    rows = [{}]
    for deco in fn.decorator_list:
        if not (isinstance(deco, ast.Call) and _called_name(deco.func) == "parametrize" and len(deco.args) >= 2):
            continue
        names, table = _literal(deco.args[0]), _literal(deco.args[1])
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        if not isinstance(names, (list, tuple)) or not isinstance(table, (list, tuple)):
            return []
        values = [v if len(names) > 1 else (v,) for v in table]
        if not all(isinstance(v, (list, tuple)) and len(v) == len(names) for v in values):
            return []
        rows = [{**r, **dict(zip(names, v))} for r in rows for v in values]
    return rows if rows != [{}] else []


def _called_name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _docstring_ids(tree):
    return {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and n.body and isinstance(n.body[0], ast.Expr)}


def _mention(node, docstrings, names, consts):
    """Add a name or attribute `node` mentions to `names`, a literal it is to `consts` (docstrings and
    literals over 200 characters are not values)."""
    if isinstance(node, ast.Name):
        names.add(node.id)
    elif isinstance(node, ast.Attribute):
        names.add(node.attr)
    elif (isinstance(node, ast.Constant) and isinstance(node.value, _LITERAL_TYPES) and id(node) not in docstrings
          and not (isinstance(node.value, (str, bytes)) and len(node.value) > 200)):
        consts.append(node.value)


def _unstarred_call(node):
    """A call whose positional arguments can be known (no `*args`)."""
    return isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args)


class Examples:
    """Literal calls and literal pools found in test modules and doctests, by function name."""

    def __init__(self):
        self.calls = {}  # name -> [(args list, kwargs dict)]
        self.modules = []  # (names mentioned, literal constants) per test module

    @classmethod
    def from_tests(cls, root="."):
        found = cls()
        for path in test_files(root):
            try:
                with open(path, encoding="utf-8") as fh:
                    found.scan(ast.parse(fh.read()))
            except Exception:
                continue
        for path in doc_files(root):  # `>>> f(...)` in the README and docs: calls as users write them
            try:
                with open(path, encoding="utf-8") as fh:
                    found.scan_doctest(fh.read())
            except Exception:
                continue
        return found

    def scan(self, tree):
        """The names and literals of one test module, and its calls with literal arguments."""
        docstrings = _docstring_ids(tree)
        names, consts = set(), []
        for node in ast.walk(tree):
            _mention(node, docstrings, names, consts)
            if _unstarred_call(node):
                self._call(node, {})
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for row in _parametrized(node)[:40]:  # the test's calls, once per row of its table
                    for call in filter(_unstarred_call, ast.walk(node)):
                        self._call(call, row)
        self.modules.append((names, consts))

    def _call(self, node, row):
        """A call whose arguments are all literals, or names of a `parametrize` row's values."""
        name = _called_name(node.func)

        def value(arg):
            return row[arg.id] if isinstance(arg, ast.Name) and arg.id in row else _literal(arg)

        args = [value(a) for a in node.args]
        kwargs = {k.arg: value(k.value) for k in node.keywords if k.arg}
        if name and len(kwargs) == len(node.keywords) and NOTHING not in args and NOTHING not in kwargs.values():
            if row and not any(isinstance(a, ast.Name) and a.id in row
                               for a in [*node.args, *(k.value for k in node.keywords)]):
                return  # a literal call: already taken once, not per row
            self.calls.setdefault(name, []).append((args, kwargs))

    def scan_doctest(self, text):
        """`>>> expr` lines of a docstring, parsed like test code."""
        lines = [ln.strip()[4:] for ln in (text or "").splitlines() if ln.strip().startswith(">>> ")]
        for line in lines:
            try:
                self.scan(ast.parse(line))
            except SyntaxError:
                continue

    def pool(self, name):
        out, seen = [], set()
        for names, consts in self.modules:
            if name not in names:
                continue
            for value in consts:
                key = (type(value), value)
                if key not in seen:
                    seen.add(key)
                    out.append(value)
        # Short values first: they are the edge cases ("", "-", 0) tests spell out.
        out.sort(key=lambda v: len(v) if isinstance(v, (str, bytes)) else 0)
        return out[:_POOL_LIMIT]


def observed(calls, names):
    """Parameter name -> the literal values the project's own calls pass to it (bound by position or
    keyword against `names`, the parameters after `self`): what tells an unannotated parameter's type."""
    out = {}
    for args, kwargs in calls:
        if len(args) > len(names) or any(k not in names for k in kwargs):
            continue  # another function of the same name, or a call this signature cannot take
        for name, value in [*zip(names, args), *kwargs.items()]:
            if all((type(value), value) != (type(v), v) for v in out.setdefault(name, [])):
                out[name].append(value)
    return out


def neighbours(values):
    """The values, then near variants of each: the suite already runs its own values, so the missed
    lines often sit just past them (an out-of-range number, a truncated or upper-cased string)."""
    out = []
    for value in values:  # each value followed by its variants: short values and theirs come first
        out.append(value)
        if isinstance(value, str):
            out += [re.sub(r"[0-9]", "9", value), value[:-1], value.upper(), value + value[-1:]]
        elif isinstance(value, int) and not isinstance(value, bool):
            out += [value + 1, value - 1, -value]
    seen, unique = set(), []
    for v in out:
        if (type(v), v) not in seen:
            seen.add((type(v), v))
            unique.append(v)
    return unique


def fits(value, annotation):
    """Whether `value` is allowed by `annotation` (True when the annotation cannot be checked)."""
    if annotation is inspect.Parameter.empty or annotation is typing.Any:
        return True
    if annotation is None or annotation is type(None):
        return value is None
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        return any(fits(value, a) for a in typing.get_args(annotation))
    if origin is typing.Literal:
        return value in typing.get_args(annotation)
    cls = origin or annotation
    if cls is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if cls is int and isinstance(value, bool):
        return False
    if inspect.isclass(cls):
        try:
            return isinstance(value, cls)
        except TypeError:
            return True
    return True  # a TypeVar, an unresolved string, a Protocol: cannot tell


def repr_ok(value):
    """A literal repr that reads back as the same value (what an assertion or a call can spell)."""
    try:
        return ast.literal_eval(repr(value)) == value
    except Exception:
        return False


class LineTracer:
    """Lines of one file run while active (sys.settrace; coverage.py is not running in this process)."""

    def __init__(self, filename):
        self.filename = os.path.realpath(filename) if filename else None
        self.hit = set()
        self._codes = {}

    def _wanted(self, code):
        known = self._codes.get(code)
        if known is None:
            known = self._codes[code] = os.path.realpath(code.co_filename) == self.filename
        return known

    def global_trace(self, frame, event, arg):
        return self.local_trace if self.filename and self._wanted(frame.f_code) else None

    def local_trace(self, frame, event, arg):
        if event == "line":
            self.hit.add(frame.f_lineno)
        return self.local_trace

    def __enter__(self):
        self.hit = set()
        self._previous = sys.gettrace()
        sys.settrace(self.global_trace)
        return self

    def __exit__(self, *exc):
        sys.settrace(self._previous)
        return False

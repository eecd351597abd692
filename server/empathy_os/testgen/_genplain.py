"""Runs INSIDE the sandbox, loaded by _genscript.py (never imported by Empathy itself).

The plain call test of one target (characterisation: the observed result becomes the assertion), written
the way a maintainer would: through the public API. A private helper's missed lines are reached by calling
the public functions, classes and methods that lead to it (found statically by entries.py, confirmed here
by a line tracer on the helper's file); the helper itself is called only when no public call reaches them.
Argument values are of the types the project passes (annotations, its tests' and doctests' calls,
defaults: _genvalues.py); each call runs twice and is kept only when its result is stable and assertable.
"""
# ruff: noqa: BLE001  (project code may raise anything; each failure becomes a reason, never a crash)

import ast
import contextlib
import importlib
import inspect
import io
import math
import re
import signal
import sys
import textwrap
import time
import typing

# Given by _genscript's loader before this runs (this folder is not on sys.path, so no import reaches them).
GV = globals()["GV"]  # _genvalues.py
exceptions = globals()["exceptions"]

MAX_CALLS = 12  # assertions in one plain test
MAX_TRIALS = 600  # calls tried per target (over all its routes), to find those reaching missed lines
# A safety net only (well below _genscript's CHILD_TIMEOUT): the count above is what normally ends the
# trials, so what is generated does not depend on the machine's load.
TRIAL_SECONDS = 40
CALL_SECONDS = 2  # one call longer than this is not assertable (and not kept)
EXAMPLES = GV.Examples()  # replaced in _genscript.main(), before the children fork
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")  # `<Foo object at 0x7f...>`: differs every run


def constants(fn):
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return [], []
    nums, strs = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                if isinstance(side, ast.Constant) and type(side.value) in (int, float):
                    nums.add(side.value)
                if isinstance(side, ast.Constant) and isinstance(side.value, str):
                    strs.add(side.value)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("startswith", "endswith") and node.args):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                strs.add(arg.value)
    return sorted(nums), sorted(strs)


def returns_value(fn):
    """Whether the function has a `return <value>` (else a None result says nothing worth asserting)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return True  # cannot tell: a None result is still a result
    return any(isinstance(n, (ast.Return, ast.Yield, ast.YieldFrom)) and n.value is not None
               and not (isinstance(n.value, ast.Constant) and n.value.value is None) for n in ast.walk(tree))


_DUCKS = (str, bytes, int, float, list, dict, tuple)


def duck_types(fn, name):
    """The plain types that have every method the function's body calls on parameter `name`: `{str, bytes}`
    for `name.splitlines()`, nothing for `name.read()` (a file: no plain value stands in for one)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return set()
    used = {n.attr for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == name}
    if not used:
        return set()
    kinds = {t for t in _DUCKS if all(hasattr(t, a) for a in used)}
    return kinds if len(kinds) <= 2 else set()


class Expr(str):
    """Argument source text that needs `module` imported."""

    def __new__(cls, text, module):
        self = super().__new__(cls, text)
        self.module = module
        return self


# Text that takes other paths than ASCII: accents, outside the BMP, a NUL, blanks around words.
_ODD_TEXT = ["\u00e9t\u00e9", "\U0001f600", "\x00", " A b-1 "]


def values_for(annotation, nums, strs, module):
    """Candidate argument expressions (source text) for one parameter of a known type."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "types.UnionType":
        out = []
        for arg in typing.get_args(annotation):
            out += ["None"] if arg is type(None) else values_for(arg, nums, strs, module)
        return out
    if annotation is bool:
        return ["True", "False"]
    if annotation is int:
        base = {0, 1}
        for n in nums:
            base |= {int(n) - 1, int(n), int(n) + 1}
        return [repr(v) for v in sorted(base)]
    if annotation is float:
        base = {0.0, 1.5}
        for n in nums:
            base |= {float(n) - 0.5, float(n), float(n) + 0.5}
        return [repr(v) for v in sorted(base)]
    if annotation in (str, bytes):
        texts = ["", "abc", *strs, *(s + "x" for s in strs), *_ODD_TEXT]
        return [repr(v if annotation is str else v.encode("utf-8")) for v in texts]
    if inspect.isclass(annotation) and annotation.__module__.split(".")[0] == module.split(".")[0]:
        try:
            annotation()
        except Exception:
            return []
        return [Expr(f"{annotation.__module__}.{annotation.__qualname__}()", annotation.__module__)]
    return []


class Route:
    """One way to run the target's lines: a callable, how a test spells it, and the name a test is named after."""

    def __init__(self, func, spelled, label, modules, receiver_cls=None):
        self.func, self.spelled, self.label, self.modules = func, spelled, label, set(modules)
        self.receiver_cls = receiver_cls  # a method needing an instance: built per call from this class

    @property
    def name(self):  # the name the project's tests and doctests call it by
        return self.label.split(".")[-1]


def public_spelling(module, symbol):
    """`pkg.name` for an object the package re-exports (what users import), else `module.symbol` when that
    path is public; None when only a private path reaches it."""
    head = symbol.split(".")[0]
    if any(p.startswith("_") for p in symbol.split(".")[:-1]) or (
            symbol.split(".")[-1].startswith("_") and symbol.split(".")[-1] != "__init__"):
        return None
    try:
        obj = getattr(importlib.import_module(module), head)
    except Exception:
        return None
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        if parts[i - 1].startswith("_"):
            break
        prefix = ".".join(parts[:i])
        with contextlib.suppress(Exception):
            if getattr(importlib.import_module(prefix), head, None) is obj:
                return prefix
    return None


def route_for(module, symbol, cls, func, public=True):
    """A Route for `symbol` of `module` (a function, a method, a class's constructor), or None."""
    prefix = public_spelling(module, symbol) if public else module
    if prefix is None:
        return None
    parts = symbol.split(".")
    if cls is not None and parts[-1] == "__init__":  # the constructor: call the class
        return Route(func, f"{prefix}.{parts[0]}", parts[0], {prefix})
    if cls is None:
        return Route(func, f"{prefix}.{symbol}", symbol, {prefix})
    params = list(inspect.signature(func).parameters)
    if params and params[0] == "self":
        return Route(func, f"{prefix}.{parts[0]}", symbol, {prefix}, receiver_cls=cls)
    return Route(func, f"{prefix}.{symbol}", symbol, {prefix})  # classmethod or staticmethod


def _receivers(route, examples):
    """Constructor calls (source after the class) that build an instance: `()` or the project's own."""
    cls = route.receiver_cls
    calls = [((), {})] + examples.calls.get(cls.__name__, [])
    out = []
    for args, kwargs in calls[:40]:
        if not all(GV.repr_ok(v) for v in [*args, *kwargs.values()]):
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                cls(*args, **kwargs)
        except BaseException:
            continue
        text = "(" + ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())]) + ")"
        if text not in out:
            out.append(text)
        if len(out) == 2:
            break
    return out


def _choices(route, params, hints, nums, strs, examples):
    """Parameter -> candidate values of the types the project uses, or a reason there is none."""
    pool = GV.neighbours(examples.pool(route.name))
    observed = GV.observed(examples.calls.get(route.name, []), [p.name for p in params])
    choices = {}
    for p in params:
        annotation = hints.get(p.name, p.annotation)
        if annotation is not inspect.Parameter.empty:
            vals = values_for(annotation, nums, strs, route.spelled)
            vals += [repr(v) for v in pool if GV.fits(v, annotation) and GV.repr_ok(v)]
        else:
            # No annotation: only the types the project's own calls (and the default) pass here.
            seen = observed.get(p.name, [])
            kinds = {type(v) for v in seen}
            if p.default is not inspect.Parameter.empty:
                kinds.add(type(p.default))
            if not kinds - {type(None)}:  # no call says: what the body does with it (`text.splitlines()`)
                kinds |= duck_types(route.func, p.name)
            vals = [repr(v) for v in seen if GV.repr_ok(v)]
            vals += [v for t in sorted(kinds - {type(None)}, key=lambda t: t.__name__)
                     for v in values_for(t, nums, strs, route.spelled)]
            vals += [repr(v) for v in pool if type(v) in kinds and GV.repr_ok(v)]
            if type(None) in kinds:
                vals.append("None")
        vals = list(dict.fromkeys(vals))
        if not vals:
            if p.default is inspect.Parameter.empty:
                return None, f"no value of a type the project passes for parameter {p.name!r} of {route.label}"
            continue
        choices[p.name] = vals
    return choices, None


def _calls(route, examples):
    """(call source texts, modules they need) for one route, or (None, reason)."""
    try:
        sig = inspect.signature(route.func)
        hints = typing.get_type_hints(route.func)
    except Exception as exc:  # unresolvable annotations
        return None, f"cannot read the signature of {route.label}: {exc}"
    params = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if params and params[0].name == "self":
        params = params[1:]
    receivers = [""]
    if route.receiver_cls is not None:
        receivers = _receivers(route, examples)
        if not receivers:
            return None, f"cannot build a {route.receiver_cls.__name__} from the project's own constructor calls"
    nums, strs = constants(route.func)
    with contextlib.suppress(Exception):
        examples.scan_doctest(inspect.getdoc(route.func))
    choices, why = _choices(route, params, hints, nums, strs, examples)
    if choices is None:
        return None, why
    modules = set(route.modules) | {v.module for vals in choices.values() for v in vals if isinstance(v, Expr)}
    calls = _mined_calls(examples.calls.get(route.name, []), sig, params, hints)
    base = {k: v[0] for k, v in choices.items()}
    calls.append(base)
    for key, vals in choices.items():
        calls.extend({**base, key: v} for v in vals[1:])
    calls = list({tuple(c.items()): c for c in calls}.values())
    tail = "." + route.label.split(".")[-1] if route.receiver_cls is not None else ""
    texts = [(f"{route.spelled}{r}{tail}(" + ", ".join(f"{k}={v}" for k, v in call.items()) + ")", call)
             for call in calls for r in receivers]
    return (texts, modules), None


def trials(routes, watched, missing, excs, top, examples):
    """Every route's calls run under the line tracer: (route, call, expr, outcome, missed lines hit)."""
    tracer = GV.LineTracer(watched)
    tried, reasons, started, budget = [], [], time.monotonic(), MAX_TRIALS
    for route in routes:
        found, why = _calls(route, examples)
        if found is None:
            reasons.append(why)
            continue
        texts, modules = found
        ns = {}
        for dotted in modules:
            importlib.import_module(dotted)
            ns[dotted.split(".")[0]] = importlib.import_module(dotted.split(".")[0])
        procedure = not returns_value(route.func)
        for expr, call in texts[:budget]:
            if time.monotonic() - started > TRIAL_SECONDS:
                break
            with tracer:
                first = _observe(expr, ns, excs, top)
            second = _observe(expr, ns, excs, top)
            if first is None or second is None or first[:3] != second[:3]:
                continue  # nondeterministic or not assertable
            if first[0] == "value" and first[1] == "None" and procedure:
                continue  # `assert f() is None` on a function that returns nothing asserts nothing
            if first[3] != second[3]:  # an error message that changes (an id, a time): not asserted
                first = (*first[:3], None, first[4])
            tried.append((route, call, expr, first, tracer.hit & missing))
        budget -= len(texts)
        if budget <= 0:
            break
    return tried, reasons


def choose(tried, fallback):
    """The calls that reach missed lines (each must add one); with none, the first few when `fallback`."""
    chosen, reached = [], set()
    for item in tried:
        if item[4] - reached and len(chosen) < MAX_CALLS:
            chosen.append(item)
            reached |= item[4]
    if not chosen and fallback:
        chosen = tried[:MAX_CALLS]
    return chosen, reached


def plain(target, mod, cls, obj):
    """(test source, why none, missed lines reached, why it calls a private name) of one target."""
    if target["side_effects"]:
        return None, f"not called: {target['side_effects']}", [], None
    missing = set(target.get("missing") or [])
    excs = exceptions(mod, target["raises"])
    top = target["module"].split(".")[0]
    watched = _source_file(obj)
    direct = route_for(target["module"], target["symbol"], cls, obj)
    routes = [direct] if direct is not None else [
        r for r in map(_entry_route, target.get("entries") or []) if r is not None]
    if direct is None and cls is not None:  # a private method: its class's public ones, inherited too
        labels = {r.label for r in routes}
        routes += [r for r in _method_routes(target["module"], cls) if r.label not in labels]
    tried, reasons = trials(routes, watched, missing, excs, top, EXAMPLES)
    chosen, reached = choose(tried, fallback=direct is not None)
    private_why = None
    if not chosen and direct is None:
        # No public call ran the lines: the helper itself, and the report says why.
        names = ", ".join(r.label for r in routes) or "none found"
        private_why = (f"no public call reached lines {_ranges(missing)} of {target['symbol']} "
                       f"(public callers tried: {names})")
        own = route_for(target["module"], target["symbol"], cls, obj, public=False)
        tried, more = trials([own], watched, missing, excs, top, EXAMPLES)
        reasons += more
        chosen, reached = choose(tried, fallback=True)
    if not chosen:
        return None, "; ".join(dict.fromkeys(reasons)) or "no call gave an assertable result", [], private_why
    return render(chosen), None, sorted(reached), private_why


def _entry_route(entry):
    module, _, symbol = entry.partition(":")
    try:
        mod = importlib.import_module(module)
        owner, obj = None, mod
        for part in symbol.split("."):
            owner, obj = obj, getattr(obj, part)
        return route_for(module, symbol, owner if inspect.isclass(owner) else None, obj)
    except Exception:
        return None


def _method_routes(module, cls, limit=8):
    out = []
    for name in dir(cls):
        raw = inspect.getattr_static(cls, name, None)
        if name.startswith("_") or not (inspect.isfunction(raw) or isinstance(raw, (classmethod, staticmethod))):
            continue
        with contextlib.suppress(Exception):
            route = route_for(module, f"{cls.__name__}.{name}", cls, getattr(cls, name))
            if route is not None:
                out.append(route)
        if len(out) == limit:
            break
    return out


def _ranges(lines):
    out, run = [], []
    for n in sorted(lines):
        if run and n != run[-1] + 1:
            out.append(run)
            run = []
        run.append(n)
    if run:
        out.append(run)
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in out)


def _snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower().strip("_")


def behaviour(call, outcome):
    """What a call shows, for the test's name: `empty_text_raises_value_error`, `returns_true`."""
    kind, text, _, _, type_name = outcome
    empty = [k for k, v in call.items() if v in ("''", 'b""', "b''", '""', "[]", "()", "{}")]
    head = f"empty_{empty[0]}_" if len(empty) == 1 else ""
    if kind == "raises":
        return head + "raises_" + _snake(text.split(".")[-1])
    if text in ("True", "False", "None"):
        return head + "returns_" + text.lower()
    return head + "returns_" + _snake(type_name)


def render(chosen):
    """Test functions named `test_<public name>_<behaviour>`, one per (name, behaviour)."""
    groups, modules, raises = {}, set(), False
    for route, call, expr, outcome, _ in chosen:
        kind, text, needed, message, _ = outcome
        modules |= route.modules | needed | {m for m in (getattr(v, "module", None) for v in call.values()) if m}
        name = "test_" + "_".join(_snake(p) for p in route.label.split(".")) + "_" + behaviour(call, outcome)
        if kind == "raises":
            raises = True
            # The message too, when it is short and stable: a mutant may change only the message.
            match = f", match={'^' + _escape(message) + '$'!r}" if message else ""
            line = f"    with pytest.raises({text}{match}):\n        {expr}"
        elif text in ("None", "True", "False"):  # identity, as linters ask (E711/E712)
            line = f"    assert {expr} is {text}"
        else:
            line = f"    assert {expr} == {text}"
        groups.setdefault(name, []).append(line)
    head = ("import pytest\n\n" if raises else "") + "".join(f"import {n}\n" for n in sorted(modules))
    tests = "\n\n\n".join(f"def {name}():\n" + "\n".join(lines) for name, lines in groups.items())
    return head + "\n\n" + tests + "\n"


def _escape(text):
    """re.escape without escaping blanks (it escapes them for verbose patterns): the message stays readable."""
    return re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", text)


def _mined_calls(found, sig, params, hints):
    """Calls from the project's tests and doctests, as keyword source texts, when every value fits."""
    names = [p.name for p in params]
    out = []
    for args, kwargs in found[:MAX_TRIALS]:
        if len(args) > len(names) or any(k not in names for k in kwargs):
            continue
        bound = {**dict(zip(names, args)), **kwargs}
        if len(bound) != len(args) + len(kwargs):
            continue
        required = [p.name for p in params if p.default is inspect.Parameter.empty]
        if any(r not in bound for r in required):
            continue
        if all(GV.fits(v, hints.get(k, sig.parameters[k].annotation)) and GV.repr_ok(v) for k, v in bound.items()):
            out.append({k: repr(v) for k, v in bound.items()})
    return out


def _source_file(func):
    with contextlib.suppress(Exception):
        return inspect.getsourcefile(inspect.unwrap(func))
    return None


class _Slow(BaseException):
    """One call ran past its time limit (raised by the alarm; BaseException so `except Exception` in
    project code cannot swallow it)."""


def _alarm(signum, frame):
    raise _Slow()


def _modules_named(text):
    """Top-level modules a repr spells (`datetime.datetime(...)`) that are already imported."""
    return {m for m in re.findall(r"\b([A-Za-z_]\w*)\.", text) if m in sys.modules}


def _observe(expr, ns, excs, top):
    """("value", repr, modules, None, type name) / ("raises", exception, modules, message, name) of one
    call, or None (not assertable)."""
    old = signal.signal(signal.SIGALRM, _alarm) if hasattr(signal, "SIGALRM") else None
    try:
        if old is not None:
            signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
        with contextlib.redirect_stdout(io.StringIO()):
            value = eval(expr, dict(ns))
    except _Slow:
        return None
    except Exception as exc:
        return _raised(exc, excs, top)
    finally:
        if old is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    text = repr(value)
    if _ADDRESS.search(text):
        return None
    if GV.repr_ok(value):
        return ("value", text, frozenset(), None, type(value).__name__)
    # Not a literal: a repr like `datetime.datetime(2007, 1, 25, 12, 0)` that reads back equal, with the
    # modules it names imported, is still an exact assertion.
    modules = _modules_named(text)
    try:
        again = eval(text, {m: sys.modules[m] for m in modules})
    except BaseException:
        return None
    if type(again) is not type(value) or again != value:
        return None
    return ("value", text, frozenset(modules), None, type(value).__name__)


def _raised(exc, excs, top):
    cls = type(exc)
    # The function's own exceptions, or any defined by the project: spelled by their import path.
    if not isinstance(exc, excs) and cls.__module__.split(".")[0] != top:
        return None
    message = str(exc)
    ok = message and len(message) <= 120 and "\n" not in message and not _ADDRESS.search(message)
    message = message if ok else None
    if cls.__module__ == "builtins":
        return ("raises", cls.__name__, frozenset(), message, cls.__name__)
    if getattr(sys.modules.get(cls.__module__), cls.__name__, None) is not cls:
        return None
    spelled = public_spelling(cls.__module__, cls.__name__) or cls.__module__
    return ("raises", f"{spelled}.{cls.__name__}", frozenset({spelled}), message, cls.__name__)

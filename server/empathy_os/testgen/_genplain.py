"""Runs INSIDE the sandbox, loaded by _genscript.py (never imported by Empathy itself).

The plain call test of one target (characterisation: the observed result becomes the assertion):
argument values from the project's own tests and typed probes (_genvalues.py), each call run twice and
kept only when its result is stable and assertable, preferring calls that reach the lines the suite misses.
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
MAX_TRIALS = 600  # calls tried per target, to find those reaching missed lines
# A safety net only (well below _genscript's CHILD_TIMEOUT): the count above is what normally ends the
# trials, so what is generated does not depend on the machine's load.
TRIAL_SECONDS = 40
CALL_SECONDS = 2  # one call longer than this is not assertable (and not kept)
EXAMPLES = GV.Examples()  # replaced in _genscript.main(), before the children fork


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


class Expr(str):
    """Argument source text that needs `module` imported."""

    def __new__(cls, text, module):
        self = super().__new__(cls, text)
        self.module = module
        return self


# Text that takes other paths than ASCII: accents, outside the BMP, a NUL, blanks around words.
_ODD_TEXT = ["\u00e9t\u00e9", "\U0001f600", "\x00", " A b-1 "]


def values_for(annotation, default, nums, strs, module):
    """Candidate argument expressions (source text) for one parameter."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "types.UnionType":
        out = []
        for arg in typing.get_args(annotation):
            out += ["None"] if arg is type(None) else values_for(arg, inspect.Parameter.empty, nums, strs, module)
        return out
    if annotation is inspect.Parameter.empty and default is not inspect.Parameter.empty:
        annotation = type(default)
    if annotation is inspect.Parameter.empty:
        # No type to go by: probe with the function's own constants and a few plain values. Only calls
        # that return a literal or raise what the function itself raises become assertions.
        probes = [*strs, *nums, "abc", "", *_ODD_TEXT, 0, 1, None]
        return list(dict.fromkeys(repr(v) for v in probes))
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
    if annotation is str:
        return [repr(v) for v in ["", "abc", *strs, *(s + "x" for s in strs), *_ODD_TEXT]]
    if inspect.isclass(annotation) and annotation.__module__.split(".")[0] == module.split(".")[0]:
        try:
            annotation()
        except Exception:
            return []
        return [Expr(f"{annotation.__module__}.{annotation.__qualname__}()", annotation.__module__)]
    return []


def plain(target, mod, cls, obj):
    if target["side_effects"]:
        return None, f"not called: {target['side_effects']}"
    func = obj
    try:
        sig = inspect.signature(func)
        hints = typing.get_type_hints(func)
    except Exception as exc:  # unresolvable annotations
        return None, f"cannot read the signature: {exc}"
    nums, strs = constants(func)
    params = [p for p in sig.parameters.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    receiver = f"{target['module']}."
    if cls is not None and params and params[0].name == "self":
        params = params[1:]
        try:
            cls()
        except Exception:
            return None, f"cannot build a {cls.__name__}() without arguments"
        receiver = f"{target['module']}.{cls.__qualname__}()."
    elif cls is not None:  # classmethod (already bound) or staticmethod
        receiver = f"{target['module']}.{cls.__qualname__}."
    name = target["symbol"].split(".")[-1]
    examples = EXAMPLES
    with contextlib.suppress(Exception):
        examples.scan_doctest(inspect.getdoc(func))
    pool = GV.neighbours(examples.pool(name))
    choices = {}
    for p in params:
        annotation = hints.get(p.name, p.annotation)
        # The project's own values first (they are what its developers pass), then typed probes.
        mined = [repr(v) for v in pool if GV.fits(v, annotation) and GV.repr_ok(v)]
        if annotation is inspect.Parameter.empty and p.default is not inspect.Parameter.empty:
            mined = [repr(v) for v in pool if isinstance(v, type(p.default)) and GV.repr_ok(v)]
        vals = list(dict.fromkeys([*values_for(annotation, p.default, nums, strs, target["module"]), *mined]))
        if not vals:
            if p.default is inspect.Parameter.empty:
                return None, f"no plain value for parameter {p.name!r}"
            continue
        choices[p.name] = vals
    needed = {target["module"]} | {v.module for vals in choices.values() for v in vals if isinstance(v, Expr)}
    calls = _mined_calls(examples.calls.get(name, []), sig, params, hints)
    base = {k: v[0] for k, v in choices.items()}
    calls.append(base)
    for key, vals in choices.items():
        calls.extend({**base, key: v} for v in vals[1:])
    calls = list({tuple(c.items()): c for c in calls}.values())[:MAX_TRIALS]
    ns = {}
    for dotted in needed:
        importlib.import_module(dotted)
        ns[dotted.split(".")[0]] = importlib.import_module(dotted.split(".")[0])
    excs = exceptions(mod, target["raises"])
    top = target["module"].split(".")[0]
    missing = set(target.get("missing") or [])
    tracer = GV.LineTracer(_source_file(func))
    tried, started = [], time.monotonic()
    for call in calls:
        if time.monotonic() - started > TRIAL_SECONDS:
            break
        expr = f"{receiver}{name}(" + ", ".join(f"{k}={v}" for k, v in call.items()) + ")"
        with tracer:
            first = _observe(expr, ns, excs, top)
        second = _observe(expr, ns, excs, top)
        if first is None or second is None or first[:3] != second[:3]:
            continue  # nondeterministic or not assertable
        if first[3] != second[3]:  # an error message that changes (an id, a time): not asserted
            first = (*first[:3], None)
        tried.append((expr, first, tracer.hit & missing))
    # Keep the calls that reach missed lines (each must add one); with none, the first few (branches).
    chosen, reached = [], set()
    for expr, outcome, hit in tried:
        if hit - reached and len(chosen) < MAX_CALLS:
            chosen.append((expr, outcome))
            reached |= hit
    if not chosen:
        chosen = [(expr, outcome) for expr, outcome, _ in tried[:MAX_CALLS]]
    lines = []
    for expr, (kind, text, modules, message) in chosen:
        needed |= modules
        if kind == "raises":
            # The message too, when it is short and stable: a mutant may change only the message.
            match = f", match={'^' + re.escape(message) + '$'!r}" if message else ""
            lines.append(f"    with pytest.raises({text}{match}):\n        {expr}")
        elif text in ("None", "True", "False"):  # identity, as linters ask (E711/E712)
            lines.append(f"    assert {expr} is {text}")
        else:
            lines.append(f"    assert {expr} == {text}")
    if not lines:
        return None, "no call gave an assertable result"
    body = "\n".join(lines)
    source = (
        "# Characterisation test by empathy test-coverage: the expected values are the results observed\n"
        "# on today's code (kept only because it also fails on a mutation of the lines it covers).\n"
        "import pytest\n\n" + "".join(f"import {n}\n" for n in sorted(needed)) + "\n\n"
        f"def test_{target['symbol'].replace('.', '_')}_plain_calls():\n{body}\n"
    )
    return source, None, sorted(reached)


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
    """("value", repr, modules, None) / ("raises", exception, modules, message) of one call, or None
    (not assertable)."""
    old = signal.signal(signal.SIGALRM, _alarm) if hasattr(signal, "SIGALRM") else None
    try:
        if old is not None:
            signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
        with contextlib.redirect_stdout(io.StringIO()):
            value = eval(expr, dict(ns))
    except _Slow:
        return None
    except Exception as exc:
        cls = type(exc)
        # The function's own exceptions, or any defined by the project: spelled by their import path.
        if not isinstance(exc, excs) and cls.__module__.split(".")[0] != top:
            return None
        message = str(exc)
        message = message if message and len(message) <= 120 and "\n" not in message else None
        if cls.__module__ == "builtins":
            return ("raises", cls.__name__, frozenset(), message)
        if getattr(sys.modules.get(cls.__module__), cls.__name__, None) is not cls:
            return None
        return ("raises", f"{cls.__module__}.{cls.__name__}", frozenset({cls.__module__}), message)
    finally:
        if old is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    text = repr(value)
    if GV.repr_ok(value):
        return ("value", text, frozenset(), None)
    # Not a literal: a repr like `datetime.datetime(2007, 1, 25, 12, 0)` that reads back equal, with the
    # modules it names imported, is still an exact assertion.
    modules = _modules_named(text)
    try:
        again = eval(text, {m: sys.modules[m] for m in modules})
    except BaseException:
        return None
    if type(again) is not type(value) or again != value:
        return None
    return ("value", text, frozenset(modules), None)

"""Runs INSIDE the sandbox, loaded by _genscript.py (never imported by Empathy itself).

The plain call test of one target (characterisation: the observed result becomes the assertion), written
the way a maintainer would: through the public API. A private helper's missed lines are reached by calling
the public functions, classes and methods that lead to it (found statically by entries.py, confirmed here
by a line tracer on the helper's file); the helper itself is called only when no public call reaches them.
Argument values are of the types the project passes (annotations, its tests' and doctests' calls,
defaults: _genvalues.py); each call runs twice and is kept only when its result is stable and assertable.
"""
# ruff: noqa: BLE001  (project code may raise anything; each failure becomes a reason, never a crash)

import contextlib
import importlib
import inspect
import io
import math
import re
import signal
import sys
import time

# Given by _genscript's loader before this runs (this folder is not on sys.path, so no import reaches them).
GV = globals()["GV"]  # _genvalues.py
R = globals()["ROUTES"]  # _genroutes.py
exceptions = globals()["exceptions"]

MAX_CALLS = 12  # assertions in one plain test
MAX_TRIALS = 600  # calls tried per target (over all its routes), to find those reaching missed lines
# A safety net only (well below _genscript's CHILD_TIMEOUT): the count above is what normally ends the
# trials, so what is generated does not depend on the machine's load.
TRIAL_SECONDS = 40
CALL_SECONDS = 2  # one call longer than this is not assertable (and not kept)
EXAMPLES = GV.Examples()  # replaced in _genscript.main(), before the children fork
MAX_REPR = 240  # characters of an asserted value
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")  # `<Foo object at 0x7f...>`: differs every run


MAX_BASES = 8  # calls reaching new lines whose one-value variants are tried too


def trials(routes, watched, missing, excs, top, examples):
    """Every route's calls run under the line tracer: (route, call, expr, outcome, missed lines hit)."""
    tracer = GV.LineTracer(watched)
    tried, reasons, started, budget = [], [], time.monotonic(), MAX_TRIALS
    for route in routes:
        plan, why = R.plan_for(route, examples)
        if plan is None:
            reasons.append(why)
            continue
        ns = {}
        for dotted in plan.modules:
            importlib.import_module(dotted)
            ns[dotted.split(".")[0]] = importlib.import_module(dotted.split(".")[0])
        procedure = not R.returns_value(route.func)
        seen, reached, bases = set(), set(), 0
        share = budget - max(MAX_TRIALS // len(routes), 60)  # each route its share, so the last ones run too
        while plan.queue and budget > max(share, 0) and time.monotonic() - started <= TRIAL_SECONDS:
            call = plan.queue.pop(0)
            if tuple(call.items()) in seen:
                continue
            seen.add(tuple(call.items()))
            for receiver in plan.receivers:
                budget -= 1
                expr = plan.text(call, receiver)
                with tracer:
                    first = _observe(expr, ns, excs, top)
                hit = tracer.hit & missing
                if hit - reached and bases < MAX_BASES:
                    bases += 1
                    plan.queue[:0] = list(plan.variants(call))
                reached |= hit
                second = _observe(expr, ns, excs, top)
                if first is None or second is None or first[:3] != second[:3]:
                    continue  # nondeterministic or not assertable
                if first[0] == "value" and first[1] == "None" and procedure:
                    continue  # `assert f() is None` on a function that returns nothing asserts nothing
                if first[3] != second[3]:  # an error message that changes (an id, a time): not asserted
                    first = (*first[:3], None, first[4])
                tried.append((route, call, expr, first, hit))
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
    direct = R.route_for(target["module"], target["symbol"], cls, obj)
    routes = [direct] if direct is not None else [
        r for r in map(R.entry_route, target.get("entries") or []) if r is not None]
    if direct is None and cls is not None:  # a private method: its class's public ones, inherited too
        labels = {r.label for r in routes}
        routes += [r for r in R.method_routes(target["module"], cls) if r.label not in labels]
    tried, reasons = trials(routes, watched, missing, excs, top, EXAMPLES)
    chosen, reached = choose(tried, fallback=direct is not None)
    private_why = None
    if not chosen and direct is None:
        # No public call ran the lines: the helper itself, and the report says why.
        names = ", ".join(r.label for r in routes) or "none found"
        private_why = (f"no public call reached lines {_ranges(missing)} of {target['symbol']} "
                       f"(public callers tried: {names})")
        own = R.route_for(target["module"], target["symbol"], cls, obj, public=False)
        tried, more = trials([own], watched, missing, excs, top, EXAMPLES)
        reasons += more
        chosen, reached = choose(tried, fallback=True)
    if not chosen:
        return None, "; ".join(dict.fromkeys(reasons)) or "no call gave an assertable result", [], private_why
    return render(chosen), None, sorted(reached), private_why


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
    changed = getattr(call, "changed", None)
    key = changed if changed in empty else empty[0] if len(empty) == 1 else None
    head = f"empty_{key}_" if key else ""
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
    if _ADDRESS.search(text) or len(text) > MAX_REPR:
        return None  # an address differs every run; a screenful of expected value is not a reviewable test
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
    spelled = R.public_spelling(cls.__module__, cls.__name__) or cls.__module__
    return ("raises", f"{spelled}.{cls.__name__}", frozenset({spelled}), message, cls.__name__)

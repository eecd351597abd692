"""Runs INSIDE the sandbox with the project's interpreter (never imported by Empathy itself).

Reads a JSON list of targets on stdin; prints, per target, a Hypothesis ghostwriter test and a plain
call test (characterisation: the observed result becomes the assertion), or the reason each failed.
Project code is imported here, in a throwaway process whose cwd is the sandbox copy.
"""
# ruff: noqa: BLE001  (project code may raise anything; each failure becomes a reason, never a crash)

import ast
import builtins
import contextlib
import importlib
import importlib.util
import inspect
import io
import json
import math
import os
import re
import signal
import sys
import textwrap
import time
import typing

sys.path.insert(0, ".")  # what `python -m pytest` does from the project root
MAX_CALLS = 12  # assertions in one plain test
MAX_TRIALS = 600  # calls tried per target, to find those reaching missed lines
# A safety net only (well below CHILD_TIMEOUT): the count above is what normally ends the trials, so
# what is generated does not depend on the machine's load.
TRIAL_SECONDS = 40
CALL_SECONDS = 2  # one call longer than this is not assertable (and not kept)
CHILD_TIMEOUT = 120  # seconds for one target (a safety net: a hung call ends its child)


def _load_values():
    """_genvalues.py beside this script, loaded by path: putting this folder on sys.path would let
    Empathy's module names shadow the project's."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_genvalues.py")
    spec = importlib.util.spec_from_file_location("_empathy_genvalues", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GV = _load_values()
EXAMPLES = GV.Examples()  # filled in main(), before the children fork


def resolve(module, symbol):
    obj = mod = importlib.import_module(module)
    owner = None
    for part in symbol.split("."):
        owner, obj = obj, getattr(obj, part)
    return mod, owner if inspect.isclass(owner) else None, obj


def exceptions(mod, names):
    found = []
    for name in names:
        exc = getattr(builtins, name, None) or getattr(mod, name, None)
        if inspect.isclass(exc) and issubclass(exc, Exception):
            found.append(exc)
    return tuple(found)


class Unshadow(ast.NodeTransformer):
    """Ghostwriter names a parameter like the package (`inventory`), then calls `inventory.x.f(...)`
    inside the test: the parameter shadows the module. Point such calls at an alias instead."""

    def __init__(self, module):
        self.module = module
        self.alias = "_target_" + module.replace(".", "_")
        self.params = set()
        self.used = False

    def visit_FunctionDef(self, node):
        self.params = {a.arg for a in node.args.args + node.args.kwonlyargs}
        node.body = [self.visit(stmt) for stmt in node.body]
        return node

    def visit_Attribute(self, node):
        dotted = ast.unparse(node)
        if dotted.startswith(self.module + ".") and self.module.split(".")[0] in self.params:
            self.used = True
            rest = dotted[len(self.module) + 1:]
            return ast.parse(f"{self.alias}.{rest}", mode="eval").body
        return self.generic_visit(node)


FUZZ_EXAMPLES = 25


def ghostwrite(target, mod, cls, obj):
    from hypothesis.extra import ghostwriter

    if target["side_effects"]:
        return None, f"not fuzzed: {target['side_effects']}"
    excs = exceptions(mod, target["raises"])
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        source = ghostwriter.magic(obj, except_=excs) if excs else ghostwriter.magic(obj)
    if cls is not None:
        source = source.replace("self=st.nothing()", f"self=st.from_type({target['module']}.{cls.__name__})")
    source = "\n".join(ln for ln in source.splitlines() if not ln.startswith("# TODO: replace st.nothing()"))
    if "st.nothing()" in source:
        return None, "ghostwriter could not infer a strategy for every argument"
    # NaN and infinity make most numeric code meaningless to test; keep inputs finite.
    source = source.replace("st.floats()", "st.floats(allow_nan=False, allow_infinity=False)")
    tree = ast.parse(source)
    fixer = Unshadow(target["module"])
    tree = fixer.visit(tree)
    if fixer.used:
        tree.body.insert(0, ast.parse(f"import {target['module']} as {fixer.alias}").body[0])
    # A kept fuzz test must give the same verdict on every run and every machine: the same examples
    # each run (derandomize), and no failure because a machine is slow or busy (no deadline, no
    # too-slow health check). It is a coverage test among the project's own, run ~15 times while it is
    # validated and mutation-tested, then in every run of the suite: FUZZ_EXAMPLES, not Hypothesis' 100.
    # The project's profile keeps every other setting.
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and getattr(d.func, "id", "") == "given" for d in node.decorator_list
        ):
            node.decorator_list.insert(0, ast.parse(
                f"settings(max_examples={FUZZ_EXAMPLES}, deadline=None, derandomize=True, "
                "suppress_health_check=[HealthCheck.too_slow])",
                mode="eval").body)
    tree.body.insert(0, ast.parse("from hypothesis import HealthCheck, settings").body[0])
    why = add_property(tree, target, obj)
    if why:
        return None, why
    header = "# Hypothesis ghostwriter test (CC0), adapted by empathy test-coverage.\n"
    return header + ast.unparse(ast.fix_missing_locations(tree)) + "\n", None


def type_check(annotation, module):
    """Source text of an isinstance() class tuple for a return annotation, or None."""
    if annotation is None or annotation is type(None):
        return "type(None)"
    origin = typing.get_origin(annotation)
    if origin is typing.Union or str(origin) == "types.UnionType":
        parts = [type_check(a, module) for a in typing.get_args(annotation)]
        return None if None in parts else "(" + ", ".join(parts) + ",)"
    cls = origin or annotation
    if not inspect.isclass(cls) or cls is typing.Any:
        return None
    if cls.__module__ == "builtins":
        return cls.__name__
    if cls.__module__.split(".")[0] == module.split(".")[0]:
        return f"{cls.__module__}.{cls.__qualname__}"
    return None


def add_property(tree, target, obj):
    """A fuzz test must assert something: ghostwriter's round-trip/idempotence tests do; a plain
    `f(x=x)` call gets the return annotation's type as its property, or the test is dropped."""
    tests = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    for node in tests:
        if any(isinstance(n, ast.Assert) for n in ast.walk(node)):
            continue
        block = node.body
        while block and isinstance(block[-1], (ast.Try, ast.With)):  # `try: f(x) except E: reject()`
            block = block[-1].body
        last = block[-1] if block else None
        if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)):
            return "fuzz test asserts no property"
        try:
            returns = typing.get_type_hints(obj).get("return", inspect.Parameter.empty)
        except Exception:
            returns = inspect.Parameter.empty
        if returns is inspect.Parameter.empty:
            return "fuzz test asserts no property (no return annotation to check the result against)"
        check = type_check(returns, target["module"])
        if check is None:
            return f"fuzz test asserts no property (cannot check a result of type {returns!r})"
        if check == "type(None)":
            assertion = "assert result is None"
        else:
            assertion = f"assert isinstance(result, {check})"
        for mod in {c.rsplit(".", 1)[0] for c in check.strip("(),").split(", ") if "." in c}:
            tree.body.insert(0, ast.parse(f"import {mod}").body[0])
        block[-1:] = [ast.Assign(targets=[ast.Name("result", ast.Store())], value=last.value),
                          *ast.parse(assertion).body]
    return None


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


def generate(target):
    entry = {"ghostwriter": None, "ghostwriter_error": None, "plain": None, "plain_error": None,
             "plain_reached": None}
    try:
        mod, cls, obj = resolve(target["module"], target["symbol"])
    except Exception as exc:
        entry["ghostwriter_error"] = entry["plain_error"] = f"cannot import: {type(exc).__name__}: {exc}"
        return entry
    for kind, fn in (("ghostwriter", ghostwrite), ("plain", plain)):
        try:
            entry[kind], entry[kind + "_error"], *reached = fn(target, mod, cls, obj)
            if reached:  # the missed lines the chosen plain calls ran (the line tracer's view)
                entry[kind + "_reached"] = reached[0]
        except Exception as exc:
            entry[kind + "_error"] = f"{type(exc).__name__}: {exc}"[:300]
    return entry


def in_child(target, path):
    """One target in a forked child: whatever its calls do to the process (close sys.stderr, patch a
    module, leave threads) dies with it; the parent keeps Hypothesis imported, so a fork is cheap."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            entry = generate(target)
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(entry, fh)
        except BaseException:
            code = 1
        os._exit(code)
    return pid


def main():
    targets = json.load(sys.stdin)
    global EXAMPLES
    with contextlib.suppress(Exception):
        EXAMPLES = GV.Examples.from_tests(".")
    workdir = os.path.dirname(os.path.abspath(sys.stdin.name))
    with contextlib.suppress(Exception):  # absent: each child reports it for its own target
        from hypothesis.extra import ghostwriter  # noqa: F401  (warm: every child inherits it)
    import gc
    gc.freeze()  # each forked child's collections skip what is already imported
    out, running, jobs = {}, {}, list(enumerate(targets))
    parallel = max(1, min(int(os.environ.get("EMPATHY_GEN_JOBS", "2")), len(targets)))
    while jobs or running:
        while jobs and len(running) < parallel and hasattr(os, "fork"):
            i, target = jobs.pop(0)
            path = os.path.join(workdir, f"gen-{i}.json")
            running[in_child(target, path)] = (target, path, time.monotonic())
        if not hasattr(os, "fork"):  # no fork (Windows): one process for all
            for _, target in jobs:
                out[target["key"]] = generate(target)
            break
        pid, _status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            for child, (target, _, started) in list(running.items()):
                if time.monotonic() - started > CHILD_TIMEOUT:
                    os.kill(child, 9)
            time.sleep(0.005)
            continue
        target, path, _ = running.pop(pid)
        try:
            with open(path, encoding="utf-8") as fh:
                out[target["key"]] = json.load(fh)
        except (OSError, ValueError):
            why = "generation did not finish (the target's code ended or hung its process)"
            out[target["key"]] = {"ghostwriter": None, "ghostwriter_error": why, "plain": None, "plain_error": why}
    sys.stdout.write("\n@@EMPATHY-JSON@@\n" + json.dumps(out))


if __name__ == "__main__":
    main()

"""Runs INSIDE the sandbox with the project's interpreter (never imported by Empathy itself).

Reads a JSON list of targets on stdin; prints, per target, a Hypothesis ghostwriter test and a plain
call test (characterisation: the observed result becomes the assertion; written by _genplain.py), or
the reason each failed. Project code is imported here, in a throwaway process whose cwd is the sandbox
copy; each target in a forked child of it.
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
import os
import sys
import time
import typing

sys.path.insert(0, ".")  # what `python -m pytest` does from the project root
CHILD_TIMEOUT = 120  # seconds for one target (a safety net: a hung call ends its child)


def _sibling(filename, **given):
    """A file beside this script, loaded by path: putting this folder on sys.path would let Empathy's
    module names shadow the project's. `given`: globals the file finds set when it runs."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), filename)
    spec = importlib.util.spec_from_file_location("_empathy" + filename[:-3], path)
    module = importlib.util.module_from_spec(spec)
    vars(module).update(given)
    spec.loader.exec_module(module)
    return module


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


GV = _sibling("_genvalues.py")
ROUTES = _sibling("_genroutes.py", GV=GV)
PLAIN = _sibling("_genplain.py", GV=GV, ROUTES=ROUTES, exceptions=exceptions)


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


NO_HYPOTHESIS = "Hypothesis is not installed in the project's interpreter"  # candidates.py says it once


def generate(target):
    entry = {"ghostwriter": None, "ghostwriter_error": None, "plain": None, "plain_error": None,
             "plain_reached": None, "plain_private": None}
    try:
        mod, cls, obj = resolve(target["module"], target["symbol"])
    except Exception as exc:
        entry["ghostwriter_error"] = entry["plain_error"] = f"cannot import: {type(exc).__name__}: {exc}"
        return entry
    try:
        entry["plain"], entry["plain_error"], entry["plain_reached"], entry["plain_private"] = \
            PLAIN.plain(target, mod, cls, obj)
    except Exception as exc:
        entry["plain_error"] = f"{type(exc).__name__}: {exc}"[:300]
    if not target.get("public", True) and entry["plain"] and not entry["plain_private"]:
        # The plain test reaches the helper through public calls: a fuzz test of the helper itself would
        # be a test of a private name, which a maintainer would not merge.
        entry["ghostwriter_error"] = "not fuzzed: a private helper, tested through its public callers"
        return entry
    try:
        entry["ghostwriter"], entry["ghostwriter_error"] = ghostwrite(target, mod, cls, obj)
    except ImportError as exc:
        entry["ghostwriter_error"] = NO_HYPOTHESIS if "hypothesis" in str(exc) else f"ImportError: {exc}"[:300]
    except Exception as exc:
        entry["ghostwriter_error"] = f"{type(exc).__name__}: {exc}"[:300]
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
    with contextlib.suppress(Exception):
        PLAIN.EXAMPLES = GV.Examples.from_tests(".")
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

"""Runs INSIDE the sandbox, loaded by _genscript.py (never imported by Empathy itself).

Routes into a target's lines and the calls tried along each: the target itself when its name is public
(spelled as the package re-exports it), else the public functions, classes and methods that lead to it
(entries.py found them statically; inherited public methods of a private method's class too). Argument
values are of the types the project uses: the annotation, else the values its own tests, doctests and
defaults pass, else the types whose methods the function's body calls on the parameter.
"""
# ruff: noqa: BLE001, S112  (project code may raise anything; each failure is skipped, never a crash)

import ast
import contextlib
import importlib
import inspect
import io
import textwrap
import typing

GV = globals()["GV"]  # _genvalues.py, given by _genscript's loader
MINED = 600  # the project's own calls tried per route, at most


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


MAX_RECEIVERS = 4  # instances each method call is tried on


def _receivers(route, examples):
    """Constructor calls (source after the class) that build an instance: `()`, the project's own, then
    one constructor argument changed at a time (values of its types): an instance built with
    `errors=''` is how a public method reaches the helper's "unsupported error handling" branch."""
    cls = route.receiver_cls
    texts = ["()"]
    for args, kwargs in examples.calls.get(cls.__name__, [])[:40]:
        if all(GV.repr_ok(v) for v in [*args, *kwargs.values()]):
            texts.append("(" + ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())]) + ")")
    init = Route(cls.__init__, route.spelled, cls.__name__, route.modules)
    with contextlib.suppress(Exception):
        params = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                  if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        choices, _ = _choices(init, params, typing.get_type_hints(cls.__init__), *constants(cls.__init__), examples)
        required = [p.name for p in params if p.default is inspect.Parameter.empty]
        if choices and all(r in choices for r in required):
            base = {k: choices[k][0] for k in required}
            texts += ["(" + ", ".join(f"{k}={v}" for k, v in {**base, key: v}.items()) + ")"
                      for key, vals in choices.items() for v in vals[:4]]
    out = []
    namespace = {route.spelled.split(".")[0]: importlib.import_module(route.spelled.split(".")[0])}
    for text in dict.fromkeys(texts):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                eval(route.spelled + text, dict(namespace))  # the project's constructor, in the sandbox
        except BaseException:
            continue
        out.append(text)
        if len(out) == MAX_RECEIVERS:
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


class Call(dict):
    """Keyword -> argument source text, and which argument made it differ from the call it came from."""

    def __init__(self, values, changed=None):
        super().__init__(values)
        self.changed = changed


class Plan:
    """The calls of one route: the project's own calls, a base call, then one value changed at a time;
    a call that reaches a new missed line becomes a base too (the raise behind `if len(text) < width`
    needs a short text AND a bad fill)."""

    def __init__(self, route, choices, required, mined, receivers, modules):
        self.route, self.choices, self.receivers, self.modules = route, choices, receivers, modules
        base = {k: v[0] for k, v in choices.items() if k in required}
        self.required = required
        self.queue = [*mined, base, *self.variants(base)]

    def variants(self, call):
        for key, vals in self.choices.items():
            for v in vals:
                if call.get(key) != v and not (key in self.required and key not in call):
                    yield Call({**call, key: v}, changed=key)

    def text(self, call, receiver):
        method = self.route.label.split(".")[-1]
        if self.route.receiver_cls is not None and method in _BUILTIN_OF and not call:
            return f"{_BUILTIN_OF[method]}({self.route.spelled}{receiver})"  # repr(x), not x.__repr__()
        tail = "." + method if self.route.receiver_cls is not None else ""
        return f"{self.route.spelled}{receiver}{tail}(" + ", ".join(f"{k}={v}" for k, v in call.items()) + ")"


_BUILTIN_OF = {"__repr__": "repr", "__str__": "str", "__len__": "len", "__bool__": "bool",
               "__bytes__": "bytes", "__int__": "int", "__float__": "float"}


def plan_for(route, examples):
    """The Plan of one route, or (None, reason)."""
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
    mined = _mined_calls(examples.calls.get(route.name, []), sig, params, hints)
    required = {p.name for p in params if p.default is inspect.Parameter.empty}
    return Plan(route, choices, required, mined, receivers, modules), None


def entry_route(entry):
    module, _, symbol = entry.partition(":")
    try:
        mod = importlib.import_module(module)
        owner, obj = None, mod
        for part in symbol.split("."):
            owner, obj = obj, getattr(obj, part)
        return route_for(module, symbol, owner if inspect.isclass(owner) else None, obj)
    except Exception:
        return None


def method_routes(module, cls, limit=8):
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


def _mined_calls(found, sig, params, hints):
    """Calls from the project's tests and doctests, as keyword source texts, when every value fits."""
    names = [p.name for p in params]
    out = []
    for args, kwargs in found[:MINED]:
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

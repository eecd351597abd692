"""A change never grades itself: what in a project judges a change, and whether the change touched it.

The judges are the project's tests as they were before the change: its existing test files (and every
file in its test folders), its `conftest.py` files, its pytest and coverage configuration, the pytest
plugins it loads from its own tree, and what Python itself loads on start-up. A change may ADD tests
(new test files, new test functions or classes in an existing test file); it may not edit or delete an
existing test, add or edit a conftest, change the configuration, add skip/xfail markers, or reach into
the test runner from the code under test. `check` reads only the text of the touched files before and
after the change; engine.py then runs the original tests against the changed code (`split`), and the
additions on their own.
"""

from __future__ import annotations

import ast
import configparser
import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from empathy_os.analyzers._pytest import ini_args, project_addopts
from empathy_os.analyzers.project import is_test_file
from empathy_os.changes.model import Check

REJECTED = "edits the tests that judge it"
# Files pytest reads its configuration from, and coverage.py's own; tox.ini and setup.cfg only in part.
_CONFIG_WHOLE = {"pytest.ini", ".pytest.ini", ".coveragerc"}
_CONFIG_SECTIONS = {"tox.ini": ("pytest", "coverage:"), "setup.cfg": ("tool:pytest", "coverage:")}
_PYPROJECT_TABLES = ("pytest", "coverage")
# Loaded by Python or pytest without any import in the tests: a change may not add or edit them.
_AUTOLOADED_NAMES = {"conftest.py", "sitecustomize.py", "usercustomize.py"}
_AUTOLOADED_SUFFIXES = (".pth",)
_METADATA_DIRS = (".dist-info", ".egg-info")
# A new top-level module with one of these names would stand in for the test runner itself.
_RUNNER_MODULES = {"pytest", "_pytest", "pluggy", "coverage", "py", "xdist", "hypothesis"}
# Names whose use in added test code skips a test or expects it to fail, and where they come from.
_RUNNER_HOMES = {"pytest", "_pytest", "unittest", "self", "cls"}
_BY_NAME = ("test", "pytest_", "setup", "teardown")  # functions of a test module pytest calls by name
_MARKERS = {"skip", "skipif", "xfail", "importorskip", "skipTest", "skipIf", "skipUnless", "expectedFailure",
            "SkipTest"}


@dataclass
class Additions:
    """New tests a change adds: whole new files, and pytest node ids of new tests in existing files."""

    files: list[str] = field(default_factory=list)
    node_ids: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.files or self.node_ids)

    @property
    def targets(self) -> list[str]:
        return self.files + self.node_ids


@dataclass(frozen=True)
class Judges:
    """What of the unchanged project's tree judges a change besides its test files (see `judges`)."""

    plugins: frozenset[str] = frozenset()  # files pytest loads as plugins (`-p NAME`, `pytest_plugins`)
    tops: frozenset[str] = frozenset()  # top-level module names at the root and in src/
    test_dirs: tuple[str, ...] = ()  # the config's `testpaths` folders (e.g. `testing`), relative

    def is_test_side(self, path: str) -> bool:
        """Part of the tests (run by them, never by the code under test): test files, files in test
        folders (`tests`, `test`, the config's `testpaths`)."""
        return is_test_file(Path(path)) or any(path.startswith(d + "/") for d in self.test_dirs)


def judges(root: Path) -> Judges:
    tops = {p.stem if p.suffix == ".py" else p.name for base in (root, root / "src") if base.is_dir()
            for p in base.iterdir()}
    try:
        paths = ini_args(root, "testpaths")
    except (ValueError, OSError, configparser.Error):
        paths = []
    # Only folders named for tests: `testpaths = src tests` (doctests of the sources) must not turn the
    # code under test into tests.
    dirs = tuple(d.strip("/") for d in paths if "test" in PurePosixPath(d).name.lower() and (root / d).is_dir())
    return Judges(frozenset(local_plugins(root)), frozenset(tops), dirs)


def check(judged_by: Judges, touched: list[str], originals: dict[str, bytes | None],
          after: dict[str, bytes | None], repairs: dict[str, set[str]] | None = None) -> tuple[Check, Additions]:
    """Whether the change leaves the judges alone. `repairs` (kind test-repair): per test file, the test
    functions (qualified names) it claims to repair, the only part of the tests it may edit."""
    problems: list[str] = []
    additions = Additions()
    for p in touched:
        old, new = originals.get(p), after.get(p)
        problem = _autoloaded(p, old, new, judged_by.tops) or _config(p, old, new) or _plugin(p, judged_by.plugins) or (
            _test_side(p, old, new, additions, (repairs or {}).get(p)) if judged_by.is_test_side(p) or p in (
                repairs or {}) else _runner_reach(p, old, new))
        if problem:
            problems.append(problem)
    if problems:
        return Check(name="tests-untouched", passed=False, measured={"problems": problems},
                     detail=f"{REJECTED}: " + "; ".join(problems[:5])), additions
    claimed = [f"{p}::{n}" for p, names in sorted((repairs or {}).items()) for n in sorted(names)]
    detail = (f"edits only the failing test(s) it claims ({', '.join(claimed)}); leaves the other tests, "
              "conftest files and test configuration alone" if claimed else
              "leaves the existing tests, conftest files and test configuration alone")
    if additions:
        detail += f"; adds {len(additions.targets)} new test file(s)/test(s): {', '.join(additions.targets[:5])}"
    return Check(name="tests-untouched", passed=True, detail=detail,
                 measured={"added_files": additions.files, "added_tests": additions.node_ids}), additions


def _autoloaded(p: str, old: bytes | None, new: bytes | None, tops: frozenset[str]) -> str | None:
    path = PurePosixPath(p)
    if (path.name in _AUTOLOADED_NAMES or path.name.endswith(_AUTOLOADED_SUFFIXES)
            or any(part.endswith(_METADATA_DIRS) for part in path.parts[:-1])):
        verb = "adds" if old is None else "deletes" if new is None else "edits"
        return f"{verb} {p} (loaded by pytest or Python on its own)"
    parts = path.parts[1:] if path.parts[0] == "src" and len(path.parts) > 1 else path.parts
    top = PurePosixPath(parts[0]).stem if len(parts) == 1 else parts[0]
    if old is None and top in _RUNNER_MODULES and top not in tops:  # not the project's own (pytest's repo)
        return f"adds {p}, which would stand in for the test runner's own `{top}`"
    return None


def _config(p: str, old: bytes | None, new: bytes | None) -> str | None:
    name = PurePosixPath(p).name
    if len(PurePosixPath(p).parts) != 1:
        return None  # pytest and coverage read their configuration from the root only
    if name in _CONFIG_WHOLE:
        return f"{'adds' if old is None else 'edits'} {p} (test configuration)"
    if name in _CONFIG_SECTIONS and _ini_sections(old, _CONFIG_SECTIONS[name]) != _ini_sections(
            new, _CONFIG_SECTIONS[name]):
        return f"edits the pytest or coverage sections of {p}"
    if name == "pyproject.toml" and _toml_tables(old) != _toml_tables(new):
        return "edits [tool.pytest] or [tool.coverage] in pyproject.toml"
    return None


def _ini_sections(data: bytes | None, prefixes: tuple[str, ...]) -> dict[str, dict[str, str]] | str:
    if data is None:
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(data.decode("utf-8", "replace"))
    except configparser.Error as exc:
        return f"unreadable: {exc}"
    return {s: dict(parser[s]) for s in parser.sections() if s == prefixes[0] or s.startswith(prefixes[1:])}


def _toml_tables(data: bytes | None) -> dict | str:
    if data is None:
        return {}
    try:
        tool = tomllib.loads(data.decode("utf-8", "replace")).get("tool", {})
    except tomllib.TOMLDecodeError as exc:
        return f"unreadable: {exc}"
    return {k: tool.get(k) for k in _PYPROJECT_TABLES} if isinstance(tool, dict) else {}


def local_plugins(root: Path) -> set[str]:
    """Files of the project's own tree that pytest loads as plugins: `-p NAME` in addopts and
    `pytest_plugins` of the conftest files (resolved to paths relative to `root`)."""
    names: list[str] = []
    try:
        opts = project_addopts(root)
    except (ValueError, OSError, configparser.Error):
        opts = []
    for i, opt in enumerate(opts):
        if opt == "-p" and i + 1 < len(opts):
            names.append(opts[i + 1])
        elif opt.startswith("-p") and len(opt) > 2:
            names.append(opt[2:])
    for conftest in list(root.glob("conftest.py")) + list(root.glob("*/conftest.py")) + list(root.glob("*/*/conftest.py")):
        names += _pytest_plugins(conftest)
    found: set[str] = set()
    for name in names:
        base = name.removeprefix("no:").replace(".", "/")
        for prefix in ("", "src/"):
            for candidate in (f"{prefix}{base}.py", f"{prefix}{base}/__init__.py"):
                if (root / candidate).is_file():
                    found.add(candidate)
    return found


def _pytest_plugins(conftest: Path) -> list[str]:
    try:
        tree = ast.parse(conftest.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytest_plugins"
                                                for t in node.targets):
            value = node.value
            items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
            return [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
    return []


def _plugin(p: str, plugins: frozenset[str]) -> str | None:
    return f"edits {p} (a pytest plugin the project loads)" if p in plugins else None


def _test_side(p: str, old: bytes | None, new: bytes | None, additions: Additions,
               repaired: set[str] | None = None) -> str | None:
    if new is None:
        return f"deletes {p}"
    if old is None:
        if p.endswith(".py"):
            marker = _marker_in(_parse(new))
            if marker:
                return f"adds a `{marker}` marker in {p}"
            name = PurePosixPath(p).name
            if name.startswith("test_") or name.endswith("_test.py"):  # pytest's default python_files
                additions.files.append(p)
        return None
    if not p.endswith(".py"):
        return f"edits {p} (a file of the tests)"
    old_tree, new_tree = _parse(old), _parse(new)
    if old_tree is None or new_tree is None:
        return f"edits {p} (a file of the tests)"
    if repaired:
        return repair_scope(p, old_tree, new_tree, repaired)
    added: list[str] = []
    why = _only_adds(old_tree.body, new_tree.body, p, added, new_tree)
    if why:
        return why
    additions.node_ids += added
    return None


def find_def(tree: ast.AST, qualname: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The function `qualname` (`Class.test_f`) of a module."""
    node: ast.AST | None = tree
    for name in qualname.split("."):
        node = next((c for c in ast.iter_child_nodes(node) if getattr(c, "name", None) == name
                     and isinstance(c, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))), None)
        if node is None:
            return None
    return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def repair_scope(p: str, old: ast.Module, new: ast.Module, repaired: set[str]) -> str | None:
    """None when `new` differs from `old` only inside the claimed test functions (their signature and body;
    not their name or decorators) and by new imports or helpers; else what else it edits."""
    old, new = copy.deepcopy(old), copy.deepcopy(new)
    for name in sorted(repaired):
        before, after = find_def(old, name), find_def(new, name)
        if before is None or after is None:
            return f"{'removes' if before is not None else 'does not find'} the test `{name}` in {p}"
        if not _same(ast.List(elts=before.decorator_list, ctx=ast.Load()),
                     ast.List(elts=after.decorator_list, ctx=ast.Load())):
            return f"changes the decorators of `{name}` in {p}"
        if _import_time(before) != _import_time(after):
            return f"changes the defaults or annotations of `{name}` in {p} (run when the module is imported)"
        for node in (before, after):  # masked alike: what is left must be the old module plus additions
            node.body, node.args, node.returns = [ast.Pass()], ast.arguments(
                posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]), None
    added: list[str] = []
    why = _only_adds(old.body, new.body, p, added, new) or _not_plain(old, new)
    if why is None and added:
        why = f"adds test(s) {', '.join(added[:3])}: a repair edits only the test(s) it claims"
    return why and f"{why} (a repair may edit only {', '.join(sorted(repaired))})"


def _import_time(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """What of a function's signature Python evaluates when it defines it: a repair may add or remove
    parameters (fixtures), not code that runs at import, before any test."""
    a = fn.args
    parts = [*a.defaults, *(d for d in a.kw_defaults if d is not None), fn.returns,
             *(x.annotation for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if x is not None)]
    return "|".join(ast.dump(x, include_attributes=False) for x in parts if x is not None)


def _not_plain(old: ast.Module, new: ast.Module) -> str | None:
    """What a repair adds besides imports and plain helpers: a class, a decorated function (a fixture, which
    autouse would apply to every test), or one pytest calls by its name (`setup_module`, `pytest_*`)."""
    defs = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    known = {n.name for n in ast.walk(old) if isinstance(n, defs)}
    for n in ast.walk(new):
        if isinstance(n, defs) and n.name not in known and (
                isinstance(n, ast.ClassDef) or n.decorator_list or n.name.startswith(_BY_NAME)):
            return f"adds `{n.name}`: a repair may add imports and plain helper functions only"
    return None


def _parse(data: bytes) -> ast.Module | None:
    try:
        return ast.parse(data)
    except (SyntaxError, ValueError):
        return None


def _same(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a, include_attributes=False) == ast.dump(b, include_attributes=False)


def _bound(stmts: list[ast.stmt]) -> set[str]:
    names: set[str] = set()
    for s in stmts:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(s.name)
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in s.names}
        else:
            names |= {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


def _describe(node: ast.stmt) -> str:
    name = getattr(node, "name", None)
    return f"`{name}`" if name else f"line {node.lineno}"


def _only_adds(old: list[ast.stmt], new: list[ast.stmt], where: str, added: list[str], module: ast.Module) -> str | None:
    """None when `new` is `old` with only new functions, classes and imports inserted (recursively in
    classes of the same name); else what changed. New test node ids go to `added`."""
    bound = _bound(old)
    seen = {ast.dump(s, include_attributes=False) for s in old}
    i = 0
    for stmt in new:
        if i < len(old) and _same(old[i], stmt):
            i += 1
            continue
        if i < len(old) and _extends_import(old[i], stmt, bound):
            i += 1
            continue
        if i < len(old) and isinstance(stmt, ast.ClassDef) and isinstance(old[i], ast.ClassDef) \
                and stmt.name == old[i].name and _same_head(old[i], stmt):
            why = _only_adds(old[i].body, stmt.body, f"{where}::{stmt.name}", added, module)
            if why:
                return why
            i += 1
            continue
        why = _addition(stmt, bound, seen, where, module)
        if why:
            return _explained(old, i, stmt, bound, where.split("::")[0]) or why
        if _collected(stmt):
            added.append(f"{where}::{stmt.name}")
    if i < len(old):
        return f"removes or changes {_describe(old[i])} in {where.split('::')[0]}"
    return None


def _explained(old: list[ast.stmt], i: int, stmt: ast.stmt, bound: set[str], file: str) -> str | None:
    """A statement that is no allowed addition, said as what it does to the old ones, where that is clear."""
    if any(_same(o, stmt) for o in old[i + 1:]):  # what stood before it is gone
        return f"removes or changes {_describe(old[i])} in {file}"
    if getattr(stmt, "name", None) in bound - _bound(old[:i]):  # its old self is not above it
        return f"changes `{stmt.name}` in {file}"
    if i < len(old) and type(old[i]) is type(stmt) and not hasattr(stmt, "name"):
        return f"changes {_describe(old[i])} of {file}"
    return None


def _extends_import(old: ast.stmt, new: ast.stmt, bound: set[str]) -> bool:
    """`from m import a` grown into `from m import a, b` (b a new name): the old names keep their meaning."""
    if not (isinstance(old, ast.ImportFrom) and isinstance(new, ast.ImportFrom)
            and (old.module, old.level) == (new.module, new.level)):
        return False
    before = {(a.name, a.asname) for a in old.names}
    after = {(a.name, a.asname) for a in new.names}
    return before < after and not ({a or n for n, a in after - before} & bound)


def _collected(stmt: ast.stmt) -> bool:
    """A test pytest collects by its default rules: `test*` functions, `Test*` or TestCase classes."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return stmt.name.startswith("test")
    return isinstance(stmt, ast.ClassDef) and (stmt.name.startswith("Test") or "TestCase" in ast.dump(
        ast.List(elts=stmt.bases, ctx=ast.Load())))


def _same_head(a: ast.ClassDef, b: ast.ClassDef) -> bool:
    return all(_same(ast.List(elts=list(getattr(a, f)), ctx=ast.Load()), ast.List(elts=list(getattr(b, f)),
                                                                                  ctx=ast.Load()))
               for f in ("bases", "keywords", "decorator_list"))


def _addition(stmt: ast.stmt, bound: set[str], seen: set[str], where: str, module: ast.Module) -> str | None:
    file = where.split("::")[0]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        if ast.dump(stmt, include_attributes=False) in seen:
            return None
        clash = _bound([stmt]) & bound
        return f"rebinds {', '.join(sorted(clash))} in {file} with a new import" if clash else None
    if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return f"adds code at line {stmt.lineno} of {file} that is not a new test, function, class or import"
    if stmt.name in bound:
        return f"redefines `{stmt.name}` in {file}"
    marker = _marker_in(stmt, module)
    return f"adds a `{marker}` marker in {file}" if marker else None


def _marker_in(tree: ast.AST | None, module: ast.AST | None = None) -> str | None:
    found = markers(tree, module)
    return found[0] if found else None


def markers(tree: ast.AST | None, module: ast.AST | None = None) -> list[str]:
    """Each skip/xfail in `tree`: `pytest.mark.xfail`, `pytest.skip(...)`, `unittest.skip`, `self.skipTest`, a
    name imported from pytest or unittest (`from pytest import mark, skip`), or a `pytestmark`. A project's
    own function called `skip` is not one."""
    if tree is None:
        return []
    imported = {a.asname or a.name for n in ast.walk(module or tree) if isinstance(n, ast.ImportFrom)
                and (n.module or "").split(".")[0] in _RUNNER_HOMES for a in n.names}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _MARKERS and _base(node) in _RUNNER_HOMES | imported:
            found.append(node.attr)
        elif isinstance(node, ast.Name) and node.id in _MARKERS and node.id in imported:
            found.append(node.id)
        elif isinstance(node, ast.Name) and node.id == "pytestmark" and isinstance(node.ctx, ast.Store):
            found.append("pytestmark")
    return found


def _base(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _runner_reach(p: str, old: bytes | None, new: bytes | None) -> str | None:
    """Code under test that newly imports the test runner could rewrite the verdict from inside."""
    if not p.endswith(".py") or new is None:
        return None
    before = _imports(_parse(old)) if old is not None else set()
    reach = sorted((_imports(_parse(new)) - before) & _RUNNER_MODULES - {"hypothesis", "coverage"})
    return f"makes {p} import {', '.join(reach)} (code under test may not reach into the test runner)" \
        if reach else None


def _imports(tree: ast.Module | None) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
    return out

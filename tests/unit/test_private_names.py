"""No private name crosses a module boundary in empathy_os: what another module needs is public.

A private (`_name`) function, constant or module belongs to its module (or, for a `_module`, to its own
package); a second module using it couples to details its owner may change without notice.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "empathy_os"


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(package: Path) -> list[str]:
    """`module: what` for every private name one module of `package` takes from another."""
    modules = {_module_name(p, package): p for p in package.rglob("*.py")}
    found: list[str] = []
    for name, path in sorted(modules.items()):
        own_package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}  # local name -> empathy_os module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in modules:
                for alias in node.names:
                    imported = f"{node.module}.{alias.name}"
                    if imported in modules:  # a module: private ones stay inside their package
                        aliases[alias.asname or alias.name] = imported
                        if _private(alias.name) and node.module != own_package:
                            found.append(f"{name}: from {node.module} import {alias.name}")
                    elif _private(alias.name) and node.module != name:
                        found.append(f"{name}: from {node.module} import {alias.name}")
            elif isinstance(node, ast.Import):
                aliases.update({a.asname: a.name for a in node.names if a.asname and a.name in modules})
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                    and aliases.get(node.value.id, name) != name):
                found.append(f"{name}: {aliases[node.value.id]}.{node.attr} (line {node.lineno})")
    return found


def _own_private_attributes(tree: ast.AST) -> set[str]:
    """The private attributes a module's classes declare (class body) or set (`self._x = ...`)."""
    own: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                targets = item.targets if isinstance(item, ast.Assign) else [getattr(item, "target", None)]
                own.update(t.id for t in targets if isinstance(t, ast.Name) and _private(t.id))
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _private(item.name):
                    own.add(item.name)
        elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr)
              and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            own.add(node.attr)
    return own


def private_attribute_uses(package: Path) -> list[str]:
    """`module: obj._x (line n)` where `_x` belongs to the classes of other modules of `package` and not to
    the module's own: an object of another module's class read by its private attribute. A cheap reading
    without types: a name that both modules' classes declare is not seen (a false negative, never a false
    alarm from a third-party object, whose private names our classes do not declare)."""
    trees = {_module_name(p, package): ast.parse(p.read_text(encoding="utf-8")) for p in package.rglob("*.py")}
    own = {name: _own_private_attributes(tree) for name, tree in trees.items()}
    found: list[str] = []
    for name, tree in sorted(trees.items()):
        others = set().union(*(attrs for other, attrs in own.items() if other != name))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in others - own[name]
                    and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
                found.append(f"{name}: {ast.unparse(node)} (line {node.lineno})")
    return found


def test_no_private_name_is_used_across_modules():
    assert private_uses(PACKAGE) == []
    assert private_attribute_uses(PACKAGE) == []


def test_the_check_sees_each_kind_of_crossing(tmp_path):
    pkg = tmp_path / "empathy_os"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "_helpers.py").write_text("def run(): ...\n")
    (pkg / "sub" / "owner.py").write_text("_TABLE = {}\ndef _fix(): ...\nfrom empathy_os.sub import _helpers\n")
    (pkg / "user.py").write_text(
        "from empathy_os.sub.owner import _TABLE\n"
        "from empathy_os.sub import owner, _helpers\n"
        "def f():\n    return owner._fix()\n")
    assert private_uses(pkg) == [
        "empathy_os.user: from empathy_os.sub.owner import _TABLE",
        "empathy_os.user: from empathy_os.sub import _helpers",
        "empathy_os.user: empathy_os.sub.owner._fix (line 4)",
    ]


def test_the_check_sees_a_private_attribute_of_another_modules_object(tmp_path):
    pkg = tmp_path / "empathy_os"
    pkg.mkdir()
    (pkg / "report.py").write_text("class Report:\n    _ran: bool = False\n    def _seal(self):\n"
                                   "        self._key = 1\n")
    (pkg / "reader.py").write_text(
        "import sys\n"
        "class Own:\n    def __init__(self):\n        self._cache = {}\n"
        "def read(report, other):\n"
        "    sys._getframe()\n"  # not a name our classes declare: a third party's business
        "    other._cache.clear()\n"  # declared here too: not seen without types
        "    return report._ran, report._key, report._seal()\n")
    assert private_attribute_uses(pkg) == [
        "empathy_os.reader: report._ran (line 8)",
        "empathy_os.reader: report._key (line 8)",
        "empathy_os.reader: report._seal (line 8)",
    ]

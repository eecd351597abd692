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


def test_no_private_name_is_used_across_modules():
    assert private_uses(PACKAGE) == []


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

"""The Python versions a project declares it supports, read statically (setup.py is parsed, never run).

Sources, every one that is present: `[project] requires-python` and `classifiers` (pyproject.toml), poetry's
`python` dependency, `python_requires` and `classifiers` in setup.cfg and in setup.py's `setup(...)` call,
and tox's `envlist` (`py27`, `py{35,36}-x`, `pypy` = 2.7). The oldest version any of them admits wins: a
project whose classifiers still list 2.7 supports 2.7 even if a newer `python_requires` forgets to say so.
Specifiers are evaluated with `packaging.specifiers` (`>=2.7, !=3.0.*, !=3.1.*` admits 2.7).

Used by the ruff analyzer (its `--target-version`) and by `fix` (no rewrite the oldest Python cannot run).
"""

from __future__ import annotations

import ast
import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from empathy_os.analyzers.project import read_pyproject

Version = tuple[int, int]
_CANDIDATES: list[Version] = [(2, m) for m in range(8)] + [(3, m) for m in range(20)]
_CLASSIFIER = re.compile(r"Programming Language :: Python :: (\d)(?:\.(\d+))?\s*(?:::.*)?$")
_TOX_ENV = re.compile(r"\b(pypy|py)(\d)?(\d+)?\b")
_POETRY_CARET = re.compile(r"^\s*[\^~](?!=)\s*")


@dataclass
class DeclaredPython:
    oldest: Version | None = None
    sources: list[str] = field(default_factory=list)  # "setup.py classifiers: 2.7", one per source that said

    @property
    def python2(self) -> bool:
        return self.oldest is not None and self.oldest < (3, 0)

    def describe(self) -> str:
        if self.oldest is None:
            return "no declared Python range"
        return f"Python {self.oldest[0]}.{self.oldest[1]} ({'; '.join(self.sources)})"


def oldest_admitted(spec: str) -> Version | None:
    """The oldest X.Y a version specifier admits (any micro release of it counts)."""
    spec = _POETRY_CARET.sub(">=", spec.strip()).replace(" || ", ",")
    try:
        specifiers = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    for major, minor in _CANDIDATES:
        if any(specifiers.contains(f"{major}.{minor}{micro}", prereleases=True) for micro in ("", ".99")):
            return (major, minor)
    return None


def _from_classifiers(classifiers: list[str]) -> Version | None:
    found: list[Version] = []
    for c in classifiers:
        m = _CLASSIFIER.match(str(c).strip())
        if m:  # "Python :: 2" alone still means Python 2; its oldest listed minor, if any, is lower anyway
            found.append((int(m.group(1)), int(m.group(2)) if m.group(2) else (7 if m.group(1) == "2" else 0)))
    return min(found) if found else None


def _from_tox(envlist: str) -> Version | None:
    names = _expand(envlist)
    found: list[Version] = []
    for name in names:
        for kind, major, minor in _TOX_ENV.findall(name):
            if kind == "pypy" and not major:
                found.append((2, 7))
            elif major and minor:
                found.append((int(major), int(minor)))
            elif kind == "py" and major and len(major) == 1 and not minor and major in "23":
                found.append((int(major), 7 if major == "2" else 0))
    return min(found) if found else None


def _expand(envlist: str) -> list[str]:
    """tox's brace expansion: `py{27,36}-{a,b}` -> py27-a, py27-b, py36-a, py36-b."""
    out: list[str] = []
    for item in re.split(r"[,\n](?![^{]*\})", envlist):
        parts = [item.strip()]
        while any("{" in p for p in parts):
            nxt = []
            for p in parts:
                m = re.search(r"\{([^{}]*)\}", p)
                if not m:
                    nxt.append(p)
                    continue
                nxt += [p[:m.start()] + opt.strip() + p[m.end():] for opt in m.group(1).split(",")]
            parts = nxt
        out += [p for p in parts if p]
    return out


def read_ini(path: Path) -> configparser.ConfigParser | None:
    """An INI file (setup.cfg, tox.ini, .flake8, pylintrc) as configparser reads it; None if absent or broken."""
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, configparser.Error):
        return None
    return parser


def _setup_py(path: Path) -> dict[str, object]:
    """`python_requires` and `classifiers` of setup.py's `setup(...)` call, where they are literals (or a
    module-level name bound to a literal)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return {}
    names: dict[str, ast.AST] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            names[stmt.targets[0].id] = stmt.value
    out: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "setup":
            for kw in node.keywords:
                if kw.arg in ("python_requires", "classifiers"):
                    value = names.get(kw.value.id, kw.value) if isinstance(kw.value, ast.Name) else kw.value
                    try:
                        out[kw.arg] = ast.literal_eval(value)
                    except (ValueError, TypeError, SyntaxError, RecursionError):
                        continue
    return out


def declared_python(root: Path) -> DeclaredPython:
    said: list[tuple[Version, str]] = []

    def note(version: Version | None, where: str) -> None:
        if version is not None:
            said.append((version, f"{where}: {version[0]}.{version[1]}"))

    data = read_pyproject(root)
    project = data.get("project", {})
    if isinstance(project.get("requires-python"), str):
        note(oldest_admitted(project["requires-python"]), "requires-python")
    if isinstance(project.get("classifiers"), list):
        note(_from_classifiers(project["classifiers"]), "pyproject.toml classifiers")
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
    if isinstance(poetry, str):
        note(oldest_admitted(poetry), "poetry python")
    cfg = read_ini(root / "setup.cfg")
    if cfg is not None:
        if cfg.has_option("options", "python_requires"):
            note(oldest_admitted(cfg.get("options", "python_requires")), "setup.cfg python_requires")
        if cfg.has_option("metadata", "classifiers"):
            note(_from_classifiers(cfg.get("metadata", "classifiers").splitlines()), "setup.cfg classifiers")
    if (root / "setup.py").is_file():
        setup = _setup_py(root / "setup.py")
        if isinstance(setup.get("python_requires"), str):
            note(oldest_admitted(setup["python_requires"]), "setup.py python_requires")
        if isinstance(setup.get("classifiers"), (list, tuple)):
            note(_from_classifiers(list(setup["classifiers"])), "setup.py classifiers")
    tox = read_ini(root / "tox.ini")
    if tox is not None and tox.has_option("tox", "envlist"):
        note(_from_tox(tox.get("tox", "envlist")), "tox envlist")
    if not said:
        return DeclaredPython()
    oldest = min(v for v, _ in said)
    return DeclaredPython(oldest=oldest, sources=[s for v, s in said if v == oldest])


def ruff_target(declared: DeclaredPython) -> str | None:
    """ruff's `--target-version` for the oldest declared Python (ruff knows py37 and later)."""
    if declared.oldest is None:
        return None
    minor = declared.oldest[1] if declared.oldest[0] == 3 else 7
    return f"py3{max(minor, 7)}"

"""The project's own rules, which a change must keep: its declared Python range (python_range.py), its
declared linters and line length (declared_linters.py), its public names (public_names.py), and code a
comment explains ("# avoid list-comprehension to work around a coverage issue").

Two uses: `screen` leaves out, before anything is proposed, the findings a change could not fix within
those rules, each with the reason (the report lists them as skipped); the engine's checks `python-range`,
`public-names` and `declared-linters` reject any change (a model's too) that breaks them anyway.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from empathy_os.analyzers import failing_tests
from empathy_os.analyzers.contract import Finding
from empathy_os.analyzers.project import is_test_file, read_pyproject
from empathy_os.analyzers.python_range import DeclaredPython, declared_python
from empathy_os.changes import declared_linters as dl
from empathy_os.changes import public_names, py_features
from empathy_os.changes.model import Change, Check

# A comment that says why the code is written the way it is (not a pragma, not a label).
_WHY = re.compile(r"\b(avoid|work[- ]?around|because|intentional(ly)?|deliberate(ly)?|on purpose|must|"
                  r"do(es)? ?n[o']t|never|instead of|so that|in order to|otherwise|compat(ibility|ible)?|"
                  r"python ?[23]|py[23]|backward|legacy|hack|faster|slower|performance|coverage|bug|"
                  r"keep (it|this|the)|required|needed)\b", re.IGNORECASE)
_PRAGMA = re.compile(r"^#\s*(noqa|type:|pragma|nosec|fmt:|pylint:|isort:|ruff:|mypy:|pyright:)", re.IGNORECASE)
_IMPORT_NAME = re.compile(r"`([^`]+)`")
_AUTHORS_ORDER = {"RUF022": "`__all__`", "RUF023": "`__slots__`"}  # often grouped by meaning, not sorted


@dataclass
class ProjectRules:
    root: Path
    python: DeclaredPython
    linters: dl.Declared
    ruff_configured: bool = False
    _users: public_names.Users | None = field(default=None, repr=False)
    _single: bool | None = field(default=None, repr=False)

    @classmethod
    def read(cls, root: Path) -> ProjectRules:
        configured = any((root / n).is_file() for n in ("ruff.toml", ".ruff.toml")) or \
            "ruff" in read_pyproject(root).get("tool", {})
        return cls(root=root, python=declared_python(root), linters=dl.declared_linters(root),
                   ruff_configured=configured)

    def single_name_imports(self) -> bool:
        """Whether the project's own style is one name per `from` import: a module imported from by two or
        more single-name statements in one file far more often than by one statement naming several."""
        if self._single is None:
            split = joined = 0
            for _, tree in self.users().trees():
                seen: dict[str, int] = {}
                for node in tree.body:
                    if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                        if len(node.names) > 1:
                            joined += 1
                        else:
                            key = f"{node.level}{node.module}"
                            seen[key] = seen.get(key, 0) + 1
                split += sum(1 for n in seen.values() if n > 1)
            self._single = split >= 5 and split > 4 * joined
        return self._single

    def users(self) -> public_names.Users:
        if self._users is None:
            self._users = public_names.Users(self.root)
        return self._users


def _comments(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def _statement(tree: ast.Module, line: int) -> tuple[int, int]:
    """Lines of the innermost statement holding `line` (decorators included; of a `def`, `if`, `with`...
    only its header, so a comment deep in its body does not count as explaining the header)."""
    best = (line, line)
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno):
            start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            end = node.end_lineno or node.lineno
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and line < body[0].lineno:
                end = max(line, body[0].lineno - 1)
            if best == (line, line) or start >= best[0]:
                best = (start, end)
    return best


def explanation(source: str, tree: ast.Module, line: int, end_line: int | None = None) -> str | None:
    """The comment beside, or in the comment block right above, the statement at `line` that explains
    why it is written this way; None if there is none."""
    comments = _comments(source)
    start, end = _statement(tree, line)
    end = max(end, end_line or line)
    near = [comments[n] for n in range(start, end + 1) if n in comments]
    lines = source.splitlines()
    n = start - 1
    while n >= 1 and lines[n - 1].strip().startswith("#"):
        near.append(comments.get(n, lines[n - 1].strip()))
        n -= 1
    for text in near:
        if not _PRAGMA.match(text.strip()) and _WHY.search(text):
            return text.strip()
    return None


def _removes(f: Finding, tree: ast.Module) -> list[str]:
    """The names an F401 fix would remove: the import's bound names the message names."""
    named = (_IMPORT_NAME.findall(f.message) or [""])[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno <= f.line <= (node.end_lineno or node.lineno):
            for a in node.names:
                full = f"{node.module}.{a.name}" if isinstance(node, ast.ImportFrom) and node.module else a.name
                bound = a.asname or (a.name.split(".")[0] if isinstance(node, ast.Import) else a.name)
                if named in (full, a.name, bound) or named.endswith("." + a.name):
                    out.append(bound)
    return out


def skip_reason(rules: ProjectRules, f: Finding, source: str | None, tree: ast.Module | None) -> str | None:
    if is_test_file(Path(f.path)):
        return "in the project's tests: fix does not change test files"
    if f.tool == "ruff" and py_features.rule_needs_newer(f.rule, rules.python):
        return f"ruff's {f.rule} fix assumes a newer Python than the project's oldest, {rules.python.describe()}"
    if f.tool == "ruff" and f.rule in _AUTHORS_ORDER and not rules.ruff_configured:
        return (f"{f.rule} would re-sort {_AUTHORS_ORDER[f.rule]}, whose order is the author's; the project has "
                "no ruff config asking for it")
    if f.tool == "ruff" and f.rule.startswith("I") and rules.linters.isort_style:
        return f"the project sorts imports with isort ({rules.linters.isort_style}), not ruff's import order"
    if f.tool == "ruff" and f.rule.startswith("I") and rules.single_name_imports():
        return ("the project writes one name per `from` import (reorder-python-imports / force_single_line "
                "style); ruff's import sorting would merge them")
    if f.tool != "ruff" or tree is None or source is None:
        return None  # a security finding is triaged, not left alone because of a comment
    if f.rule == "F401":
        for name in _removes(f, tree):
            why = public_names.why_kept(rules.users(), f.path, tree, name)
            if why:
                return f"left as it is: {why}"
    why = explanation(source, tree, f.line, f.end_line)
    if why:
        return f"the code is explained by its comment {why!r}: left as written"
    return None


def _repairable(f: Finding) -> str | None:
    """A failing test is the one finding a change may edit a test for (repair.py judges it)."""
    return None if f.symbol else "the test module does not import: a repair edits one test function only"


def screen(rules: ProjectRules, findings: list[Finding], copy: Path) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """(findings a change may target, [(finding, why not)])."""
    kept: list[Finding] = []
    skipped: list[tuple[Finding, str]] = []
    parsed: dict[str, tuple[str | None, ast.Module | None]] = {}
    for f in findings:
        if f.path not in parsed:
            try:
                text = (copy / f.path).read_text(encoding="utf-8")
                parsed[f.path] = (text, ast.parse(text))
            except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
                parsed[f.path] = (None, None)
        why = _repairable(f) if f.tool == failing_tests.NAME else skip_reason(rules, f, *parsed[f.path])
        if why:
            skipped.append((f, why))
        else:
            kept.append(f)
    return kept, skipped


# -- the engine's checks ---------------------------------------------------------------------------------

def _texts(touched: list[str], originals: dict[str, bytes | None], after: dict[str, bytes | None]):
    for p in touched:
        if p.endswith(".py") and originals.get(p) is not None and after.get(p) is not None:
            yield p, originals[p].decode("utf-8", "replace"), after[p].decode("utf-8", "replace")


def text_checks(rules: ProjectRules, change: Change, touched: list[str], originals: dict[str, bytes | None],
                after: dict[str, bytes | None]) -> list[Check]:
    del change  # every kind keeps the project's rules
    rng: list[str] = []
    names: list[str] = []
    for p, old, new in _texts(touched, originals, after):
        rng += [f"{p}: {v}" for v in py_features.violations(old, new, rules.python)]
        names += public_names.removed(old, new, p, rules.users())
    return [
        Check(name="python-range", passed=not rng, measured={"oldest": rules.python.oldest, "violations": rng},
              detail="; ".join(rng) if rng else f"nothing newer than the declared {rules.python.describe()}"),
        Check(name="public-names", passed=not names, measured={"removed": names},
              detail=("removes names other code relies on: " + "; ".join(names)) if names
              else "no name that other code relies on is removed"),
    ]


async def linter_check(rules: ProjectRules, sandbox, trusted: bool, touched: list[str],
                       originals: dict[str, bytes | None], after: dict[str, bytes | None]) -> Check:
    """The declared linters on the touched files, original text vs changed text (the copy holds the change
    when called and holds it again on return)."""
    files = list(_texts(touched, originals, after))
    if not files:
        return dl.check("declared-linters", [], [], [], "no touched Python file")
    new: list[str] = []
    ran: list[str] = []
    missing: list[str] = []
    limit = rules.linters.line_length
    if limit:
        for p, old, text in files:
            extra = await dl.over_long(sandbox.base / "data", text, limit) - await dl.over_long(
                sandbox.base / "data", old, limit)
            new += [f"{p}: line longer than {limit} ({rules.linters.line_length_from}): {t[:60]}" for t in extra]
        ran.append(f"line length {limit} via ruff E501")
    for tool in rules.linters.tools:
        if not trusted:
            missing.append(f"{tool} (workspace not trusted: its config can load project code)")
            continue
        if not await dl.installed(sandbox, tool):
            missing.append(f"{tool} (not installed in the project's environment)")
            continue
        ran.append(tool)
        new += await _tool_news(sandbox, tool, files, originals, after)
    return dl.check("declared-linters", ran, missing, new, f"{len(files)} touched file(s)")


async def _tool_news(sandbox, tool: str, files: list[tuple[str, str, str]], originals: dict[str, bytes | None],
                     after: dict[str, bytes | None]) -> list[str]:
    paths = [p for p, _, _ in files]
    copy = sandbox.copy
    after_lines = {p: new.splitlines() for p, _, new in files}
    before_lines = {p: old.splitlines() for p, old, _ in files}
    now = dl.findings(tool, await dl.run_declared(sandbox, tool, paths), after_lines)
    try:
        for p in paths:
            (copy / p).write_bytes(originals[p])
        was = dl.findings(tool, await dl.run_declared(sandbox, tool, paths), before_lines)
    finally:
        for p in paths:
            (copy / p).write_bytes(after[p])
    return [f"{tool} {path}: {msg} [{text[:60]}]" for (path, text, msg), n in (now - was).items() for _ in range(n)]


def describe(rules: ProjectRules) -> dict[str, object]:
    return {"python": rules.python.describe(), "linters": rules.linters.describe(),
            "line_length": rules.linters.line_length, "line_length_from": rules.linters.line_length_from}


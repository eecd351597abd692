"""Would a maintainer merge what Empathy writes? Real PyPI projects, read the way a reviewer reads a PR.

    .venv/bin/python bench/mergeability_bench.py                     # the pinned projects below
    .venv/bin/python bench/mergeability_bench.py --project tabulate
    .venv/bin/python bench/mergeability_bench.py --pypi attrs==23.2.0  # another sdist (no test deps)

Tests half (issue 26 §1): the offline coverage boost runs on each project (set up as its users work: the
sdist with a `.venv` inside, see coverage_boost_bench.py) and writes its kept tests; then, per project:
- kept tests: test functions in the written files;
- private: the share of them that touch a private name (an `_x` attribute, an import of or from an `_x`
  name), read from the written files by this script's own AST walk, not from Empathy's report;
- types ok: the share whose every literal argument to a project function has a type the project itself
  passes to that parameter (its annotation, its default, or a literal call in the project's tests, docs
  or source), again from this script's own reading of the project;
- mutants killed on the lines the kept tests newly cover (Empathy's mutation step);
- coverage by hand: `coverage run -m pytest` + `coverage report` in the project with its own
  interpreter, before and after the kept tests are written (the figures are coverage.py's TOTAL).
The written tests are removed afterwards.

Fixes half (issue 26 §2, §3; `--half fixes`): `fix --apply` offline (ruff's own fixes, screened by the
project's rules, verified together as one change set) on a copy of each of FIX_PROJECTS — projects of the
Python 2 era with flake8 configs (pycodestyle's 79; B950 with max-line-length 80) and compat modules, their linters
installed in the project's venv as their tox `stylecheck` has them. Per project:
- targeted / in set / applied: findings a change was made for, changes in the verified set, changes the
  one `--apply` run wrote; rejected: changes that failed alone (found by the bisect); runs: verifications
  of combined sets (each at most one suite run); left: findings left as they are with a reason (the
  project's rules, its tests), not counting those that need a model;
- linters: each declared linter installed in the project's venv, run by hand (its own config) on the
  touched files, original → after `--apply`; over-long lines at the declared length likewise;
- range kept: no touched file uses anything its oldest declared Python cannot run (py_features.py, the
  original against the written file).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from coverage_boost_bench import boost, fetch, user_venv

# name, pinned sdist, test dependencies. Projects none of Empathy's tests or other benches use, whose
# gaps sit largely in private helpers (tabulate's _visible_width/_is_file family) or behind one public call.
# (Also tried: inflection 0.5.1 and webcolors 1.13 are at 99-100 %; semver 3.0.2 at 100 %; schema 0.7.5, tomli
# 2.0.1 and prettytable 3.9.0 need test setups beyond a pip install.)
PROJECTS = [
    ("tabulate", "tabulate==0.9.0", []),  # one module, ~60 private helpers behind tabulate(), tests in test/
    ("isodate", "isodate==0.6.1", []),  # src layout, unittest classes, private _strfdt & co
    ("humanize", "humanize==4.9.0", ["freezegun"]),  # src layout, private _format_not_finite & co
    ("wcwidth", "wcwidth==0.2.13", ["pytest-cov"]),  # its tox.ini addopts need pytest-cov; private _bisearch
]
# name, pinned sdist, what its tox lint env installs (+ test deps): the fixes half.
FIX_PROJECTS = [
    ("cachetools", "cachetools==3.1.1", ["flake8"]),  # 2.7; [flake8] with pycodestyle's 79; tox flake8 env
    ("more-itertools", "more-itertools==5.0.0", ["flake8", "six"]),  # 2.7; [flake8] ignore list; six-based compat
    ("click", "click==7.1.2", ["flake8", "flake8-bugbear"]),  # 2.7; [flake8] B9 + max-line-length 80; _compat.py
    ("MarkupSafe", "MarkupSafe==1.1.1", ["flake8", "flake8-bugbear"]),  # 2.7; [flake8] max 80 + B950; _compat.py
]
_LITERALS = (str, bytes, int, float, bool, type(None), list, tuple, dict)


def coverage_by_hand(root: Path, python: str) -> float | None:
    """coverage.py's TOTAL for the project's suite, run by hand in the project."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    data = root / ".coverage.mergeability"
    env["COVERAGE_FILE"] = str(data)
    try:
        subprocess.run([python, "-m", "coverage", "run", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                       cwd=root, env=env, capture_output=True, check=False, timeout=900)
        out = subprocess.run([python, "-m", "coverage", "report"], cwd=root, env=env, capture_output=True,
                             text=True, check=False, timeout=300).stdout
    finally:
        data.unlink(missing_ok=True)
    total = re.search(r"^TOTAL\s.*?(\d+(?:\.\d+)?)%\s*$", out, re.MULTILINE)
    return float(total.group(1)) if total else None


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def touches_private(fn: ast.FunctionDef, imports: list[ast.stmt]) -> bool:
    for node in [*ast.walk(fn), *imports]:
        if isinstance(node, ast.Attribute) and _private(node.attr):
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(_private(part) for name in names for part in name.split(".")):
                return True
    return False


class Usage:
    """Per function name and parameter: the argument types the project itself uses (annotation names,
    defaults, literal arguments of calls in its tests, docs and source)."""

    def __init__(self, root: Path, skip: set[Path]):
        self.params: dict[str, list[str]] = {}
        self.types: dict[tuple[str, str], set[str]] = {}
        files = [p for p in root.rglob("*.py") if ".venv" not in p.parts and p not in skip]
        trees = []
        for path in files:
            try:
                trees.append(ast.parse(path.read_text(encoding="utf-8")))
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._define(node)
                elif isinstance(node, ast.ClassDef):
                    init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
                    if init is not None:
                        self._define(init, node.name)
        for tree in trees:
            self._calls(tree)
        docs = [p.read_text(encoding="utf-8", errors="replace") for p in
                [*root.glob("*.rst"), *root.glob("*.md"), *root.glob("docs/*.rst"), *root.glob("docs/*.md")]]
        docs += [ast.get_docstring(n) or "" for tree in trees for n in ast.walk(tree)  # doctests in docstrings
                 if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
        for text in docs:
            for line in text.splitlines():
                if line.strip().startswith(">>> "):
                    try:
                        self._calls(ast.parse(line.strip()[4:]))
                    except SyntaxError:
                        continue

    def _define(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, name: str | None = None) -> None:
        args = [a for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs] if a.arg not in ("self", "cls")]
        key = name or fn.name
        self.params.setdefault(key, [a.arg for a in args])
        for a in args:
            if a.annotation is not None:
                self.types.setdefault((key, a.arg), set()).update(
                    t for t in ("str", "bytes", "int", "float", "bool", "None", "list", "tuple", "dict")
                    if re.search(rf"\b{t}\b", ast.unparse(a.annotation)))
        positional = [*fn.args.posonlyargs, *fn.args.args]
        for a, d in zip(positional[len(positional) - len(fn.args.defaults):], fn.args.defaults):
            self._note(key, a.arg, d)
        for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults):
            if d is not None:
                self._note(key, a.arg, d)

    def _note(self, func: str, param: str, node: ast.expr) -> None:
        kind = _literal_type(node)
        if kind:
            self.types.setdefault((func, param), set()).add(kind)

    def _calls(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called(node)
            params = self.params.get(name or "")
            if not params:
                continue
            for param, arg in [*zip(params, node.args), *((k.arg, k.value) for k in node.keywords if k.arg)]:
                self._note(name, param, arg)

    def matches(self, call: ast.Call) -> bool | None:
        """Whether every literal argument's type is one the project uses there (None: nothing to judge)."""
        name = _called(call)
        params = self.params.get(name or "")
        if params is None:
            return None
        judged = []
        for param, arg in [*zip(params, call.args), *((k.arg, k.value) for k in call.keywords if k.arg)]:
            kind = _literal_type(arg)
            if kind is not None:
                judged.append(kind in self.types.get((name, param), set()))
        return all(judged) if judged else None


def _called(call: ast.Call) -> str | None:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def _literal_type(node: ast.expr) -> str | None:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    kind = type(value)
    return ("None" if value is None else kind.__name__) if kind in _LITERALS else None


def review(root: Path, written: list[str], top: set[str]) -> dict[str, int]:
    """Kept test functions, those touching a private name, those whose literal arguments all match."""
    usage = Usage(root, {root / w for w in written})
    tests = private = typed = 0
    for rel in written:
        tree = ast.parse((root / rel).read_text(encoding="utf-8"))
        imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]
        for fn in functions:
            tests += 1
            private += touches_private(fn, imports)
            verdicts = [usage.matches(c) for c in ast.walk(fn) if isinstance(c, ast.Call) and _on_project(c, top)]
            typed += all(v is not False for v in verdicts)
    return {"tests": tests, "private": private, "typed": typed}


def _on_project(call: ast.Call, top: set[str]) -> bool:
    node = call.func
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return isinstance(node, ast.Name) and node.id in top


def tests_columns(label: str, root: Path, python: str, keep: Path | None = None, only: str | None = None) -> list[str]:
    """The tests half of a row: kept tests, private share, type-match share, mutants killed, coverage by hand.
    `keep`: a folder the written test files are copied to (to read them) before they are removed."""
    before = coverage_by_hand(root, python)
    report, _ = asyncio.run(boost(root, None, only))
    written = list(report.written)
    try:
        if report.refused:
            return [label, "-", "-", "-", "-", f"refused: {report.refused[:60]}"]
        tops = {g.module.split(".")[0] for g in report.gaps}
        seen = review(root, written, tops)
        after = coverage_by_hand(root, python) if written else before
        for rel in written if keep else []:
            copy = keep / re.sub(r"[^\w.=-]+", "_", label) / rel
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text((root / rel).read_text(encoding="utf-8"), encoding="utf-8")
    finally:
        for rel in written:
            (root / rel).unlink(missing_ok=True)
    totals = report.mutation_totals()
    n = seen["tests"]
    share = (lambda k: f"{seen[k]}/{n} ({seen[k] / n:.0%})") if n else (lambda k: "-")
    killed = f"{totals['mutants_killed']}/{totals['mutants_made']}" if totals["mutants_made"] else "-"
    fmt = (lambda v: "?" if v is None else f"{v:.0f}%")
    return [label, str(n), share("private"), share("typed"), killed, f"{fmt(before)} → {fmt(after)}"]


TESTS_HEADER = ["project", "kept tests", "touch private", "arg types as project", "mutants killed",
                "coverage by hand"]


def linter_counts(python: str, root: Path, files: list[str], tools: list[str]) -> dict[str, int | None]:
    """Findings of each declared linter on `files` in `root`, run by hand (None: not installed there)."""
    args = {"flake8": ["--exit-zero"], "black": ["--check", "--diff"], "isort": ["--check-only", "--diff"],
            "pylint": ["--persistent=n", "--score=n", "--exit-zero"], "mypy": ["--no-incremental"], "pycodestyle": []}
    out: dict[str, int | None] = {}
    for tool in tools:
        if subprocess.run([python, "-c", f"import {tool}"], capture_output=True, check=False).returncode != 0:
            out[tool] = None
            continue
        run = subprocess.run([python, "-m", tool, *args[tool], *files], cwd=root, capture_output=True, text=True,
                             check=False)
        out[tool] = sum(1 for line in run.stdout.splitlines() if re.match(r"^[^:\s]+:\d+:", line))
    return out


def fixes_columns(label: str, root: Path, python: str, diffs: Path | None = None) -> list[str]:
    """The fixes half of a row, from `fix --apply` on a copy of `root` (the project is not written)."""
    from empathy_os.changes import py_features
    from empathy_os.changes.declared_linters import over_long
    from empathy_os.changes.project_rules import ProjectRules
    from empathy_os.changes.workflow import run_fix

    rules = ProjectRules.read(root)
    with tempfile.TemporaryDirectory(prefix="mergeability-fix-") as tmp:
        copy = Path(tmp) / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".venv", "__pycache__", "*.egg-info"))
        env_key = os.environ.pop("ANTHROPIC_API_KEY", None)  # offline: ruff's own fixes only
        try:
            report = asyncio.run(run_fix(copy, agents=["code_reviewer"], apply=True, python=python))
        finally:
            if env_key is not None:
                os.environ["ANTHROPIC_API_KEY"] = env_key
        touched = sorted(report.change_set.verdict.touched) if report.change_set and report.applied else []
        tools = list(rules.linters.tools)
        before = linter_counts(python, root, touched, tools) if touched else {}
        after = linter_counts(python, copy, touched, tools) if touched else {}
        texts = {p: ((root / p).read_text(encoding="utf-8"), (copy / p).read_text(encoding="utf-8")) for p in touched}
        if diffs and report.change_set:
            diffs.mkdir(parents=True, exist_ok=True)
            (diffs / f"{label}.diff").write_text(report.change_set.change.diff, encoding="utf-8")
        limit = rules.linters.line_length
        if limit and touched:
            scratch = Path(tmp) / "probe"
            scratch.mkdir()
            longs = [sum(asyncio.run(over_long(scratch, t[i], limit)).values()) for t in texts.values() for i in (0, 1)]
            before[f"lines > {limit}"], after[f"lines > {limit}"] = sum(longs[0::2]), sum(longs[1::2])
    broken = [v for old, new in texts.values() for v in py_features.violations(old, new, rules.python)]
    left = sum(1 for _, why in report.skipped if "needs a model" not in why)
    lint = ", ".join(f"{t} {before[t]} → {after[t]}" if before[t] is not None else f"{t}: not installed"
                     for t in before) or ("none declared" if not rules.linters.tools else "no file touched")
    oldest = rules.python.oldest
    return [label, "-" if oldest is None else f"{oldest[0]}.{oldest[1]}", str(len(report.targeted)),
            str(len(report.change_set.ids) if report.change_set else 0), str(len(report.applied)),
            str(sum(1 for r in report.results if not r.verdict.verified)), str(report.verification_runs),
            str(left), lint, "yes" if not broken else f"NO: {broken[0][:50]}"]


FIXES_HEADER = ["project", "oldest Python", "targeted", "in set", "applied", "rejected", "runs", "left",
                "declared linters on touched files (by hand)", "range kept"]


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", action="append", choices=[p[0] for p in [*PROJECTS, *FIX_PROJECTS]])
    parser.add_argument("--pypi", action="append", default=[], metavar="NAME==VERSION[:FILE]",
                        help="another sdist (no test dependencies), optionally only one of its files")
    parser.add_argument("--half", choices=["tests", "fixes", "both"], default="both")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "empathy-boost-bench")
    parser.add_argument("--keep", type=Path, help="copy the written tests here, per project, to read them")
    parser.add_argument("--diffs", type=Path, help="write each project's applied change set here")
    args = parser.parse_args()
    extra = [(s, s.partition(":")[0], []) for s in args.pypi]
    only = {s.partition(":")[0]: s.partition(":")[2] or None for s in args.pypi}  # tests half: one file
    for half, projects, header, columns in (
            ("tests", PROJECTS, TESTS_HEADER,
             lambda spec, root, py: tests_columns(spec, root, py, args.keep, only.get(spec))),
            ("fixes", FIX_PROJECTS, FIXES_HEADER, lambda spec, root, py: fixes_columns(spec, root, py, args.diffs))):
        if args.half not in (half, "both"):
            continue
        chosen = [p for p in projects if not args.project or p[0] in args.project] + extra
        rows = []
        for name, spec, deps in chosen:
            print(f"{name} ({spec}) ...", file=sys.stderr)
            root = fetch(spec, args.cache)
            rows.append(columns(spec, root, user_venv(root, deps)))
        if rows:
            _table(header, rows)
            print()
    print(f"machine: {os.cpu_count()} CPU(s). Tests: the offline boost (no model), target 100 %, every kept test "
          "written; private / types read from the written files by this script; coverage by hand = "
          "`coverage run -m pytest` + `coverage report` TOTAL in the project, before → after. Fixes: "
          "`fix --apply` offline on a copy; linters run by hand with the project's own config.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

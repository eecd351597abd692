"""Checks 2-4 of the verification engine (engine.py): they read the touched files' text before and after
the change and run nothing, so they come before the analyzers and the test suite."""

from __future__ import annotations

from pathlib import Path

from empathy_os.analyzers.project import is_test_file
from empathy_os.changes import measure, repair_rules
from empathy_os.changes.model import Change, ChangeKind, Check, Region
from empathy_os.changes.patch import changed_lines

Texts = dict[str, bytes | None]  # path -> content (None: the file does not exist on that side)


def scope(change: Change, touched: list[str], originals: dict[str, bytes | None],
          after: dict[str, bytes | None]) -> Check:
    allowed = set(change.files) if change.files is not None else None
    outside = [p for p in touched if allowed is not None and p not in allowed]
    if outside:
        return Check(name="scope", passed=False, measured={"outside": outside},
                     detail=f"edits {', '.join(outside)}, which it does not claim "
                            f"(allowed: {', '.join(sorted(allowed)) or 'none'})")
    for region_path in sorted({r.path for r in change.regions or []}.intersection(touched)):
        regions = [r for r in change.regions if r.path == region_path]
        failed = _outside_regions(region_path, regions, _text(originals[region_path]), _text(after[region_path]))
        if failed is not None:
            return failed
    return Check(name="scope", passed=True, detail="touches only the files and lines it claims",
                 measured={"files": touched})


def _outside_regions(path: str, regions: list[Region], old: str, new: str) -> Check | None:
    """The failed scope check for the first edit of `path` outside its claimed lines, or None."""
    for first, last, inserted in changed_lines(old, new):
        if not any(_inside(r, first, last, inserted) for r in regions):
            spans = ", ".join(f"{r.start}-{r.end}" for r in regions)
            return Check(name="scope", passed=False, measured={"lines": [first, last]},
                         detail=f"edits {path} lines {first}-{last}, outside the claimed lines {spans}")
    return None


def _inside(region: Region, first: int, last: int, inserted: bool) -> bool:
    if inserted:  # an insertion after line k sits between k and k+1: right before a region's first line counts
        return region.start - 1 <= first <= region.end
    return region.start <= first and last <= region.end


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def parses(touched: list[str], after: dict[str, bytes | None]) -> Check:
    errors = []
    for p in touched:
        data = after.get(p)
        err = measure.parse_error(data.decode("utf-8", "replace"), p) if p.endswith(".py") and data else None
        if err is not None:
            errors.append(err)
    return Check(name="parses", passed=not errors,
                 detail=("does not parse: " + "; ".join(errors)) if errors else "every touched Python file parses")


def kind_checks(change: Change, touched: list[str], originals: dict[str, bytes | None],
                after: dict[str, bytes | None]) -> list[Check]:
    """The rules of the change's kind (none for fixes and patches: the suite decides)."""
    rule = _KIND_RULES.get(change.kind)
    return rule(change, touched, originals, after) if rule is not None else []


def _python_texts(touched: list[str], originals: Texts, after: Texts) -> tuple[dict[str, str], dict[str, str]]:
    """(before, after) text of the touched Python files that exist on both sides."""
    py = [p for p in touched if p.endswith(".py") and originals.get(p) is not None and after.get(p) is not None]
    return {p: _text(originals[p]) for p in py}, {p: _text(after[p]) for p in py}


def _ast_unchanged(change: Change, touched: list[str], originals: Texts, after: Texts) -> list[Check]:
    """docstring: the AST with docstrings removed is identical; nosec: the AST is identical."""
    old, new = _python_texts(touched, originals, after)
    strip = change.kind == ChangeKind.DOCSTRING
    differs = [p for p in old if measure.ast_dump(old[p], strip) != measure.ast_dump(new[p], strip)]
    what = "with docstrings removed" if strip else "(comments only)"
    return [Check(name="ast-unchanged", passed=not differs and len(old) == len(touched),
                  detail=(f"code changed {what}: {', '.join(differs)}" if differs
                          else f"AST identical {what} in {len(old)} file(s)"))]


def _new_tests_only(change: Change, touched: list[str], originals: Texts, after: Texts) -> list[Check]:
    old_files = [p for p in touched if originals.get(p) is not None]
    not_tests = [p for p in touched if not (p.endswith(".py") and is_test_file(Path(p)))]
    if old_files:
        detail = f"changes existing file(s) {', '.join(old_files)}"
    elif not_tests:
        detail = f"adds non-test file(s) {', '.join(not_tests)}"
    else:
        detail = f"adds {len(touched)} new test file(s) and changes nothing else"
    return [Check(name="new-tests-only", passed=not old_files and not not_tests,
                  measured={"existing": old_files, "not_tests": not_tests}, detail=detail)]


def _refactor(change: Change, touched: list[str], originals: Texts, after: Texts) -> list[Check]:
    """Public signatures unchanged; the claimed function's radon complexity lower."""
    old, new = _python_texts(touched, originals, after)
    moved = [p for p in old if measure.public_signatures(old[p]) != measure.public_signatures(new[p])]
    out = [Check(name="signatures", passed=not moved,
                 detail=(f"public signatures changed in {', '.join(moved)}" if moved
                         else "public signatures unchanged"))]
    if change.symbol and change.files:
        p = change.files[0]
        a = measure.complexity(old.get(p, ""), change.symbol)
        b = measure.complexity(new.get(p, ""), change.symbol)
        out.append(Check(name="complexity", passed=a is not None and b is not None and b < a,
                         measured={"before": a, "after": b},
                         detail=f"radon cyclomatic complexity of {change.symbol}: {a} → {b}"))
    return out


_KIND_RULES = {ChangeKind.DOCSTRING: _ast_unchanged, ChangeKind.NOSEC: _ast_unchanged,
               ChangeKind.TESTS: _new_tests_only, ChangeKind.REFACTOR: _refactor,
               ChangeKind.REPAIR: repair_rules.not_weakened}

"""Checks 2-4 of the verification engine (engine.py): they read the touched files' text before and after
the change and run nothing, so they come before the analyzers and the test suite."""

from __future__ import annotations

from pathlib import Path

from empathy_os.analyzers.project import is_test_file
from empathy_os.changes import measure
from empathy_os.changes.model import Change, ChangeKind, Check
from empathy_os.changes.patch import changed_lines


def scope(change: Change, touched: list[str], originals: dict[str, bytes | None],
          after: dict[str, bytes | None]) -> Check:
    allowed = set(change.files) if change.files is not None else None
    outside = [p for p in touched if allowed is not None and p not in allowed]
    if outside:
        return Check(name="scope", passed=False, measured={"outside": outside},
                     detail=f"edits {', '.join(outside)}, which it does not claim "
                            f"(allowed: {', '.join(sorted(allowed)) or 'none'})")
    for region_path in {r.path for r in change.regions or []}:
        regions = [r for r in change.regions if r.path == region_path]
        if region_path not in touched:
            continue
        old = (originals[region_path] or b"").decode("utf-8", "replace")
        new = (after[region_path] or b"").decode("utf-8", "replace")
        for first, last, inserted in changed_lines(old, new):
            # An insertion after line k sits between k and k+1: right before a region's first line counts.
            inside = any(r.start - 1 <= first <= r.end if inserted else r.start <= first and last <= r.end
                         for r in regions)
            if not inside:
                spans = ", ".join(f"{r.start}-{r.end}" for r in regions)
                return Check(name="scope", passed=False, measured={"lines": [first, last]},
                             detail=f"edits {region_path} lines {first}-{last}, outside the claimed "
                                    f"lines {spans}")
    return Check(name="scope", passed=True, detail="touches only the files and lines it claims",
                 measured={"files": touched})


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
    py = [p for p in touched if p.endswith(".py") and originals.get(p) is not None and after.get(p) is not None]
    old = {p: originals[p].decode("utf-8", "replace") for p in py}
    new = {p: after[p].decode("utf-8", "replace") for p in py}
    if change.kind in (ChangeKind.DOCSTRING, ChangeKind.NOSEC):
        strip = change.kind == ChangeKind.DOCSTRING
        differs = [p for p in py if measure.ast_dump(old[p], strip) != measure.ast_dump(new[p], strip)]
        what = "with docstrings removed" if strip else "(comments only)"
        return [Check(name="ast-unchanged", passed=not differs and len(py) == len(touched),
                      detail=(f"code changed {what}: {', '.join(differs)}" if differs
                              else f"AST identical {what} in {len(py)} file(s)"))]
    if change.kind == ChangeKind.TESTS:
        old_files = [p for p in touched if originals.get(p) is not None]
        not_tests = [p for p in touched if not (p.endswith(".py") and is_test_file(Path(p)))]
        return [Check(name="new-tests-only", passed=not old_files and not not_tests,
                      measured={"existing": old_files, "not_tests": not_tests},
                      detail=(f"changes existing file(s) {', '.join(old_files)}" if old_files else
                              f"adds non-test file(s) {', '.join(not_tests)}" if not_tests else
                              f"adds {len(touched)} new test file(s) and changes nothing else"))]
    if change.kind == ChangeKind.REFACTOR:
        out = []
        moved = [p for p in py if measure.public_signatures(old[p]) != measure.public_signatures(new[p])]
        out.append(Check(name="signatures", passed=not moved,
                         detail=(f"public signatures changed in {', '.join(moved)}" if moved
                                 else "public signatures unchanged")))
        if change.symbol and change.files:
            p = change.files[0]
            a = measure.complexity(old.get(p, ""), change.symbol)
            b = measure.complexity(new.get(p, ""), change.symbol)
            ok = a is not None and b is not None and b < a
            out.append(Check(name="complexity", passed=ok, measured={"before": a, "after": b},
                             detail=f"radon cyclomatic complexity of {change.symbol}: {a} → {b}"))
        return out
    return []

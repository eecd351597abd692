"""code_reviewer, offline: ruff's own fixes for the findings ruff can fix, computed in the private copy.

Per file, ruff is run in the copy with `--fix-only --select <the file's fixable rules>` and the project's
ruff configuration (or the analyzer's default rule set without one); the fixed text becomes a diff and
the file is put back. Safe fixes first; findings whose only fix ruff marks unsafe get a second, separate
change made with `--unsafe-fixes`, so a risky edit never rides along with a safe one. Every change then
goes through the verifier like any other. The project itself is never written.
"""

from __future__ import annotations

import json
from collections import defaultdict

from empathy_os.analyzers import run_analyzer
from empathy_os.analyzers._util import dist_version
from empathy_os.analyzers.contract import Finding, Severity
from empathy_os.analyzers.project import rel, test_files
from empathy_os.analyzers.ruff import READ_ONLY, config_args, target_args
from empathy_os.changes.engine import Verifier
from empathy_os.changes.model import Change, ChangeKind, Region
from empathy_os.changes.patch import make_diff
from empathy_os.proc import run_tool, tool_bin

AGENT = "code_reviewer"


def _args_without_select(args: list[str]) -> list[str]:
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "--select":
            skip = True
            continue
        out.append(a)
    return out


async def _applicability(verifier: Verifier, paths: list[str]) -> dict[tuple[str, int, int, str], str]:
    """(path, row, column, rule) -> "safe" | "unsafe" | "display-only" for every fix ruff offers."""
    # At the project's oldest Python: a finding whose fix needs a newer one gets no fix (it is left out).
    cmd = [tool_bin("ruff"), "check", "--output-format", "json", *READ_ONLY, "--exit-zero",
           *config_args(verifier.copy_ctx), *target_args(verifier.copy_ctx), *paths]
    run = await run_tool(cmd, verifier.sandbox.copy, timeout=300)
    prefix = str(verifier.sandbox.copy) + "/"
    out = {}
    for r in json.loads(run.stdout or "[]"):
        if r.get("fix"):
            loc = r.get("location") or {}
            key = (r["filename"].removeprefix(prefix), int(loc.get("row") or 1), loc.get("column"), r.get("code"))
            out[key] = r["fix"].get("applicability") or "safe"
    return out


async def current_findings(verifier: Verifier) -> list[Finding]:
    """ruff's findings on the copy (= the project when the verifier opened), as the ruff analyzer reports them."""
    result = await run_analyzer("ruff", verifier.copy_ctx)
    if not result.ran:
        raise RuntimeError(f"ruff could not run: {result.error}")
    return result.findings


async def test_file_findings(verifier: Verifier) -> list[Finding]:
    """ruff's findings in the project's test files, with the analyzer's rules and target (the analyzer
    measures sources only; `fix` lists these as skipped rather than leave them unsaid)."""
    ctx = verifier.copy_ctx
    files = [rel(ctx, p) for p in test_files(ctx)]
    if not files:
        return []
    cmd = [tool_bin("ruff"), "check", "--output-format", "json", *READ_ONLY, "--exit-zero",
           *config_args(ctx), *target_args(ctx), *files]
    run = await run_tool(cmd, verifier.sandbox.copy, timeout=300)
    return [Finding(tool="ruff", rule=r.get("code") or "syntax-error", severity=Severity.LOW,
                    path=rel(ctx, r["filename"]), line=max(1, int((r.get("location") or {}).get("row") or 1)),
                    message=r.get("message", "")) for r in json.loads(run.stdout or "[]")]


async def propose(verifier: Verifier, findings: list[Finding]) -> tuple[list[Change], list[Finding]]:
    """Changes for the fixable findings among `findings`; returns (changes, findings ruff cannot fix)."""
    fixable = [f for f in findings if f.tool == "ruff" and f.extra.get("fixable")]
    unfixable = [f for f in findings if f.tool == "ruff" and not f.extra.get("fixable")]
    if not fixable:
        return [], unfixable
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in fixable:
        by_file[f.path].append(f)
    apply_kind = await _applicability(verifier, sorted(by_file))
    changes: list[Change] = []
    for path, items in sorted(by_file.items()):
        groups: dict[str, list[Finding]] = {"safe": [], "unsafe": []}
        for f in items:
            kind = apply_kind.get((path, f.line, f.column, f.rule), "display-only")
            if kind in groups:
                groups[kind].append(f)
            else:
                unfixable.append(f)  # a fix ruff only displays, never applies
        for kind, group in groups.items():
            if group:
                change = await _fix_file(verifier, path, group, unsafe=kind == "unsafe")
                if change is None:
                    unfixable.extend(group)
                else:
                    changes.append(change)
    return changes, unfixable


async def _rule_counts(verifier: Verifier, path: str) -> dict[str, tuple[int, int]]:
    """rule -> (findings, fixable findings) that ruff reports on `path` in the copy as it is now."""
    cmd = [tool_bin("ruff"), "check", "--output-format", "json", *READ_ONLY, "--exit-zero",
           *config_args(verifier.copy_ctx), path]
    run = await run_tool(cmd, verifier.sandbox.copy, timeout=300)
    counts: dict[str, tuple[int, int]] = {}
    for r in json.loads(run.stdout or "[]"):
        n, fixable = counts.get(r.get("code") or "", (0, 0))
        counts[r.get("code") or ""] = (n + 1, fixable + (1 if r.get("fix") else 0))
    return counts


def _follow_ups(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]], rules: list[str],
                own_import_style: bool) -> list[str]:
    """Fixable rules with more findings after the fix than before (not import sorting, where the project
    sorts imports its own way)."""
    return sorted(r for r, (n, fixable) in after.items()
                  if r not in rules and fixable and n > before.get(r, (0, 0))[0]
                  and not (r.startswith("I") and own_import_style))


async def _fix_file(verifier: Verifier, path: str, findings: list[Finding], unsafe: bool) -> Change | None:
    """ruff's fix for `findings` in one file. A fix can leave a finding of another rule behind (removing
    an import unsorts the block: I001); such follow-up findings that ruff can fix join the selection, up
    to 3 rounds, so the change does not trade one finding for another."""
    rules = sorted({f.rule for f in findings})
    args = _args_without_select(config_args(verifier.copy_ctx)) + target_args(verifier.copy_ctx)
    target = verifier.sandbox.copy / path
    # A project that sorts its imports its own way (isort config, one name per `from` import) does not get
    # ruff's import order as a follow-up either.
    own_import_style = bool(verifier.rules.linters.isort_style) or verifier.rules.single_name_imports()
    async with verifier.exclusive():
        before = target.read_text(encoding="utf-8")
        try:
            counts_before = await _rule_counts(verifier, path)
            for _ in range(3):
                flags = ["--fix-only", "--no-cache", "--exit-zero", "--select", ",".join(rules)]
                if unsafe:
                    flags.append("--unsafe-fixes")
                target.write_text(before, encoding="utf-8")
                await run_tool([tool_bin("ruff"), "check", *flags, *args, path], verifier.sandbox.copy, timeout=300)
                after = target.read_text(encoding="utf-8")
                counts_after = await _rule_counts(verifier, path)
                follow = _follow_ups(counts_before, counts_after, rules, own_import_style)
                if not follow:
                    break
                rules = sorted({*rules, *follow})
        finally:
            target.write_text(before, encoding="utf-8")
    diff = make_diff(path, before, after)
    if not diff:
        return None
    targeted = sorted({f.rule for f in findings})
    how = f"{dist_version('ruff')} --fix-only{' --unsafe-fixes' if unsafe else ''} --select {','.join(rules)}"
    names = ", ".join(f"{f.rule} line {f.line}" for f in findings)
    extra = [r for r in rules if r not in targeted]
    return Change(
        id=f"ruff:{path}:{','.join(targeted)}{':unsafe' if unsafe else ''}",
        agent=AGENT, kind=ChangeKind.FIX, diff=diff, findings=findings, files=[path],
        regions=[Region(path=path, start=1, end=max(1, len(before.splitlines())))],
        description=f"ruff's {'unsafe ' if unsafe else ''}fix for {names}"
        + (f" (with {', '.join(extra)}, which that fix would otherwise leave behind)" if extra else ""),
        source=how,
    )

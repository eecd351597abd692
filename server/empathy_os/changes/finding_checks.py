"""Check 5 of the verification engine (engine.py): the findings of the touched source files, before the
change (on the unchanged copy) against after it. Pure: the engine runs the analyzers and passes both sides."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from empathy_os.analyzers.contract import Finding
from empathy_os.changes import measure
from empathy_os.changes.model import Check

Before = dict[str, dict[str, Counter[measure.Key]]]  # analyzer -> path -> keys of its findings
After = dict[str, list[Finding]]  # analyzer -> its findings on the changed files


def finding_gone(targets: list[tuple[Finding, measure.Key]], before: Before, after: After, copy: Path) -> Check:
    """Each claimed finding is reported fewer times than before (at most zero times when it was not there)."""
    left = []
    for f, key in targets:
        tool = f.tool  # an analyzer's findings carry its registry name (AnalyzerSpec.name)
        old = before.get(tool, {}).get(f.path, Counter())
        new = measure.keys([g for g in after.get(tool, []) if g.path == f.path], copy)
        if new[key] >= max(1, old[key]):
            left.append(f)
    text = "; ".join(f"{f.rule} {f.path}:{f.line}" for f in left)
    return Check(name="finding-gone", passed=not left,
                 detail=f"{len(targets) - len(left)} of {len(targets)} claimed finding(s) gone"
                 + (f"; still reported: {text}" if left else ""),
                 measured={"gone": len(targets) - len(left), "left": len(left)})


def no_new_findings(tools: tuple[str, ...], before: Before, after: After, live: list[str], copy: Path) -> Check:
    """`tools` report nothing on the touched source files (`live`) that they did not report before."""
    new_findings: list[str] = []
    for tool in (t for t in tools if t in before):
        for p in live:
            fresh = [g for g in after.get(tool, []) if g.path == p]
            new_findings += [f"{g.tool} {g.rule} {g.path}:{g.line} {g.message}"
                             for g in _new_on(before[tool].get(p, Counter()), fresh, copy)]
    return Check(name="no-new-findings", passed=not new_findings,
                 detail=("new: " + "; ".join(new_findings[:10])) if new_findings
                 else f"bandit and ruff report nothing new on {len(live)} touched source file(s)",
                 measured={"new": new_findings})


def _new_on(old: Counter[measure.Key], fresh: list[Finding], copy: Path) -> list[Finding]:
    """The findings of one file beyond those it had before (matched by key, not line)."""
    extra = measure.keys(fresh, copy) - old
    anchors: dict = {}
    out = []
    for g in fresh:
        k = measure.finding_key(g, copy, anchors)
        if extra[k] > 0:
            extra[k] -= 1
            out.append(g)
    return out


def fewer_missing_docstrings(before: Before, after: After) -> Check:
    old_n = sum(sum(v.values()) for v in before["docstrings"].values())
    new_n = len(after.get("docstrings", []))
    return Check(name="docstrings", passed=new_n < old_n,
                 detail=f"interrogate: {old_n} → {new_n} missing docstring(s) in the touched files",
                 measured={"missing_before": old_n, "missing_after": new_n})

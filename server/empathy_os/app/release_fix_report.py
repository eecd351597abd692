"""The text of a release fix: per gate before → after (measured on a copy holding the change set), and
every change with its evidence, grouped by the gate it works on."""

from __future__ import annotations

from typing import Any

# What a change proved, in the order a reviewer asks: the finding is gone, the tests pass, coverage rose.
_EVIDENCE = ("finding-gone", "docstrings", "coverage-gain", "tests", "no-new-findings")


def _evidence(change: dict[str, Any]) -> str:
    checks = change.get("measurements") or {}
    shown = [f"{name}: {checks[name]['detail'].splitlines()[0]}" for name in _EVIDENCE
             if checks.get(name, {}).get("passed") and checks[name].get("detail")]
    return "; ".join(shown[:3])


def render(fix: dict[str, Any], before: Any, *, applied: bool) -> str:
    lines = ["", "RELEASE FIX (one plan for the failed gates; each change verified in a private copy)"]
    plan = fix.get("plan")
    if plan:
        lines.append(f"  team: {', '.join(fix['agents'])} ({plan['strategy']})")
    changes = fix.get("changes", [])
    for gate in dict.fromkeys(c.get("gate") for c in changes):
        mine = [c for c in changes if c.get("gate") == gate]
        lines.append(f"  {gate or 'other'}:")
        for c in mine:
            head = "VERIFIED" if c["verified"] else "REJECTED"
            detail = _evidence(c) if c["verified"] else "; ".join(c.get("reasons") or [])[:300]
            lines.append(f"    [{head}] {c['description']}" + (f" — {detail}" if detail else ""))
    skipped = fix.get("skipped") or []
    if skipped:
        rules = sorted({s["rule"] for s in skipped})
        lines.append(f"  needs a model (set ANTHROPIC_API_KEY): {len(skipped)} finding(s) ({', '.join(rules)})")
    after = fix.get("gates_after")
    if after is not None:
        old = {g.name: g for g in before.gates}
        lines.append("  gates with the verified set applied (release prep on a copy):")
        for g in after["gates"]:
            was = old.get(g["name"])
            mark = "PASS" if g["passed"] else ("FAIL" if g["critical"] else "WARN")
            lines.append(f"    [{mark}] {g['name']}: {was.actual if was else 'n/a'} → {g['actual']} "
                         f"(threshold {g['threshold']})")
        verdict = "APPROVED" if after["approved"] else "NOT APPROVED"
        lines.append(f"  with the set: {verdict}")
    lines += [f"  note: {n}" for n in fix.get("notes", [])]
    if fix.get("learning"):
        lines.append(f"  learning: {fix['learning']}")
    if applied:
        lines.append(f"  written: {', '.join(fix.get('applied') or []) or 'nothing'}")
        lines += [f"  refused {cid}: {why}" for cid, why in (fix.get("refused") or {}).items()]
    else:
        lines.append("  nothing written (add --apply to write the verified set)")
    return "\n".join(lines)

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


def _changes(fix: dict[str, Any]) -> list[str]:
    changes = fix.get("changes", [])
    lines = []
    for gate in dict.fromkeys(c.get("gate") for c in changes):
        lines.append(f"  {gate or 'other'}:")
        for c in (c for c in changes if c.get("gate") == gate):
            head = "VERIFIED" if c["verified"] else "REJECTED"
            detail = _evidence(c) if c["verified"] else "; ".join(c.get("reasons") or [])[:300]
            lines.append(f"    [{head}] {c['description']}" + (f" — {detail}" if detail else ""))
    return lines


def _skipped(fix: dict[str, Any]) -> list[str]:
    skipped = fix.get("skipped") or []
    model = [s for s in skipped if "needs a model" in s.get("reason", "")]
    lines = []
    if model:
        rules = ", ".join(sorted({s["rule"] for s in model}))
        lines.append(f"  needs a model (set ANTHROPIC_API_KEY): {len(model)} finding(s) ({rules})")
    if len(skipped) > len(model):
        lines.append(f"  not targeted: {len(skipped) - len(model)} finding(s), each with its reason in --json")
    return lines


def _gates_after(fix: dict[str, Any], before: Any) -> list[str]:
    after = fix.get("gates_after")
    if after is None:
        return []
    old = {g.name: g for g in before.gates}
    lines = ["  gates with the verified set applied (release prep on a copy):"]
    for g in after["gates"]:
        was = old.get(g["name"])
        mark = "PASS" if g["passed"] else ("FAIL" if g["critical"] else "WARN")
        lines.append(f"    [{mark}] {g['name']}: {was.actual if was else 'n/a'} → {g['actual']} "
                     f"(threshold {g['threshold']})")
    lines.append(f"  with the set: {'APPROVED' if after['approved'] else 'NOT APPROVED'}")
    return lines


def _written(fix: dict[str, Any], applied: bool) -> list[str]:
    if not applied:
        return ["  nothing written (add --apply to write the verified set)"]
    return [f"  written: {', '.join(fix.get('applied') or []) or 'nothing'}"] + [
        f"  refused {cid}: {why}" for cid, why in (fix.get("refused") or {}).items()]


def render(fix: dict[str, Any], before: Any, *, applied: bool) -> str:
    lines = ["", "RELEASE FIX (one plan for the failed gates; each change verified in a private copy)"]
    if fix.get("plan"):
        lines.append(f"  team: {', '.join(fix['agents'])} ({fix['plan']['strategy']})")
    lines += _changes(fix) + _skipped(fix) + _gates_after(fix, before)
    lines += [f"  note: {n}" for n in fix.get("notes", [])]
    if fix.get("learning"):
        lines.append(f"  learning: {fix['learning']}")
    return "\n".join(lines + _written(fix, applied))

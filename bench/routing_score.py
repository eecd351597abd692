"""Offline planning score on the tuning phrasings and the held-out set (other people's words).

Run: .venv/bin/python bench/routing_score.py [--misses]
A plan is right when it matches the label: the main domain of an analysis plan; "boost" (the coverage
boost workflow); "fix:<agent>" (the verified-fix workflow led by that agent); "refused" (out of scope).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from empathy_os.orchestration import MetaOrchestrator, OutOfScopeError

from tests.unit.routing_heldout import HELDOUT, HELDOUT_B, HELDOUT_C
from tests.unit.routing_heldout_d import HELDOUT_D
from tests.unit.routing_phrasings import COMMITS_AND_ISSUES, PHRASINGS, PLANS


def planned(task: str, *, domain_only: bool = False) -> str:
    """The plan for `task` in the labels' terms (the tuning set's labels are main domains only)."""
    try:
        plan = MetaOrchestrator().analyze_and_compose(task, {"learn": False, "use_model": False})
    except OutOfScopeError:
        return "refused"
    except ValueError as exc:
        return f"error: {exc}"
    main = plan.domains[0] if plan.domains else "quality"
    if domain_only:
        return main
    if plan.workflow == "test_coverage_boost":
        return "boost"
    if plan.workflow == "fix":
        return f"fix:{plan.agents[0].id}"
    return main


def score(rows: list[tuple[str, str]], *, domain_only: bool = False) -> tuple[int, list[tuple[str, str, str]]]:
    misses = [(task, want, got) for task, want in rows if (got := planned(task, domain_only=domain_only)) != want]
    return len(rows) - len(misses), misses


def main() -> None:
    os.environ.pop("ANTHROPIC_API_KEY", None)
    sets = {"tuning: domains (routing_phrasings.PHRASINGS)": list(PHRASINGS),
            "tuning: plans (routing_phrasings.PLANS)": list(PLANS),
            "tuning: commits/issues (COMMITS_AND_ISSUES)": list(COMMITS_AND_ISSUES),
            "held-out A (routing_heldout.HELDOUT)": [(t, want) for t, want, _ in HELDOUT],
            "held-out B (routing_heldout.HELDOUT_B)": [(t, want) for t, want, _ in HELDOUT_B],
            "held-out C (routing_heldout.HELDOUT_C)": [(t, want) for t, want, _ in HELDOUT_C],
            "held-out D (routing_heldout_d.HELDOUT_D)": [(t, want) for t, want, _ in HELDOUT_D]}
    print(f"{'set':44} {'right':>7} {'score':>7}")
    for name, rows in sets.items():
        right, misses = score(rows, domain_only="PHRASINGS" in name)
        print(f"{name:44} {right:>3}/{len(rows):<3} {right / len(rows):7.1%}")
        if "--misses" in sys.argv:
            for task, want, got in misses:
                print(f"    {task!r}: want {want}, got {got}")


if __name__ == "__main__":
    main()

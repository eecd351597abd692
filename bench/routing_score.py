"""Offline planning score on the tuning phrasings and the held-out set (other people's words).

Run: .venv/bin/python bench/routing_score.py [--misses] [--validate] [--cost]
A plan is right when it matches the label: the main domain of an analysis plan; "boost" (the coverage
boost workflow); "fix:<agent>" (the verified-fix workflow led by that agent); "refused" (out of scope).

The shipped classifier has seen every set printed here except held-out E (measured once, blind, at
ea146f3: 158/170), so its scores on the others say little. `--validate` is the honest figure for the rest:
five folds over the lines the word lists were never tuned on (held-out D and the training sets T*); each fold
is planned by a classifier fitted on all other examples, and each confidence threshold's score shows what the
word lists alone, the classifier alone and their combination get on lines neither has seen. `--cost` times a
process's first plan (fitting the classifier, then reading it from the cache).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from empathy_os.orchestration import MetaOrchestrator, OutOfScopeError, learned

from scripts.build_routing_examples import rows, training_sets
from tests.unit.routing_heldout import HELDOUT, HELDOUT_B, HELDOUT_C
from tests.unit.routing_heldout_d import HELDOUT_D
from tests.unit.routing_heldout_e import HELDOUT_E
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
            "held-out D (routing_heldout_d.HELDOUT_D)": [(t, want) for t, want, _ in HELDOUT_D],
            "held-out E, not trained on (routing_heldout_e)": [(t, want) for t, want, _ in HELDOUT_E],
            **{f"training {name} (routing_training_t{name[1:].lower()})": [(t, want) for t, want, _ in labelled]
               for name, labelled in training_sets().items()}}
    print(f"{'set':44} {'right':>7} {'score':>7}")
    for name, labelled_rows in sets.items():
        right, misses = score(labelled_rows, domain_only="PHRASINGS" in name)
        print(f"{name:44} {right:>3}/{len(labelled_rows):<3} {right / len(labelled_rows):7.1%}")
        if "--misses" in sys.argv:
            for task, want, got in misses:
                print(f"    {task!r}: want {want}, got {got}")


def validate(folds: int = 5) -> None:
    every = rows()
    blind = [(r["task"], r["label"]) for r in every if r["set"] == "D" or r["set"].startswith("T")]
    random.Random(0).shuffle(blind)
    outcomes = []  # (label, word lists' plan, classifier's plan, its probability)
    for k in range(folds):
        held = blind[k::folds]
        skip = {task for task, _ in held}
        with learned.trained_on([(r["task"], r["label"]) for r in every if r["task"] not in skip]):
            for task, want in held:
                learned.CONFIDENT = 2.0
                lists = planned(task)
                learned.CONFIDENT = 0.0
                outcomes.append((want, lists, planned(task), learned.predict(task).probability))
    n = len(outcomes)
    print(f"\n{folds}-fold validation on {n} lines the word lists never saw (held-out D + training T*)")
    print(f"{'plan by':34} {'right':>9} {'score':>7}")
    print(f"{'word lists alone':34} {sum(w == a for w, a, _, _ in outcomes):>4}/{n:<4} "
          f"{sum(w == a for w, a, _, _ in outcomes) / n:7.1%}")
    for threshold in (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        right = sum(w == (b if p >= threshold else a) for w, a, b, p in outcomes)
        mark = "  <- shipped" if threshold == SHIPPED else ""
        print(f"{'classifier where p >= ' + format(threshold, '.1f'):34} {right:>4}/{n:<4} {right / n:7.1%}{mark}")
    learned.CONFIDENT = SHIPPED


def cost(runs: int = 3) -> None:
    """Seconds and peak memory of a process's first offline plan: fitting the classifier (an empty cache),
    then reading it from the cache; and a plan after that."""
    import subprocess
    import tempfile

    code = ("import resource, time; t = time.perf_counter(); from empathy_os.orchestration import MetaOrchestrator; "
            "m = MetaOrchestrator(); m.analyze_and_compose('Speed up the parser', {'learn': False}); "
            "first = time.perf_counter() - t; t = time.perf_counter(); "
            "m.analyze_and_compose('Fix the typo in the README', {'learn': False}); "
            "print(first, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    print(f"\n{'first offline plan of a process':34} {'seconds':>8} {'next plan':>10} {'peak MiB':>9}")
    for name, fresh in (("fits the classifier (empty cache)", True), ("reads the cached classifier", False)):
        figures = []
        with tempfile.TemporaryDirectory() as home:
            for i in range(runs + (0 if fresh else 1)):
                if fresh and i:
                    for old in Path(home).rglob("*.pickle"):
                        old.unlink()
                env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home}
                out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                     check=True).stdout.split()
                if fresh or i:  # the cached runs start after one run filled the cache
                    figures.append([float(x) for x in out])
        first, nxt, mib = (sorted(col)[len(col) // 2] for col in zip(*figures))
        print(f"{name:34} {first:8.2f} {nxt * 1000:8.1f}ms {mib:9.0f}")


SHIPPED = learned.CONFIDENT

if __name__ == "__main__":
    main()
    if "--validate" in sys.argv:
        validate()
    if "--cost" in sys.argv:
        cost()

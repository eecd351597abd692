"""Collect the labelled task lines the planner's classifier learns from; writes routing_examples.json.

Run after changing a labelled set:  .venv/bin/python scripts/build_routing_examples.py
(tests/unit/test_learned_classifier.py fails while the file is out of date).

Sources (tests/unit/): the tuning plans and commit/issue lines (routing_phrasings.PLANS, COMMITS_AND_ISSUES),
the held-out sets A-D once measured (routing_heldout, routing_heldout_d), the real lines of the training sets
T* (routing_training_t*), and the everyday phrasings (routing_phrasings.PHRASINGS) whose wording names no workflow:
their labels are main domains only ("Boost test coverage to 90%" is "testing" there, "boost" as a plan).
A held-out set that has not been measured yet must never be listed here.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "server")]
OUT = ROOT / "server" / "empathy_os" / "orchestration" / "routing_examples.json"


def training_sets() -> dict[str, list[tuple[str, str, str]]]:
    """The real labelled training sets T, T2, … (tests/unit/routing_training_t*.py), by name."""
    found = {}
    for path in sorted((ROOT / "tests" / "unit").glob("routing_training_t*.py")):
        suffix = path.stem.removeprefix("routing_training_t")
        module = importlib.import_module(f"tests.unit.{path.stem}")
        found[f"T{suffix}"] = getattr(module, f"TRAINING_T{suffix.upper()}")
    return found


def sets() -> dict[str, list[tuple[str, str]]]:
    from empathy_os.orchestration.intent import named_workflow

    from tests.unit import routing_heldout as abc
    from tests.unit.routing_heldout_d import HELDOUT_D
    from tests.unit.routing_phrasings import COMMITS_AND_ISSUES, PHRASINGS, PLANS

    labelled = {"A": abc.HELDOUT, "B": abc.HELDOUT_B, "C": abc.HELDOUT_C, "D": HELDOUT_D, **training_sets()}
    return {"plans": list(PLANS), "commits_and_issues": list(COMMITS_AND_ISSUES),
            "phrasings": [(task, label) for task, label in PHRASINGS if named_workflow(task)[0] is None],
            **{name: [(task, label) for task, label, _ in rows] for name, rows in labelled.items()}}


def rows() -> list[dict[str, str]]:
    seen: set[str] = set()
    out = []
    for name, pairs in sets().items():
        for task, label in pairs:
            if task not in seen:  # a line in two sets counts once (the first set's label)
                seen.add(task)
                out.append({"task": task, "label": label, "set": name})
    return out


def render() -> str:
    return json.dumps({"generated_by": "scripts/build_routing_examples.py", "examples": rows()},
                      ensure_ascii=False, indent=0) + "\n"


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(rows())} labelled lines")

"""Which composition to run for a task pattern: Thompson sampling over each composition's success record.

Each plausible composition (the planner's own proposal, and every composition recorded for the pattern in
the workspace store or the pattern library) is an arm with a Beta(1 + successes, 1 + failures) belief about
its success rate. One draw per arm; the highest draw runs. A composition with few runs has a wide belief
and is tried now and then (exploration); one that keeps succeeding wins most draws (exploitation). The
"greedy" choice is the arm with the best posterior mean; when the draw picks another, the plan says it
explored. `bench/learning_bench.py` shows the pick rate of a truly better composition converging.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Pick:
    chosen: str
    greedy: str
    draws: dict[str, float]

    @property
    def explored(self) -> bool:
        return self.chosen != self.greedy


def thompson_pick(arms: dict[str, tuple[int, int]], rng: random.Random) -> Pick:
    """`arms`: id → (successes, failures), in a stable order (ties go to the first)."""
    if not arms:
        raise ValueError("no composition to choose from")
    draws = {arm: rng.betavariate(1 + s, 1 + f) for arm, (s, f) in arms.items()}
    means = {arm: (1 + s) / (2 + s + f) for arm, (s, f) in arms.items()}
    chosen = max(draws, key=lambda a: draws[a])
    greedy = max(means, key=lambda a: means[a])
    return Pick(chosen=chosen, greedy=greedy, draws=draws)

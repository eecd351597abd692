"""Does the planner learn which composition is better? 200 simulated runs of one task pattern.

Three compositions for "security_audit" with true success rates 0.80 (debate), 0.55 (parallel) and 0.40
(sequential); the planner does not know them. Each run: the planner's Thompson sampling
(`empathy_os.orchestration.exploration.thompson_pick`) picks a composition from the success records in a
real workspace store (`ConfigurationStore` in a temporary folder, outcomes recorded with `record_run` as a
real run does); the outcome is drawn from the chosen composition's true rate. Printed: how often the best
composition was picked in each window of 20 runs, and the cumulative regret (expected successes lost
against always picking the best), averaged over several seeds.

    .venv/bin/python bench/learning_bench.py [--runs 200] [--seeds 5] [--window 20]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from empathy_os.orchestration.exploration import thompson_pick
from empathy_os.store.composition_records import composition_id, record_run
from empathy_os.store.configurations import ConfigurationStore

PATTERN = "security_audit"
ARMS = {  # composition → (agents, true success rate)
    "debate": ([("security_auditor", "PREMIUM"), ("architecture_analyst", "PREMIUM"), ("code_reviewer", "CAPABLE")],
               0.80),
    "parallel": ([("security_auditor", "PREMIUM"), ("code_reviewer", "CAPABLE")], 0.55),
    "sequential": ([("security_auditor", "PREMIUM")], 0.40),
}


def simulate(runs: int, seed: int, folder: Path) -> tuple[list[bool], list[float]]:
    store = ConfigurationStore(folder / f"store-{seed}.json")
    ids = {name: composition_id(PATTERN, agents, name) for name, (agents, _) in ARMS.items()}
    rng, world = random.Random(seed), random.Random(seed + 10_000)
    best_rate = max(rate for _, rate in ARMS.values())
    picked_best, regret, lost = [], [], 0.0
    for _ in range(runs):
        records = {c.id: c for c in store.list(PATTERN)}
        arms = {i: (records[i].success_count, records[i].failure_count) if i in records else (0, 0)
                for i in ids.values()}
        pick = thompson_pick(arms, rng)
        name = next(n for n, i in ids.items() if i == pick.chosen)
        agents, rate = ARMS[name]
        record_run(store, task_pattern=PATTERN, agents=agents, strategy=name, quality_gates=None,
                   success=world.random() < rate, quality_score=None)
        picked_best.append(rate == best_rate)
        lost += best_rate - rate
        regret.append(lost)
    return picked_best, regret


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--window", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [simulate(args.runs, seed, Path(tmp)) for seed in range(args.seeds)]
    print(f"{args.seeds} seeds x {args.runs} runs; best composition: debate (true rate 0.80)")
    print(f"{'runs':>9}  {'best picked':>11}  {'cumulative regret':>17}")
    for start in range(0, args.runs, args.window):
        end = min(start + args.window, args.runs)
        rate = sum(sum(p[start:end]) for p, _ in results) / (len(results) * (end - start))
        regret = sum(r[end - 1] for _, r in results) / len(results)
        print(f"{start + 1:>4}-{end:<4}  {rate:>11.0%}  {regret:>17.1f}")


if __name__ == "__main__":
    main()

"""Learning-loop hooks for the orchestrator and workflows (they import these; this knows nothing of them).

* `find_proven(task_pattern, store=..., pattern_library=...)` → the configuration to reuse, or None.
  "Proven" = the pattern library's promotion rule: usage_count ≥ 3 and success_rate ≥ 0.70. The workspace
  store is asked first (its best-ranked proven configuration for the pattern), then the pattern library.
* `record_run(store, task_pattern=..., agents=[(template_id, tier), ...], strategy=..., quality_gates=...,
  success=..., quality_score=...)` → finds or creates the configuration for exactly that composition
  (deterministic id, see `composition_id`), adds the run atomically, and promotes / updates / demotes it in
  the pattern library.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from empathy_os.store.models import AgentConfiguration, tier_name
from empathy_os.store.pattern_library import is_proven

if TYPE_CHECKING:
    from empathy_os.store.configurations import ConfigurationStore
    from empathy_os.store.pattern_library import PatternLibrary

Source = Literal["store", "pattern_library"]


def composition_id(task_pattern: str, agents: Iterable[tuple[str, Any]], strategy: str,
                   quality_gates: Mapping[str, Any] | None = None) -> str:
    """`<task_pattern>-<12 hex>`: the same pattern, agents (in order, with tiers), strategy and gates
    always give the same id, in any process or project."""
    canonical = json.dumps({"task_pattern": task_pattern.strip(),
                            "agents": [[role, tier_name(tier)] for role, tier in agents],
                            "strategy": strategy.strip().lower(),
                            "quality_gates": dict(quality_gates or {})},
                           sort_keys=True, default=str, separators=(",", ":"))
    slug = re.sub(r"[^a-z0-9]+", "_", task_pattern.lower()).strip("_")[:40] or "task"
    return f"{slug}-{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"


def find_proven_with_source(task_pattern: str, *, store: ConfigurationStore,
                            pattern_library: PatternLibrary | None = None
                            ) -> tuple[AgentConfiguration, Source] | None:
    """Like `find_proven`, also saying where the configuration came from."""
    for config in store.search(task_pattern=task_pattern, min_success_rate=0.70):
        if is_proven(config):  # search is best-first, so the first proven one is the best proven one
            return config, "store"
    library = pattern_library if pattern_library is not None else store.pattern_library
    if library is not None:
        config = library.find_best(task_pattern)
        if config is not None and is_proven(config):
            return config, "pattern_library"
    return None


def find_proven(task_pattern: str, *, store: ConfigurationStore,
                pattern_library: PatternLibrary | None = None) -> AgentConfiguration | None:
    """The proven configuration to reuse for `task_pattern` (store first, then pattern library), or None.

    `pattern_library` defaults to `store.pattern_library`.
    """
    found = find_proven_with_source(task_pattern, store=store, pattern_library=pattern_library)
    return found[0] if found else None


def describe(config: AgentConfiguration, source: Source = "store") -> str:
    """One line for a plan's rationale, with the measured numbers."""
    where = "this project's store" if source == "store" else "the pattern library"
    quality = (f", mean quality {config.avg_quality_score:.1f}/100" if config.quality_score_count else "")
    return (f"reused proven configuration {config.id} from {where}: {config.usage_count} runs, "
            f"{config.success_rate:.0%} success{quality}")


def record_run(store: ConfigurationStore, *, task_pattern: str, agents: Iterable[tuple[str, Any]],
               strategy: str, quality_gates: Mapping[str, Any] | None, success: bool,
               quality_score: float | None, quality_scale: float = 100.0,
               pattern_library: PatternLibrary | None = None) -> AgentConfiguration:
    """Record one run of a composition and return its configuration with the updated counters.

    `quality_score` is on a 0-`quality_scale` scale (pass `quality_scale=10` for agents' 0-10 scores); it
    is stored on 0-100. `pattern_library` defaults to `store.pattern_library` (None: no library update).
    """
    agent_list = list(agents)
    gates = dict(quality_gates or {})
    config = AgentConfiguration(
        id=composition_id(task_pattern, agent_list, strategy, gates),
        task_pattern=task_pattern,
        agents=[{"role": role, "tier": tier} for role, tier in agent_list],
        strategy=strategy,
        quality_gates=gates,
    )
    updated = store.record_outcome(config.id, success, quality_score, default=config, scale=quality_scale)
    if pattern_library is not None and pattern_library is not store.pattern_library:
        pattern_library.sync(updated)
    return updated

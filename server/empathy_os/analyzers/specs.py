"""The tables derived from the analyzers' specs (empathy_os.analyzer_spec): every view first makes sure the
built-ins and the plug-ins are registered, so a plug-in is in every table as soon as it is installed.

Callers above the analyzers import this inside the function that needs it, which keeps start-up short.
"""

from __future__ import annotations

from empathy_os.analyzer_spec import SPECS, AnalyzerSpec, Kind
from empathy_os.analyzers import plugins


def all_specs() -> dict[str, AnalyzerSpec]:
    """Every analyzer's spec: the built-ins and the plug-ins that loaded."""
    plugins.load()
    return dict(SPECS)


def spec_of(name: str) -> AnalyzerSpec | None:
    return all_specs().get(name)


def on_save() -> tuple[str, ...]:
    """The editor's per-file analyzers (re-run on open/save; `empathy check`), built-ins first."""
    return tuple(s.name for s in all_specs().values() if s.on_save)


def test_running() -> frozenset[str]:
    return frozenset(s.name for s in all_specs().values() if s.test_running)


def of_kind(kind: Kind) -> frozenset[str]:
    return frozenset(s.name for s in all_specs().values() if s.kind is kind)


def change_checks() -> tuple[str, ...]:
    """Analyzers run on every source file a change touches: it may add none of their findings."""
    return tuple(s.name for s in all_specs().values() if s.checks_changes)


def prior_seconds(name: str) -> float:
    spec = spec_of(name)
    return spec.prior_seconds if spec is not None else 1.0


def fixers() -> dict[str, tuple[str, ...]]:
    """Agent id → the analyzers whose findings it fixes (the fix workflow's agents), in registration order."""
    out: dict[str, tuple[str, ...]] = {}
    for s in all_specs().values():
        if s.fixer is not None:
            out[s.fixer] = (*out.get(s.fixer, ()), s.name)
    return out


def tools_of(agent: str, tools: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """An agent's analyzers: its template's `tools`, then those whose spec `joins` the agent."""
    joined = tuple(s.name for s in all_specs().values() if agent in s.joins and s.name not in tools)
    return (*tools, *joined)


def critical_counters() -> frozenset[str]:
    """The analyzers whose CRITICAL findings the `max_critical_issues` gate counts."""
    return frozenset(s.name for s in all_specs().values() if s.counts_critical)

"""What Empathy knows about each analyzer, declared once beside its code: `AnalyzerSpec`.

Each analyzer module passes its spec to `analyzers.contract.register`; third-party analyzers do the same
from their own distribution, found through the entry-point group `empathy_os.analyzers` (analyzers/plugins.py). Every
per-tool table (cache inputs, test-running tools, editor re-runs and diagnostic severities, time priors,
the fix workflow's agents, the checks after a change, whose findings a gate counts) is derived from the
specs here, so adding an analyzer is one module and, for a plug-in, one entry-point line.

Standard library only (a leaf: the CLI and the daemon import it without the analyzers). The derived views
are functions in `empathy_os.analyzers.specs`: a caller asks when it needs the answer, and only then are the
analyzers and plug-ins imported, which keeps the daemon's and the CLI's start-up short.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Kind(StrEnum):
    """What domain an analyzer's findings belong to (the debate's security view, the editor's hints)."""

    SECURITY = "security"
    LINT = "lint"
    COMPLEXITY = "complexity"
    DOCUMENTATION = "documentation"
    COVERAGE = "coverage"
    TESTS = "tests"
    ARCHITECTURE = "architecture"
    PERFORMANCE = "performance"
    OTHER = "other"


# A finding's severity → the editor's diagnostic level ("error", "warning", "information", "hint").
DEFAULT_LEVELS = MappingProxyType({"critical": "warning", "high": "warning", "medium": "warning",
                                   "low": "information", "info": "information"})
SECURITY_LEVELS = MappingProxyType({"critical": "error", "high": "warning", "medium": "warning",
                                    "low": "warning", "info": "warning"})
HINT_LEVELS = MappingProxyType(dict.fromkeys(DEFAULT_LEVELS, "hint"))
INFO_LEVELS = MappingProxyType(dict.fromkeys(DEFAULT_LEVELS, "information"))
LEVELS = frozenset({"error", "warning", "information", "hint"})


@dataclass(frozen=True)
class AnalyzerSpec:
    """One analyzer's facts. Only `name`, `distribution` and `measures` are required."""

    name: str  # registry name = `Finding.tool` of its findings
    distribution: str  # the installed distribution whose version names the tool and keys the cache
    measures: str  # one line for people: what it measures
    kind: Kind = Kind.OTHER
    # Its findings on a file depend on that file (and the project's config) alone, so it honours
    # `ProjectContext.only_files`; False: it measures the project as a whole.
    per_file: bool = True
    on_save: bool = False  # the editor re-runs it on a file when opened or saved (per_file and fast)
    test_running: bool = False  # runs the project's tests: keyed on every .py file and the interpreter
    prior_seconds: float = 1.0  # a planning prior only; reports show measured durations
    fixer: str | None = None  # the agent that proposes verified fixes for its findings
    fix_title: str | None = None  # the editor's per-diagnostic action, e.g. "Fix `{rule}` (verified)"
    joins: tuple[str, ...] = ()  # agents that run it besides those whose template names it (a plug-in's way in)
    # Its CRITICAL findings are counted by the `max_critical_issues` gate (bandit's, a security plug-in's).
    # (Its 0-10 score counts in `min_quality_score` when the code reviewer runs it: `joins`.)
    counts_critical: bool = False
    checks_changes: bool = False  # a verified change may add none of its findings to the files it touches
    levels: Mapping[str, str] = field(default_factory=lambda: DEFAULT_LEVELS)  # finding severity → diagnostic level
    byte_columns: bool = False  # its columns count UTF-8 bytes (Python's AST col_offset), not characters

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"analyzer name {self.name!r} must be a Python identifier")
        if self.on_save and not self.per_file:
            raise ValueError(f"analyzer {self.name!r}: on_save needs per_file")
        if self.fix_title is not None and self.fixer is None:
            raise ValueError(f"analyzer {self.name!r}: fix_title needs a fixer agent")
        if bad := set(self.levels.values()) - LEVELS:
            raise ValueError(f"analyzer {self.name!r}: unknown diagnostic level(s) {', '.join(sorted(bad))}")
        object.__setattr__(self, "kind", Kind(self.kind))
        object.__setattr__(self, "joins", tuple(self.joins))

    def level(self, severity: str) -> str:
        return self.levels.get(severity, DEFAULT_LEVELS.get(severity, "information"))


# name -> spec; filled by analyzers.contract.register (built-ins on import of empathy_os.analyzers, plug-ins when loaded).
SPECS: dict[str, AnalyzerSpec] = {}


def ad_hoc(name: str) -> AnalyzerSpec:
    """The spec of an analyzer registered by name only (`@register("profiler")`, the tutorial's way)."""
    return AnalyzerSpec(name=name, distribution=name, measures=f"{name} (registered without a spec)",
                        per_file=False)

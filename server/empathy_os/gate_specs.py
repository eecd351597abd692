"""The quality gates of release preparation as one table: what each measures, how it is shown, its default,
range and command-line flag, and which agents can move it.

Standard library only: the CLI builds its flags from it without importing the workflows (which import
pydantic and the analyzers). Everything else is derived from it: the flags, the editor settings (camelCase,
e.g. `minCoverage`; tests check vscode-extension/package.json against it), the one evaluator
(`empathy_os.gates.evaluate`, used by release prep and by composed plans) and the release-fix plan's team
per failed gate. Adding a gate is one row here (tests/unit/test_gate_specs_extension.py then names what the
extension must add).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GateSpec:
    """One quality gate: `metric` (a release-prep metric) must be ≥ (`min`) or ≤ (`max`) the threshold."""

    name: str
    metric: str
    label: str
    unit: str
    direction: str  # "min" | "max"
    critical: bool  # a failed critical gate blocks the release; a non-critical one is a warning
    default: float
    low: float
    high: float
    whole: bool  # a count, not a measurement
    flag: str
    help: str
    agents: tuple[str, ...]  # the agents that can move it (the release-fix plan's team), in order
    # Who measures `metric`: an analyzer's name, SCORE (the 0-10 score of the first of `agents` in the team),
    # or None (any analyzer of the team that reports `metric`: the rows made for a plan's own gates).
    analyzer: str | None = None


SCORE = "score"


GATE_SPECS: tuple[GateSpec, ...] = (
    GateSpec("min_coverage", "coverage_percent", "Test coverage", "%", "min", True, 80.0, 0, 100, False,
             "--min-coverage", "percent (default 80)", ("test_coverage_analyzer",), "coverage"),
    GateSpec("min_quality_score", "quality_score", "Code quality", "/10", "min", True, 7.0, 0, 10, False,
             "--min-quality", "0-10 (default 7)", ("code_reviewer", "refactoring_specialist"), SCORE),
    GateSpec("max_critical_issues", "critical_issues", "Security", " critical issue(s)", "max", True, 0, 0, 1e9,
             True, "--max-critical", "critical issues allowed (0)", ("security_auditor",), "bandit"),
    GateSpec("min_doc_coverage", "doc_coverage_percent", "Documentation", "%", "min", False, 100.0, 0, 100, False,
             "--min-doc-coverage", "docstring coverage percent, a warning only (default 100)",
             ("documentation_writer",), "docstrings"),
)

"""The quality gates of release preparation as a table: name, default, range and command-line flag.

Standard library only: the CLI builds its flags from it without importing the workflows (which import
pydantic and the analyzers); `empathy_os.workflows.gates` evaluates the gates and re-exports this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GateSpec:
    """One quality gate: its name in `quality_gates`, default, allowed range and command-line flag.

    The only place gate names are listed: the CLI flags, the editor settings (camelCase, e.g. `minCoverage`)
    and validation are all derived from this table.
    """

    name: str
    default: float
    low: float
    high: float
    whole: bool  # a count, not a measurement
    flag: str
    help: str


GATE_SPECS: tuple[GateSpec, ...] = (
    GateSpec("min_coverage", 80.0, 0, 100, False, "--min-coverage", "percent (default 80)"),
    GateSpec("min_quality_score", 7.0, 0, 10, False, "--min-quality", "0-10 (default 7)"),
    GateSpec("max_critical_issues", 0, 0, 1e9, True, "--max-critical", "critical issues allowed (0)"),
    GateSpec("min_doc_coverage", 100.0, 0, 100, False, "--min-doc-coverage",
             "docstring coverage percent, a warning only (default 100)"),
)

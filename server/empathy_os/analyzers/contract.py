"""The analyzer contract: every tool wrapper returns an `AnalyzerResult` of typed findings + metrics.

An analyzer never invents a figure. If its tool cannot run, the result says so (`ran=False`, `error`),
and carries no metrics; callers (gates, reports) treat that as "not measured".

Starting and killing processes is not part of the contract: it lives in `empathy_os.proc`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeAlias, runtime_checkable

from pydantic import BaseModel, Field

from empathy_os.analyzer_spec import SPECS, AnalyzerSpec, ad_hoc
from empathy_os.proc import ToolRun


class Severity(StrEnum):
    """Ordered from most to least severe. `critical` is reserved for findings that fail a gate."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class Finding(BaseModel):
    """One thing a tool reported, located in the project (paths are relative to the project root)."""

    tool: str  # "bandit", "ruff", "coverage", "docstrings", ...
    rule: str  # tool's own rule id: "B602", "F401", "coverage-gap", "missing-docstring"
    severity: Severity
    path: str  # posix, relative to the project root
    line: int = Field(ge=1)
    end_line: int | None = None
    column: int | None = None  # 1-based when known
    end_column: int | None = None
    message: str
    symbol: str | None = None  # qualified function/class name when the finding is about one
    confidence: str | None = None  # the tool's own confidence (bandit)
    cwe: int | None = None
    url: str | None = None  # rule documentation
    extra: dict[str, Any] = Field(default_factory=dict)


class AnalyzerResult(BaseModel):
    """What one tool run measured. `metrics` holds only measured values, each named in `source`."""

    analyzer: str  # registry name, e.g. "bandit"
    tool: str  # tool + version actually run, e.g. "bandit 1.9.4"
    ran: bool
    error: str | None = None  # why it could not run (or ran partially)
    findings: list[Finding] = Field(default_factory=list)
    metrics: dict[str, float | int | str | bool | None] = Field(default_factory=dict)
    score: float | None = Field(default=None, ge=0, le=10)  # 0-10, only when a formula applies
    score_formula: str | None = None  # how `score` was computed, in words
    scope: str | None = None  # what was measured ("inventory/ (from .coveragerc)")
    duration_seconds: float = 0.0
    cached: bool = False


# A value of a TOML table ([tool.empathy] in pyproject.toml, plus overrides of the same shape); what arrays
# and tables hold is checked by the setting's reader. Not recursive: pydantic models embed ProjectContext.
TomlValue: TypeAlias = str | int | float | bool | dt.date | dt.time | dt.datetime | list[object] | dict[str, object]


@runtime_checkable
class ProjectSandbox(Protocol):
    """Where project code runs when a workflow isolates it (testgen.sandbox.Sandbox is one)."""

    base: Path  # the sandbox's own folder; `base / "data"` is its scratch space

    async def run(self, cmd: list[str], coverage_file: Path | None = None, timeout: float = 300,
                  cwd: Path | None = None, env: dict[str, str] | None = None) -> ToolRun: ...


@runtime_checkable
class ShardTests(Protocol):
    """One shard of a sharded test run (workflows/shards.py ShardRun): its test files, and where its raw
    results are kept for the merge."""

    tests: list[str]

    def keep(self, data_file: Path, junit: Path | None) -> None: ...


@runtime_checkable
class TestLauncher(Protocol):
    """Starts the coverage driver instead of a new process (the daemon's warm interpreter for live coverage,
    lsp/warm_tests.py): `cmd` is what run_project_code would start, the answer what it would return."""

    async def __call__(self, ctx: ProjectContext, cmd: list[str], cwd: Path, env: dict[str, str],
                       timeout: float | None) -> ToolRun: ...


@dataclass
class ProjectContext:
    """Everything an analyzer needs to know about the project it measures."""

    root: Path
    python: str = field(default_factory=lambda: sys.executable)  # interpreter for the project's tests
    python_reason: str = ""  # why that interpreter (empathy_os.environment), quoted by reports
    python_source: str = ""  # how it was found: "explicit", a venv folder, "poetry", "empathy", ...
    trusted: bool = True  # False: never execute project code (coverage, test generation)
    settings: dict[str, TomlValue] = field(default_factory=dict)  # [tool.empathy] + overrides
    only_files: list[Path] | None = None  # restrict per-file analyzers to these files
    use_cache: bool = True
    # When set, project code runs inside it (OS sandbox), cwd = root.
    sandbox: ProjectSandbox | None = None
    # When set by a workflow (release prep), the other analyzers start once the test run has started
    # (analyzers.run_analyzer), so the longest job is not slowed at its start (GIL, forks).
    tests_first: asyncio.Event | None = None
    # Sharded release prep (workflows/shards.py): analyzer results already measured (served by run_analyzer
    # instead of running the tool), and a shard's test files plus the folder keeping its raw test results.
    provided: dict[str, AnalyzerResult] | None = None
    shard: ShardTests | None = None
    test_launcher: TestLauncher | None = None  # None: the test run is a new process

    @property
    def cache_dir(self) -> Path:
        return self.root / ".empathy" / "cache"


Analyzer = Callable[[ProjectContext], Awaitable[AnalyzerResult]]

# name -> analyzer; filled by `empathy_os.analyzers` on import and by plug-ins (see register()).
REGISTRY: dict[str, Analyzer] = {}


def register(spec: AnalyzerSpec | str) -> Callable[[Analyzer], Analyzer]:
    """Add an analyzer with its spec (analyzer_spec.py); a bare name gets a spec with the defaults."""
    spec = ad_hoc(spec) if isinstance(spec, str) else spec

    def deco(fn: Analyzer) -> Analyzer:
        REGISTRY[spec.name] = fn
        SPECS[spec.name] = spec
        return fn

    return deco

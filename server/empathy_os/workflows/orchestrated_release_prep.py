"""Release preparation: four agents in parallel (security, coverage, quality, docs) → quality gates.

Every metric in the report is taken from an analyzer's measurement (and names its tool); nothing is
assumed. The run's outcome is recorded against its composition in the workspace store (the learning loop)
unless `learn=False`, and only when every gate was measured: an untrusted run (no coverage), a refused or
an interrupted one says nothing about the composition's quality.

An unusable project (no Python file at all) or interpreter (`python` that does not exist or cannot be
run, when trusted) raises ValueError before anything runs or is written.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr

from empathy_os.analyzers import plugins
from empathy_os.analyzers.contract import Finding, ProjectContext
from empathy_os.analyzers.project import all_py_files, load_project, size_note
from empathy_os.gates import GateResult, evaluate, measure, validate_gates, verdict
from empathy_os.llm import ModelClient, validate_max_cost
from empathy_os.orchestration.agent_templates import get_template
from empathy_os.orchestration.execution_strategies import ParallelStrategy
from empathy_os.orchestration.run_context import RunContext
from empathy_os.orchestration.runtime import AgentResult
from empathy_os.orchestration.workspace_store import record_outcome
from empathy_os.progress_callback import Progress, no_progress

RELEASE_AGENTS = ("security_auditor", "test_coverage_analyzer", "code_reviewer", "documentation_writer")
TASK_PATTERN = "release_preparation"


class AgentSummary(BaseModel):
    id: str
    role: str
    tier: str
    success: bool
    quality_score: float | None
    confidence: float
    basis: str
    model_score: float | None = None  # the model's view, never in a gate
    duration_seconds: float
    input_tokens: int
    output_tokens: int
    cost_usd: float
    model: str | None
    tools: dict[str, str]
    cached: list[str]
    notes: list[str]


class ReleasePrepReport(BaseModel):
    project_root: str
    approved: bool
    confidence: str
    gates: list[GateResult]
    metrics: dict[str, Any]
    metric_sources: dict[str, str]
    findings: list[Finding]
    agents: list[AgentSummary]
    duration_seconds: float
    total_cost_usd: float
    model_assisted: bool
    notes: list[str] = Field(default_factory=list)
    # Not part of the report: what the replay of an unchanged re-run needs (app/replay.py). True when
    # every analyzer ran and no model took part, i.e. an unchanged re-run would be served wholly from the
    # analyzers' caches; and how the project's interpreter was found.
    _all_ran: bool = PrivateAttr(default=False)
    _python_source: str = PrivateAttr(default="")
    _python: str = PrivateAttr(default="")

    @property
    def all_ran(self) -> bool:
        """Every analyzer ran and no model took part: an unchanged re-run would be served from the caches."""
        return self._all_ran

    @property
    def python(self) -> str:
        """The project's interpreter that ran its tests."""
        return self._python

    @property
    def python_source(self) -> str:
        """How that interpreter was found."""
        return self._python_source

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class OrchestratedReleasePrepWorkflow:
    def __init__(self, quality_gates: dict[str, Any] | None = None, *, max_cost: float | None = None,
                 client: ModelClient | None = None):
        self.quality_gates = validate_gates(quality_gates)
        self.max_cost = validate_max_cost(max_cost)
        self.client = client

    async def execute(self, project_root: str | Path = ".", *, python: str | None = None, trusted: bool = True,
                      use_cache: bool = True, progress: Progress | None = None,
                      learn: bool = True, provided: dict[str, Any] | None = None) -> ReleasePrepReport:
        progress = progress or no_progress
        started = time.perf_counter()
        ctx = load_project(project_root, python=python, trusted=trusted)
        ctx.use_cache = use_cache
        ctx.provided = provided  # merged shards (workflows/shards.py): every analyzer already measured
        # The test run is the longest job: the other agents' tools start once it has (analyzers.run_analyzer).
        ctx.tests_first = asyncio.Event()
        check_usable(ctx)
        agents = [get_template(a) for a in RELEASE_AGENTS]
        done: list[str] = []

        def on_done(result: AgentResult) -> None:
            done.append(result.agent_id)
            progress(f"{result.role}: done in {result.duration:.1f}s", 100.0 * len(done) / len(agents))

        progress(f"Running {len(agents)} agents in parallel on {ctx.root}", 0.0)
        run = RunContext(project_root=ctx.root, project=ctx, max_cost=self.max_cost, on_agent_done=on_done,
                         trusted=trusted, use_cache=use_cache, python=python)
        result = await ParallelStrategy(self.client).execute(agents, run)
        report = self._report(ctx.root, result.outputs, time.perf_counter() - started)
        report._all_ran = not report.model_assisted and all(
            r.ran for o in result.outputs for r in o.analyzers) and all(o.analyzers for o in result.outputs)
        report._python_source = ctx.python_source
        report._python = ctx.python
        if (big := size_note(ctx)) is not None and not any(big in n for n in report.notes):
            report.notes.insert(0, big)
        if trusted and ctx.python_reason:
            report.notes.append(f"project tests ran with {ctx.python}: {ctx.python_reason}")
        unmeasured = [g.name for g in report.gates if g.actual is None]
        if learn and unmeasured:
            report.notes.append("outcome not recorded: gate(s) not measured: " + ", ".join(unmeasured))
        elif learn:
            score = report.metrics.get("quality_score")
            report.notes.append(record_outcome(
                run, task_pattern=TASK_PATTERN,
                agents=[(a.id, a.tier_preference.value) for a in agents], strategy="parallel",
                quality_gates=self.quality_gates, success=report.approved, quality_score=score))
        return report

    def _report(self, root: Path, outputs: list[AgentResult], duration: float) -> ReleasePrepReport:
        reviewer = next(o for o in outputs if o.agent_id == "code_reviewer")
        measured = measure(self.quality_gates, outputs)
        metrics, sources = measured.values, measured.sources
        gates = evaluate(self.quality_gates, metrics, measured.missing)
        approved, confidence = verdict(gates)
        _beside_quality_gate(gates, reviewer)
        findings = [f for o in outputs for f in o.findings]
        notes = [f"{r.analyzer}: {r.error}" for o in outputs for r in o.analyzers if r.error]
        notes += [f"{o.agent_id}: {o.error}" for o in outputs if o.error and not o.analyzers]
        notes += [f"analyzer plug-in {name} skipped: {why}" for name, why in plugins.problems().items()]
        model_notes = {o.model_note for o in outputs if o.model_note}
        notes += sorted(model_notes)
        return ReleasePrepReport(
            project_root=str(root), approved=approved, confidence=confidence, gates=gates, metrics=metrics,
            metric_sources=sources, findings=findings, agents=[_summary(o) for o in outputs],
            duration_seconds=round(duration, 3), total_cost_usd=sum(o.cost_usd for o in outputs),
            model_assisted=any(o.model for o in outputs), notes=notes)


def check_usable(ctx: ProjectContext) -> None:
    """ValueError (one line) for a project no release prep can measure (load_project checked the
    interpreter)."""
    if not all_py_files(ctx):
        raise ValueError(f"no Python files in {ctx.root}: nothing to prepare for release")


def _beside_quality_gate(gates: list[GateResult], reviewer: AgentResult) -> None:
    """The code reviewer model's own 0-10 score, shown beside the (tools-only) quality gate."""
    if reviewer.model_score is None:
        return
    for gate in gates:
        if gate.name == "min_quality_score":
            gate.model_view = f"{reviewer.model_score:g}/10 by {reviewer.model} (not a measurement)"


def _summary(o: AgentResult) -> AgentSummary:
    notes = [n for n in (o.error, o.model_note) if n]
    return AgentSummary(
        id=o.agent_id, role=o.role, tier=o.tier.value, success=o.success, quality_score=o.quality_score,
        confidence=o.confidence, basis=o.basis, model_score=o.model_score, duration_seconds=round(o.duration, 3),
        input_tokens=o.input_tokens, output_tokens=o.output_tokens, cost_usd=o.cost_usd, model=o.model,
        tools={r.analyzer: r.tool for r in o.analyzers}, cached=[r.analyzer for r in o.analyzers if r.cached],
        notes=notes)

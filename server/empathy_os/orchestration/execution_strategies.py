"""The six composition patterns. Each `await strategy.execute(agents, context) -> StrategyResult`.

`agents` may hold AgentTemplate objects, template ids, or (template, tier) pairs. `context` names the project
(`project_path` / `path` / `module_path`, default: the cwd) and may set `max_cost` (USD cap on model spend),
`max_concurrency` (parallel), `quality_threshold` (teaching), `complexity` (adaptive).
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from empathy_os.analyzers.contract import Finding, Severity
from empathy_os.llm import ModelClient, ModelError, OverBudget, Tier, budgeted_complete
from empathy_os.orchestration.agent_templates import AgentTemplate, get_template
from empathy_os.orchestration.debate import agreement
from empathy_os.orchestration.lexicon import score_domains
from empathy_os.orchestration.project_size import classify_complexity, named_files, task_severity
from empathy_os.orchestration.refinement import content_of, refine
from empathy_os.orchestration.run_context import RunContext
from empathy_os.orchestration.runtime import AgentResult, project_context, run_agent
from empathy_os.orchestration.teaching import teach

ISSUE_SEVERITIES = {Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM}


class StrategyName(StrEnum):
    SEQUENTIAL = "sequential"
    PARALLEL = "parallel"
    DEBATE = "debate"
    TEACHING = "teaching"
    REFINEMENT = "refinement"
    ADAPTIVE = "adaptive"


class StrategyResult(BaseModel):
    strategy: StrategyName
    success: bool
    outputs: list[AgentResult] = Field(default_factory=list)
    final_output: dict[str, Any] = Field(default_factory=dict)
    total_duration: float = 0.0
    total_cost_usd: float = 0.0
    # Model spend that belongs to no single agent (the debate's synthesis call); part of total_cost_usd.
    synthesis_cost_usd: float = 0.0

    @property
    def issues(self) -> list[Finding]:
        return [f for out in self.outputs for f in out.findings if f.severity in ISSUE_SEVERITIES]

    def has_issues(self) -> bool:
        return bool(self.issues) or any(not o.success for o in self.outputs)


Agents = Sequence[AgentTemplate | str | tuple[AgentTemplate | str, Tier | str]]


def normalize_agents(agents: Agents) -> list[tuple[AgentTemplate, Tier]]:
    if agents is None or isinstance(agents, (str, AgentTemplate)):
        raise ValueError("agents must be a list of AgentTemplate objects or template ids")
    out = []
    for item in agents:
        tier = None
        if isinstance(item, tuple) and len(item) == 2:
            item, tier = item
        template = get_template(item) if isinstance(item, str) else item
        if not isinstance(template, AgentTemplate):
            raise ValueError(f"not an agent template: {item!r}")  # noqa: TRY004 - bad input
        out.append((template, Tier.parse(tier or template.tier_preference)))
    return out


class ExecutionStrategy(ABC):
    name: StrategyName
    min_agents = 1

    def __init__(self, client: ModelClient | None = None):
        self.client = client

    async def execute(self, agents: Agents, context: RunContext | dict[str, Any] | None = None) -> StrategyResult:
        run = RunContext.parse(context)
        team = normalize_agents(agents)
        if len(team) < self.min_agents:
            raise ValueError(f"the {self.name.value} strategy needs at least {self.min_agents} agents, "
                             f"got {len(team)}")
        missing = run.missing_context([template for template, _ in team])
        if missing:
            raise ValueError("missing required context (capability: key): " + ", ".join(missing))
        # Resolve the project once: a bad path is the caller's error, reported before any agent starts.
        run = run.with_(project=project_context(run))
        started = time.perf_counter()
        result = await self._execute(team, run)
        result.total_duration = time.perf_counter() - started
        result.total_cost_usd = sum(o.cost_usd for o in result.outputs) + result.synthesis_cost_usd
        return result

    async def _agent(self, template: AgentTemplate, tier: Tier, run: RunContext) -> AgentResult:
        result = await run_agent(template, run, tier=tier, client=self.client)
        run.agent_done(result)
        return result

    @abstractmethod
    async def _execute(self, team: list[tuple[AgentTemplate, Tier]], run: RunContext) -> StrategyResult: ...

    def _result(self, outputs: list[AgentResult], **final: Any) -> StrategyResult:
        return StrategyResult(strategy=self.name, success=bool(outputs) and all(o.success for o in outputs),
                              outputs=outputs, final_output=final)


def _stage_summary(result: AgentResult) -> dict[str, Any]:
    return {"agent": result.agent_id, "quality_score": result.quality_score,
            "summary": result.output.get("summary"), "findings": len(result.findings),
            "model": result.output.get("model")}


class SequentialStrategy(ExecutionStrategy):
    """A → B → C: every stage sees the previous stages' outputs (`RunContext.previous_outputs`)."""

    name = StrategyName.SEQUENTIAL

    async def _execute(self, team, run):
        outputs: list[AgentResult] = []
        for template, tier in team:
            stage = run.with_(previous_outputs=[_stage_summary(o) for o in outputs])
            outputs.append(await self._agent(template, tier, stage))
        return self._result(outputs, stages=[_stage_summary(o) for o in outputs],
                            final=_stage_summary(outputs[-1]))


class ParallelStrategy(ExecutionStrategy):
    """A ‖ B ‖ C, at most `max_concurrency` (default 4) at once; duration ≈ the longest agent."""

    name = StrategyName.PARALLEL

    async def _execute(self, team, run):
        gate = asyncio.Semaphore(run.max_concurrency)

        async def one(template: AgentTemplate, tier: Tier) -> AgentResult:
            async with gate:
                return await self._agent(template, tier, run)

        outputs = list(await asyncio.gather(*(one(t, tier) for t, tier in team)))
        return self._result(outputs, results={o.agent_id: _stage_summary(o) for o in outputs})


class DebateStrategy(ExecutionStrategy):
    """Independent positions (in parallel), then a synthesis from measured agreement (+ a model call)."""

    name = StrategyName.DEBATE
    min_agents = 2

    async def _execute(self, team, run):
        positions = await ParallelStrategy(self.client)._execute(team, run)
        outputs = positions.outputs
        verdict = agreement(outputs, run.quality_threshold)
        final = {"consensus": verdict.consensus, "verdict": verdict.verdict, "veto": verdict.veto,
                 "confidence": verdict.confidence,
                 "agreement": verdict.model_dump(exclude={"consensus", "confidence", "verdict", "veto"}),
                 "positions": [_stage_summary(o) for o in outputs]}
        final["synthesis"] = await self._synthesis(outputs, verdict.consensus, team, run.budget)
        result = self._result(outputs, **final)
        result.success = result.success and verdict.veto is None  # a veto cannot be outvoted, nor succeed
        result.synthesis_cost_usd = final["synthesis"].get("cost_usd", 0.0)
        return result

    async def _synthesis(self, outputs, consensus, team, budget) -> dict[str, Any]:
        client = self.client or ModelClient()
        if not client.configured:
            return {"basis": "agreement of tool findings", "note": "no model configured"}
        tier = max((tier for _, tier in team), key=lambda t: t.rank)
        prompt = ("Reconcile these agents' positions into one recommendation. Measured consensus: "
                  f"{consensus}\n" + "\n".join(f"- {o.agent_id}: {o.output.get('summary')}" for o in outputs))
        try:
            reply = await budgeted_complete(client, budget, tier, "You synthesise code review positions.",
                                            prompt, what="the debate synthesis")
        except OverBudget as exc:
            return {"basis": "agreement of tool findings", "note": f"synthesis skipped: {exc.reason}"}
        except ModelError as exc:
            return {"basis": "agreement of tool findings", "note": f"synthesis failed: {exc.reason}"}
        return {"basis": "model", "model": reply.model, "text": reply.text, "cost_usd": reply.cost_usd}


class TeachingStrategy(ExecutionStrategy):
    """Junior first; the expert redoes the junior's *artifact* only if it scores below `quality_threshold`
    (7.0) or the verification engine rejects it (see orchestration/teaching). With no content and no file
    named (a whole project), the junior's measured report is judged instead and `final_output["artifact"]`
    says so."""

    name = StrategyName.TEACHING
    min_agents = 2

    async def _execute(self, team, run):
        content = content_of(run)
        if content is not None:
            outputs, final = await teach(team, run, content, self.client, run.agent_done)
            result = self._result(outputs, **final)
            result.success = final["completed_by"] is not None  # an artifact was kept
            return result
        threshold = run.quality_threshold
        (junior, j_tier), (expert, e_tier) = team[0], team[-1]
        first = await self._agent(junior, j_tier, run)
        score = first.quality_score
        report = ("none: no `content` and no file named, so the junior's tool report on the project is "
                  "judged, and the expert reports too")
        if first.success and score is not None and score >= threshold:
            return self._result([first], completed_by=junior.id, expert_needed=False, artifact=report,
                                reason=f"junior scored {score} ≥ threshold {threshold}")
        why = (f"junior scored {score} < threshold {threshold}" if score is not None
               else f"junior produced no score ({first.error or first.model_note or 'nothing measured'})")
        second = await self._agent(expert, e_tier, run.with_(previous_outputs=[_stage_summary(first)]))
        result = self._result([first, second], completed_by=expert.id, expert_needed=True, reason=why,
                              artifact=report)
        result.success = second.success
        return result


class RefinementStrategy(ExecutionStrategy):
    """Drafter → reviewer → editor over a content artifact (the context's `content`, or the file the run
    names), each stage's artifact measured, stopping at `target_quality` (see orchestration/refinement).
    On a whole project the artifact is its weakest file: the one the drafter's tools find most wrong with
    (measured, no model), named in `final_output["artifact_path"]`."""

    name = StrategyName.REFINEMENT
    min_agents = 2

    async def _execute(self, team, run):
        content = content_of(run)
        chosen: dict[str, Any] = {}
        if content is None:
            weakest = await _weakest_file(team[0], run)
            if weakest is None:
                return self._result([], artifact="none: the drafter's tools found nothing to refine in the "
                                                  "project", completed_by=None)
            path, chosen = weakest
            run = run.with_(target=path)
            content = path.read_text(encoding="utf-8", errors="replace")
        outputs, final = await refine(team, run, content, self.client, run.agent_done)
        return self._result(outputs, **final, **chosen)


async def _weakest_file(drafter: tuple[AgentTemplate, Tier], run: RunContext) -> tuple[Any, dict[str, Any]] | None:
    """The project's .py file with the most findings of the drafter's tools (tools only, no model)."""
    template, tier = drafter
    report = await run_agent(template, run.with_(use_model=False), tier=tier)
    counts: dict[str, int] = {}
    for finding in report.findings:
        if finding.path.endswith(".py") and (run.project_root / finding.path).is_file():
            counts[finding.path] = counts.get(finding.path, 0) + 1
    if not counts:
        return None
    rel = max(sorted(counts), key=lambda p: counts[p])
    tools = ", ".join(template.tools)
    return run.project_root / rel, {"artifact_path": rel, "artifact": (
        f"the project's weakest file {rel}: {counts[rel]} finding(s) of {tools}, the most of any file")}


class AdaptiveStrategy(ExecutionStrategy):
    """Classify the *task* (its domain from the lexicon; its complexity measured on the files it names, else
    the project) and route to the team's specialist for that domain at the cheapest adequate tier."""

    name = StrategyName.ADAPTIVE
    min_agents = 2  # routing needs a choice

    async def _execute(self, team, run):
        scored = score_domains(run.task or "")
        domain = next(iter(scored), None)
        serving = [pair for pair in team if domain in pair[0].serves] if domain else []
        pool = serving or team
        files = named_files(run.task, run.project_root)
        measured = await asyncio.to_thread(classify_complexity, run.project, run.complexity, files)
        measured["domain"] = domain
        ranked = sorted(pool, key=lambda pair: pair[1].rank)
        by_size = {"simple": Tier.CHEAP, "moderate": Tier.CAPABLE, "complex": Tier.PREMIUM}[measured["level"]]
        severity, floor, said = task_severity(run.task or "", domain)
        needed = max(by_size, floor, key=lambda t: t.rank)
        measured["severity"] = severity
        adequate = [pair for pair in ranked if pair[1].rank >= needed.rank]
        template, tier = adequate[0] if adequate else ranked[-1]
        why_domain = (f"the task is about {domain} ({', '.join(scored[domain][1])})" if serving
                      else f"no agent of the team serves {domain}" if domain else "the task names no domain")
        reason = (f"{why_domain}; complexity {measured['level']} ({measured['basis']}) needs tier ≥ "
                  f"{by_size.value}; severity {severity}{f' ({said})' if said else ''} needs tier ≥ {floor.value}; "
                  f"{template.id} ({tier.value}) is the cheapest adequate of {len(pool)}")
        if not adequate:
            reason += "; none reached it, so the highest available tier was used"
        out = await self._agent(template, tier, run)
        return self._result([out], routed_to=template.id, tier=tier.value, reason=reason, classification=measured)


STRATEGIES: dict[str, type[ExecutionStrategy]] = {
    cls.name.value: cls for cls in (SequentialStrategy, ParallelStrategy, DebateStrategy, TeachingStrategy,
                                    RefinementStrategy, AdaptiveStrategy)
}
MIN_AGENTS = {name: cls.min_agents for name, cls in STRATEGIES.items()}
# The planner never proposes "parallel" for one agent (it runs, but there is nothing to overlap).
PLAN_MIN_AGENTS = {**MIN_AGENTS, StrategyName.PARALLEL.value: 2}


def get_strategy(name: str | StrategyName, client: ModelClient | None = None) -> ExecutionStrategy:
    key = str(getattr(name, "value", name)).strip().lower()
    if key not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; known strategies: {', '.join(STRATEGIES)}")
    return STRATEGIES[key](client)

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

from empathy_os.analyzers.base import Finding, Severity
from empathy_os.llm import ModelClient, ModelError, Tier
from empathy_os.orchestration.agent_templates import AgentTemplate, get_template
from empathy_os.orchestration.budget import Budget
from empathy_os.orchestration.debate import agreement
from empathy_os.orchestration.project_size import classify_complexity
from empathy_os.orchestration.runtime import AgentResult, project_context, run_agent

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
            raise ValueError(f"not an agent template: {item!r}")
        out.append((template, Tier.parse(tier or template.tier_preference)))
    return out


class ExecutionStrategy(ABC):
    name: StrategyName
    min_agents = 1

    def __init__(self, client: ModelClient | None = None):
        self.client = client

    async def execute(self, agents: Agents, context: dict[str, Any] | None = None) -> StrategyResult:
        if context is not None and not isinstance(context, dict):
            raise ValueError("context must be a dict")
        context = dict(context or {})
        team = normalize_agents(agents)
        if len(team) < self.min_agents:
            raise ValueError(f"the {self.name.value} strategy needs at least {self.min_agents} agents, "
                             f"got {len(team)}")
        budget = context.get("_budget") or Budget(context.get("max_cost"))
        context["_budget"] = budget
        # Resolve the project once: a bad path is the caller's error, reported before any agent starts.
        context["_project"] = project_context(context)
        started = time.perf_counter()
        result = await self._execute(team, context, budget)
        result.total_duration = time.perf_counter() - started
        result.total_cost_usd = sum(o.cost_usd for o in result.outputs) + result.synthesis_cost_usd
        return result

    async def _agent(self, template: AgentTemplate, tier: Tier, context: dict[str, Any],
                     budget: Budget) -> AgentResult:
        result = await run_agent(template, context, tier=tier, client=self.client, budget=budget)
        if callable(context.get("on_agent_done")):
            context["on_agent_done"](result)
        return result

    @abstractmethod
    async def _execute(self, team: list[tuple[AgentTemplate, Tier]], context: dict[str, Any],
                       budget: Budget) -> StrategyResult: ...

    def _result(self, outputs: list[AgentResult], **final: Any) -> StrategyResult:
        return StrategyResult(strategy=self.name, success=bool(outputs) and all(o.success for o in outputs),
                              outputs=outputs, final_output=final)


def _stage_summary(result: AgentResult) -> dict[str, Any]:
    return {"agent": result.agent_id, "quality_score": result.quality_score,
            "summary": result.output.get("summary"), "findings": len(result.findings),
            "model": result.output.get("model")}


class SequentialStrategy(ExecutionStrategy):
    """A → B → C: every stage sees the previous stages' outputs in `context["previous_outputs"]`."""

    name = StrategyName.SEQUENTIAL

    async def _execute(self, team, context, budget):
        outputs: list[AgentResult] = []
        for template, tier in team:
            stage_ctx = {**context, "previous_outputs": [_stage_summary(o) for o in outputs]}
            outputs.append(await self._agent(template, tier, stage_ctx, budget))
        return self._result(outputs, stages=[_stage_summary(o) for o in outputs],
                            final=_stage_summary(outputs[-1]))


class ParallelStrategy(ExecutionStrategy):
    """A ‖ B ‖ C, at most `max_concurrency` (default 4) at once; duration ≈ the longest agent."""

    name = StrategyName.PARALLEL

    async def _execute(self, team, context, budget):
        limit = int(context.get("max_concurrency") or 4)
        if limit < 1:
            raise ValueError("max_concurrency must be at least 1")
        gate = asyncio.Semaphore(limit)

        async def one(template: AgentTemplate, tier: Tier) -> AgentResult:
            async with gate:
                return await self._agent(template, tier, context, budget)

        outputs = list(await asyncio.gather(*(one(t, tier) for t, tier in team)))
        return self._result(outputs, results={o.agent_id: _stage_summary(o) for o in outputs})


class DebateStrategy(ExecutionStrategy):
    """Independent positions (in parallel), then a synthesis from measured agreement (+ a model call)."""

    name = StrategyName.DEBATE
    min_agents = 2

    async def _execute(self, team, context, budget):
        positions = await ParallelStrategy(self.client)._execute(team, context, budget)
        outputs = positions.outputs
        verdict = agreement(outputs, float(context.get("quality_threshold", 7.0)))
        final = {"consensus": verdict.consensus, "confidence": verdict.confidence,
                 "agreement": verdict.model_dump(exclude={"consensus", "confidence"}),
                 "positions": [_stage_summary(o) for o in outputs]}
        final["synthesis"] = await self._synthesis(outputs, verdict.consensus, team, budget)
        result = self._result(outputs, **final)
        result.synthesis_cost_usd = final["synthesis"].get("cost_usd", 0.0)
        return result

    async def _synthesis(self, outputs, consensus, team, budget) -> dict[str, Any]:
        client = self.client or ModelClient()
        if not client.configured:
            return {"basis": "agreement of tool findings", "note": "no model configured"}
        tier = max((tier for _, tier in team), key=lambda t: t.rank)
        spec = client.spec(tier)
        prompt = ("Reconcile these agents' positions into one recommendation. Measured consensus: "
                  f"{consensus}\n" + "\n".join(f"- {o.agent_id}: {o.output.get('summary')}" for o in outputs))
        estimate = spec.cost(len(prompt) // 3 + 200, spec.max_output_tokens)
        if not budget.reserve(estimate):
            return {"basis": "agreement of tool findings", "note": "synthesis skipped: would exceed max_cost"}
        try:
            reply = await client.complete(tier, "You synthesise code review positions.", prompt)
        except ModelError as exc:
            return {"basis": "agreement of tool findings", "note": f"synthesis failed: {exc.reason}"}
        finally:
            budget.release(estimate)
        budget.spend(reply.cost_usd)
        return {"basis": "model", "model": reply.model, "text": reply.text, "cost_usd": reply.cost_usd}


class TeachingStrategy(ExecutionStrategy):
    """Junior first; the expert runs only if the junior's score is below `quality_threshold` (7.0)."""

    name = StrategyName.TEACHING
    min_agents = 2

    async def _execute(self, team, context, budget):
        threshold = float(context.get("quality_threshold", 7.0))
        (junior, j_tier), (expert, e_tier) = team[0], team[-1]
        first = await self._agent(junior, j_tier, context, budget)
        score = first.quality_score
        if first.success and score is not None and score >= threshold:
            return self._result([first], completed_by=junior.id, expert_needed=False,
                                reason=f"junior scored {score} ≥ threshold {threshold}")
        why = (f"junior scored {score} < threshold {threshold}" if score is not None
               else f"junior produced no score ({first.error or first.model_note or 'nothing measured'})")
        expert_ctx = {**context, "previous_outputs": [_stage_summary(first)]}
        second = await self._agent(expert, e_tier, expert_ctx, budget)
        result = self._result([first, second], completed_by=expert.id, expert_needed=True, reason=why)
        result.success = second.success
        return result


class RefinementStrategy(ExecutionStrategy):
    """Draft → review → polish; each stage is given the previous stage's output."""

    name = StrategyName.REFINEMENT
    min_agents = 2

    async def _execute(self, team, context, budget):
        seq = await SequentialStrategy(self.client)._execute(team, context, budget)
        seq.strategy = self.name
        seq.final_output["progression"] = [o.quality_score for o in seq.outputs]
        return seq


class AdaptiveStrategy(ExecutionStrategy):
    """Classify the project's complexity (measured), route to the cheapest adequate specialist."""

    name = StrategyName.ADAPTIVE
    min_agents = 2  # routing needs a choice

    async def _execute(self, team, context, budget):
        ctx = context["_project"]
        measured = await asyncio.to_thread(classify_complexity, ctx, context.get("complexity"))
        ranked = sorted(team, key=lambda pair: pair[1].rank)
        needed = {"simple": Tier.CHEAP, "moderate": Tier.CAPABLE, "complex": Tier.PREMIUM}[measured["level"]]
        adequate = [pair for pair in ranked if pair[1].rank >= needed.rank]
        template, tier = adequate[0] if adequate else ranked[-1]
        reason = (f"complexity {measured['level']} ({measured['basis']}) needs tier ≥ {needed.value}; "
                  f"{template.id} ({tier.value}) is the cheapest adequate of {len(team)}")
        if not adequate:
            reason += "; none reached it, so the highest available tier was used"
        out = await self._agent(template, tier, context, budget)
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

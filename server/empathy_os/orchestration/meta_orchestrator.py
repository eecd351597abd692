"""MetaOrchestrator: task → team of agents + composition pattern + cost/time estimate + rationale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from empathy_os.llm import ModelClient, Tier, load_tier_table
from empathy_os.orchestration import task_analysis as ta
from empathy_os.orchestration.agent_templates import AgentTemplate, get_all_templates, get_template
from empathy_os.orchestration.execution_strategies import (
    PLAN_MIN_AGENTS,
    StrategyName,
    StrategyResult,
    get_strategy,
)
from empathy_os.orchestration.project_size import normalize_hint
from empathy_os.orchestration.workspace_store import find_reusable, record_outcome

# Prior per-tool wall times (s) used only for the *estimate*; reports always show measured durations.
TOOL_PRIOR_SECONDS = {"coverage": 8.0, "test_durations": 6.0, "bandit": 2.0, "ruff": 0.5, "radon": 1.0,
                      "docstrings": 1.0, "import_graph": 1.0, "code_smells": 1.0}
MODEL_PRIOR_SECONDS = 10.0
DOMAIN_ALIASES = {"tests": "testing", "test": "testing", "docs": "documentation", "doc": "documentation",
                  "code_quality": "quality", "perf": "performance", "refactor": "refactoring"}


class ExecutionPlan(BaseModel):
    task: str
    task_pattern: str
    agents: list[AgentTemplate]
    strategy: StrategyName
    estimated_cost: float = Field(description="USD upper bound if every model step runs; $0 when offline")
    estimated_duration: float = Field(description="seconds, from per-tool priors (an estimate)")
    complexity: str
    domains: list[str]
    rationale: dict[str, str]
    reused_configuration: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["agents"] = [{"id": a.id, "role": a.role, "tier": a.tier_preference.value, "tools": list(a.tools)}
                          for a in self.agents]
        return data

    async def execute(self, context: dict[str, Any] | None = None) -> StrategyResult:
        """Run the plan; unless `context["learn"]` is False, record the outcome against its composition."""
        context = dict(context or {})
        result = await get_strategy(self.strategy).execute(self.agents, context)
        if context.get("learn", True):
            scores = [o.quality_score for o in result.outputs if o.quality_score is not None]
            result.final_output["learning"] = record_outcome(
                context, task_pattern=self.task_pattern,
                agents=[(a.id, a.tier_preference.value) for a in self.agents], strategy=self.strategy.value,
                quality_gates={}, success=result.success,
                quality_score=sum(scores) / len(scores) if scores else None)
        return result


class MetaOrchestrator:
    def __init__(self, client: ModelClient | None = None):
        self.client = client

    def analyze_and_compose(self, task: str, context: dict[str, Any] | None = None) -> ExecutionPlan:
        if not isinstance(task, str) or not task.strip():
            raise ValueError("task must be a non-empty description, e.g. 'Prepare for production release'")
        if context is not None and not isinstance(context, dict):
            raise ValueError("context must be a dict")
        context = dict(context or {})
        if context.get("max_cost") is not None:
            from empathy_os.orchestration.budget import Budget

            Budget(context["max_cost"])  # validates: a negative cap is the caller's error
        tokens = set(ta.words(task))
        rationale: dict[str, str] = {}

        domains = self._domains(tokens, context.get("domain"), rationale)
        team = self._team(domains, context.get("capabilities"), rationale)
        hint = normalize_hint(context.get("complexity"))
        if hint:
            complexity = hint
            rationale["complexity"] = f"{hint}, from the caller's hint"
        else:
            complexity, hits = ta.complexity_from_words(tokens)
            rationale["complexity"] = (f"{complexity}, from the words {hits}" if hits
                                       else "moderate: no complexity words in the task")
        strategy, team = self._strategy(tokens, domains, team, rationale)
        team = self._tiers(team, complexity, strategy, rationale)
        pattern = "+".join(ta.DOMAIN_PATTERNS[d] for d in domains) or "code_review"

        reused = None
        if context.get("learn", True):
            learned = self._learned(pattern, context)
            if learned is not None:
                reused, strategy2, team2, rationale["learned"] = learned
                if reused is not None:
                    strategy, team = strategy2, team2
        plan = ExecutionPlan(task=task, task_pattern=pattern, agents=team, strategy=strategy,
                             estimated_cost=0.0, estimated_duration=0.0, complexity=complexity,
                             domains=domains, rationale=rationale, reused_configuration=reused)
        self._estimate(plan, context)
        return plan

    # -- steps ---------------------------------------------------------------------------------------
    def _domains(self, tokens: set[str], hint: Any, rationale: dict[str, str]) -> list[str]:
        found = ta.domains_of(tokens)
        hinted = [hint] if isinstance(hint, str) else list(hint or [])
        for name in hinted:
            key = DOMAIN_ALIASES.get(str(name).lower(), str(name).lower())
            if key not in ta.DOMAIN_AGENTS:
                raise ValueError(f"unknown domain {name!r}; known domains: {', '.join(ta.DOMAIN_AGENTS)}")
            if key not in found:
                found.insert(0, key)
        if "release" in found:  # a release subsumes the individual checks
            found = ["release"] + [d for d in found if d not in ("release", "security", "testing", "quality",
                                                                 "documentation")]
        rationale["domains"] = (f"{', '.join(found)} (whole-word match on the task"
                                f"{' + domain hint' if hinted else ''})" if found else
                                "no domain words recognised: defaulting to a code review")
        return found

    def _team(self, domains: list[str], capabilities: Any, rationale: dict[str, str]) -> list[AgentTemplate]:
        ids: list[str] = []
        for d in domains or ["quality"]:
            ids += [i for i in ta.DOMAIN_AGENTS[d] if i not in ids]
        wanted = [capabilities] if isinstance(capabilities, str) else list(capabilities or [])
        for cap in wanted:
            name = getattr(cap, "name", cap)
            holders = [t.id for t in get_all_templates() if t.has_capability(str(name))]
            if not holders:
                raise ValueError(f"no agent template has the capability {name!r}")
            if not set(holders) & set(ids):
                ids.append(holders[0])
        rationale["agents"] = f"{', '.join(ids)}: the agents for {', '.join(domains or ['quality'])}" + (
            f", covering the capabilities {', '.join(map(str, wanted))}" if wanted else "")
        return [get_template(i) for i in ids]

    def _strategy(self, tokens, domains, team, rationale):
        votes = ta.strategy_votes(tokens)
        if "release" in domains:
            rationale["strategy"] = "parallel: release checks are independent, so they run at the same time"
            return StrategyName.PARALLEL, team
        for name in ("debate", "refinement", "teaching", "adaptive", "sequential", "parallel"):
            if name in votes:
                team2 = _fit(name, team)
                if team2 is not None:
                    rationale["strategy"] = f"{name}: the task says {votes[name]}" + (
                        f"; team extended to {len(team2)} agents so {name} can run" if len(team2) != len(team)
                        else "")
                    return StrategyName(name), team2
        if len(team) >= 2:
            rationale["strategy"] = "parallel: several independent agents"
            return StrategyName.PARALLEL, team
        rationale["strategy"] = "sequential: a single agent"
        return StrategyName.SEQUENTIAL, team

    def _tiers(self, team, complexity, strategy, rationale):
        if complexity != "simple" or strategy in (StrategyName.TEACHING, StrategyName.ADAPTIVE):
            rationale["tiers"] = "each template's preferred tier"
            return team
        out = []
        for t in team:
            lower = list(Tier)[max(0, t.tier_preference.rank - 1)]
            out.append(t if lower == t.tier_preference else t.model_copy(update={"tier_preference": lower}))
        rationale["tiers"] = "one tier below each template's preference: the task is simple"
        return out

    def _learned(self, pattern: str, context: dict[str, Any]):
        config, note = find_reusable(pattern, context)
        if config is None:
            return None if note is None else (None, None, None, note)
        try:
            team = []
            for agent in config.agents:
                template = get_template(agent.get("template") or agent["role"])
                tier = Tier.parse(agent.get("tier") or template.tier_preference)
                team.append(template if tier == template.tier_preference
                            else template.model_copy(update={"tier_preference": tier}))
            strategy = StrategyName(config.strategy)
        except ValueError as exc:
            return None, None, None, f"learned configuration {config.id} not reusable: {exc}"
        if len(team) < PLAN_MIN_AGENTS[strategy.value]:
            return None, None, None, f"learned configuration {config.id} has too few agents for {strategy}"
        return config.id, strategy, team, note

    def _estimate(self, plan: ExecutionPlan, context: dict[str, Any]) -> None:
        root = context.get("project_path") or context.get("path")
        settings = {}
        if root and (Path(str(root)) / "pyproject.toml").is_file():
            from empathy_os.analyzers.project import read_empathy_settings

            settings = read_empathy_settings(Path(str(root)))
        tiers = (self.client.tiers if self.client else load_tier_table(settings))
        per_cost, per_time = [], []
        for t in plan.agents:
            spec = tiers[t.tier_preference]
            per_cost.append(spec.cost(t.resource_requirements.max_tokens, spec.max_output_tokens))
            tools = max((TOOL_PRIOR_SECONDS.get(name, 1.0) for name in t.tools), default=0.0)
            per_time.append(tools + MODEL_PRIOR_SECONDS)
        s = plan.strategy
        if s == StrategyName.PARALLEL:
            cost, duration = sum(per_cost), max(per_time)
        elif s == StrategyName.DEBATE:
            top = max(plan.agents, key=lambda a: a.tier_preference.rank).tier_preference
            spec = tiers[top]
            cost = sum(per_cost) + spec.cost(4000, spec.max_output_tokens)
            duration = max(per_time) + MODEL_PRIOR_SECONDS
        elif s == StrategyName.ADAPTIVE:
            cost, duration = max(per_cost), max(per_time)
        else:  # sequential, refinement, teaching (upper bound: the expert runs too)
            cost, duration = sum(per_cost), sum(per_time)
        plan.estimated_cost = round(cost, 6)
        plan.estimated_duration = round(duration, 1)
        offline = not (self.client or ModelClient()).configured
        plan.rationale["estimate"] = (
            "cost: upper bound of the model steps (token budget × tier price)"
            + ("; offline now (no ANTHROPIC_API_KEY), so a run would spend $0" if offline else "")
            + "; duration: per-tool priors, not a measurement")


def _fit(strategy: str, team: list[AgentTemplate]) -> list[AgentTemplate] | None:
    """A team the strategy can run, extending it with a sensible partner when one agent is not enough."""
    need = PLAN_MIN_AGENTS[strategy]
    ids = [t.id for t in team]
    if strategy == "refinement":
        reviewer = "code_reviewer" if ids[0] != "code_reviewer" else "refactoring_specialist"
        return [team[0], get_template(reviewer), team[0]] if len(team) < 3 else team
    if strategy == "teaching":
        ordered = sorted(team, key=lambda t: t.tier_preference.rank)
        junior = ordered[0]
        experts = [t for t in ordered if t.tier_preference.rank > junior.tier_preference.rank]
        expert = experts[-1] if experts else get_template(
            "code_reviewer" if junior.tier_preference == Tier.CHEAP else "architecture_analyst")
        if expert.tier_preference.rank <= junior.tier_preference.rank:
            junior = junior.model_copy(update={"tier_preference": Tier.CHEAP})
        return [junior, expert]
    if strategy == "adaptive" and len(team) < need:
        base = team[0]
        return [base.model_copy(update={"tier_preference": tier}) for tier in Tier]
    if strategy == "debate" and len(team) < need:
        partners = ["architecture_analyst", "code_reviewer"] if ids[0] == "security_auditor" else [
            "code_reviewer" if ids[0] != "code_reviewer" else "refactoring_specialist"]
        return team + [get_template(p) for p in partners if p not in ids]
    return team if len(team) >= need else None

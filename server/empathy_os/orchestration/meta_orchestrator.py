"""MetaOrchestrator: task → team of agents + composition pattern + cost/time estimate + rationale."""

from __future__ import annotations

import random
import time
from typing import Any

from pydantic import BaseModel, Field

from empathy_os import gates as gate_rules
from empathy_os.llm import ModelClient, Tier, load_tier_table
from empathy_os.orchestration import intent
from empathy_os.orchestration import task_analysis as ta
from empathy_os.orchestration.agent_templates import (
    AgentTemplate,
    get_all_templates,
    get_template,
    second_opinions,
    specialists,
)
from empathy_os.orchestration.execution_strategies import (
    PLAN_MIN_AGENTS,
    StrategyName,
    StrategyResult,
    get_strategy,
)
from empathy_os.orchestration.exploration import thompson_pick
from empathy_os.orchestration.lexicon import LEXICON, gitmoji_as_type, score_domains
from empathy_os.orchestration.project_size import normalize_hint
from empathy_os.orchestration.run_context import RunContext
from empathy_os.orchestration.task_classifier import Classification, classify
from empathy_os.orchestration.workspace_store import record_outcome, recorded_compositions
from empathy_os.store.composition_records import composition_id, describe

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
    # The caller's hints the plan was made with; a run of the plan keeps them unless it overrides them.
    hints: dict[str, Any] = Field(default_factory=dict)
    # A workflow the plan runs as its composition ("test_coverage_boost", "fix"), and its arguments.
    workflow: str | None = None
    workflow_args: dict[str, Any] = Field(default_factory=dict)
    classified_by: str = "lexicon"  # "model" | "lexicon": which part of planning was model-assisted

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["agents"] = [{"id": a.id, "role": a.role, "tier": a.tier_preference.value, "tools": list(a.tools)}
                          for a in self.agents]
        return data

    async def execute(self, context: RunContext | dict[str, Any] | None = None) -> StrategyResult:
        """Run the plan; unless the context says `learn: False`, record the outcome against its composition."""
        run = RunContext.parse(context)
        kept = {k: v for k, v in self.hints.items() if getattr(run, k) is None}
        run = run.with_(task=run.task or self.task, **kept)
        gates = gate_rules.plan_gates(self.domains, [a.quality_gates for a in self.agents], run.quality_gates)
        if self.workflow:
            # The workflow measures its own success (target reached / every finding fixed and verified).
            from empathy_os.orchestration.compositions import run_workflow

            started = time.perf_counter()
            result, success, quality = await run_workflow(self, run)
            result.total_duration = time.perf_counter() - started
            result.total_cost_usd = sum(o.cost_usd for o in result.outputs)
            rows: list[gate_rules.GateResult] = []
        else:
            result = await get_strategy(self.strategy).execute(self.agents, run)
            rows, success, quality = gate_rules.judge(gates, result.outputs, result.success, run.quality_threshold)
        result.final_output["gates"] = rows
        result.final_output["measured_success"] = success
        result.success = result.success and success
        if not run.learn:
            return result
        if not run.trusted:
            result.final_output["learning"] = "untrusted workspace: outcome not recorded"
            return result
        if unmeasured := [g.name for g in rows if g.actual is None]:
            result.final_output["learning"] = "outcome not recorded: gate(s) not measured: " + ", ".join(unmeasured)
            return result
        result.final_output["learning"] = record_outcome(
            run, task_pattern=self.task_pattern,
            agents=[(a.id, a.tier_preference.value) for a in self.agents], strategy=self.strategy.value,
            quality_gates=gates, success=success, quality_score=quality)
        return result


class MetaOrchestrator:
    def __init__(self, client: ModelClient | None = None):
        self.client = client

    def analyze_and_compose(self, task: str, context: RunContext | dict[str, Any] | None = None) -> ExecutionPlan:
        if not isinstance(task, str) or not task.strip():
            raise ValueError("task must be a non-empty description, e.g. 'Prepare for production release'")
        run = RunContext.parse(context)  # a negative max_cost is the caller's error, reported now
        tokens = set(ta.words(task))
        rationale: dict[str, str] = {}
        wording = gitmoji_as_type(task)  # ":zap: faster parser" is "perf: faster parser"
        found = classify(wording, use_model=run.use_model, budget=run.budget,
                         tiers=self.client.tiers if self.client else None)
        rationale["classification"] = found.note
        if found.refused:
            raise intent.OutOfScopeError(found.refused)

        steps = _steps(wording, found.workflow, rationale)
        domains = self._domains(wording, run.domain, rationale, found, steps)
        wanted = ([run.capabilities] if isinstance(run.capabilities, str) else list(run.capabilities or []))
        team = self._team(domains, wanted + [c for c in found.capabilities if c not in wanted], rationale)
        complexity = _complexity(run.complexity, found, tokens, rationale)
        if found.workflow:
            from empathy_os.orchestration.compositions import workflow_team

            strategy, team, pattern = workflow_team(found.workflow, domains, rationale, found.workflow_args)
        else:
            strategy, team = self._strategy(tokens, domains, team, rationale, steps)
            team = self._tiers(team, complexity, strategy, rationale)
            pattern = ("full_audit" if set(intent.SPECIALITIES) <= set(domains) else
                       "+".join(ta.DOMAIN_PATTERNS[d] for d in domains) or "code_review")

        reused = None
        if run.learn and not found.workflow:
            learned = self._learned(pattern, strategy, team, run, domains)
            if learned is not None:
                reused, strategy2, team2, rationale["learned"] = learned
                if reused is not None:
                    strategy, team = strategy2, team2
        plan = ExecutionPlan(task=task, task_pattern=pattern, agents=team, strategy=strategy,
                             estimated_cost=0.0, estimated_duration=0.0, complexity=complexity,
                             domains=domains, rationale=rationale, reused_configuration=reused,
                             hints={k: v for k, v in {"complexity": run.complexity, "domain": run.domain,
                                                      "capabilities": run.capabilities,
                                                      "quality_gates": run.quality_gates}.items() if v},
                             workflow=found.workflow, workflow_args=found.workflow_args,
                             classified_by=found.source)
        self._estimate(plan, run)
        return plan

    # -- steps ---------------------------------------------------------------------------------------
    def _domains(self, task: str, hint: Any, rationale: dict[str, str], model: Classification,
                 steps: list[str] | None) -> list[str]:
        scored = (model.workflow == "fix" and score_domains(intent.without_fix_verb(task))) or score_domains(task)
        hinted = [hint] if isinstance(hint, str) else list(hint or [])
        found = _asked_domains(task, scored, model, steps, bool(hinted))
        for name in reversed(hinted):
            key = DOMAIN_ALIASES.get(str(name).lower(), str(name).lower())
            if key not in LEXICON:
                raise ValueError(f"unknown domain {name!r}; known domains: {', '.join(LEXICON)}")
            found = [key] + [d for d in found if d != key]
        if found[:1] == ["release"] and not steps:  # a release subsumes the individual checks
            found = ["release"] + [d for d in found if d not in ("release", "security", "testing", "quality",
                                                                 "documentation")]
        words = "; ".join(f"{d}: {', '.join(hits)}" for d, (_, hits) in scored.items())
        source = {"model": "model classification; lexicon match",
                  "classifier": "learned classifier; lexicon match"}.get(model.source, "lexicon match")
        rationale["domains"] = (f"{', '.join(found)} ({source}: {words or 'none'}"
                                f"{' + domain hint' if hinted else ''})" if found else
                                "no domain words recognised: defaulting to a code review")
        return found

    def _team(self, domains: list[str], wanted: list[Any], rationale: dict[str, str]) -> list[AgentTemplate]:
        ids: list[str] = []
        for d in domains or ["quality"]:
            ids += [t.id for t in specialists(d) if t.id not in ids]
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

    def _strategy(self, tokens, domains, team, rationale, steps):
        votes = ta.strategy_votes(tokens)
        if steps and len(team) >= 2:
            rationale["strategy"] = f"sequential: the task gives its steps in order ({' → '.join(steps)})"
            return StrategyName.SEQUENTIAL, team
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

    def _learned(self, pattern: str, strategy: StrategyName, team: list[AgentTemplate], run: RunContext,
                 domains: list[str]):
        """Thompson sampling between the planned composition and those recorded for the pattern."""
        found, note = recorded_compositions(pattern, run)
        if not found:
            return None if note is None else (None, None, None, note)
        planned = composition_id(pattern, [(t.id, t.tier_preference.value) for t in team], strategy.value,
                                 gate_rules.plan_gates(domains, [t.quality_gates for t in team],
                                                      run.quality_gates))
        arms: dict[str, tuple[int, int]] = {planned: (0, 0)}
        configs = {}
        for config, source in found:
            arms[config.id] = (config.success_count, config.failure_count)
            configs[config.id] = (config, source)
        pick = thompson_pick(arms, random.Random(run.seed))
        how = (f"Thompson sampling over {len(arms)} composition(s) of {pattern}: "
               + ("explored (drew a composition other than the best-so-far)" if pick.explored
                  else "picked the best-so-far"))
        if pick.chosen == planned:
            return None, None, None, f"{how}; kept the planned composition"
        config, source = configs[pick.chosen]
        try:
            chosen_team = []
            for agent in config.agents:
                template = get_template(agent.get("template") or agent["role"])
                tier = Tier.parse(agent.get("tier") or template.tier_preference)
                chosen_team.append(template if tier == template.tier_preference
                                   else template.model_copy(update={"tier_preference": tier}))
            chosen_strategy = StrategyName(config.strategy)
        except ValueError as exc:
            return None, None, None, f"{how}; learned configuration {config.id} not reusable: {exc}"
        if len(chosen_team) < PLAN_MIN_AGENTS[chosen_strategy.value]:
            return None, None, None, f"{how}; learned configuration {config.id} has too few agents"
        return config.id, chosen_strategy, chosen_team, f"{how}; {describe(config, source)}"

    def _estimate(self, plan: ExecutionPlan, run: RunContext) -> None:
        settings = {}
        if (run.project_root / "pyproject.toml").is_file():
            from empathy_os.analyzers.project import read_empathy_settings

            settings = read_empathy_settings(run.project_root)
        tiers = (self.client.tiers if self.client else load_tier_table(settings))
        from empathy_os.analyzers.specs import prior_seconds, tools_of

        per_cost, per_time = [], []
        for t in plan.agents:
            spec = tiers[t.tier_preference]
            per_cost.append(spec.cost(t.resource_requirements.max_tokens, spec.max_output_tokens))
            # Each analyzer's prior wall time (its spec), used only for the *estimate*; reports show measured ones.
            tools = max((prior_seconds(name) for name in tools_of(t.id, t.tools)), default=0.0)
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


def _asked_domains(task: str, scored: dict[str, tuple[float, list[str]]], model: Classification,
                   steps: list[str] | None, hinted: bool) -> list[str]:
    """The task's domains before the caller's hints; OutOfScopeError when it asks for no work at all."""
    # A side remark does not add a specialist: a domain counts when it scores at least half the top one.
    top = max((score for score, _ in scored.values()), default=0.0)
    found = list(model.domains) if model.source == "model" else [d for d, (s, _) in scored.items() if s >= top / 2]
    if steps:
        return list(steps)  # the order the task gives its steps is the order they run
    if intent.whole_team(task, found):
        return list(intent.SPECIALITIES)
    # The learned classifier was sure which domain leads; a release readiness check keeps its own rule (the
    # classifier's labels call release chores out of scope and have no label for checking readiness).
    if model.learned_domain and found[:1] != [model.learned_domain] and not intent.release_check(task):
        model.source = "classifier"
        return [model.learned_domain] + [d for d in found if d != model.learned_domain]
    if not (found or hinted or model.workflow or model.source == "model" or intent.asks_for_code_work(task)):
        raise intent.OutOfScopeError("the task names no work Empathy's agents do")
    if model.workflow == "fix" and intent.reports_defect(task):
        return intent.bug_fix_domains(found, scored, by_model=model.source == "model")
    return found


def _steps(task: str, workflow: str | None, rationale: dict[str, str]) -> list[str] | None:
    """The task's steps in order; a workflow runs alone, and the rationale says so rather than drop the
    other steps unseen."""
    steps = intent.ordered_domains(task)
    if workflow and steps:
        rationale["steps"] = (f"the task also names the steps {' → '.join(steps)}; the {workflow} workflow "
                              "runs alone: ask for the other steps as their own task")
        return None
    return steps


def _complexity(hint: Any, found: Classification, tokens: set[str], rationale: dict[str, str]) -> str:
    level = normalize_hint(hint)
    if level:
        rationale["complexity"] = f"{level}, from the caller's hint"
        return level
    if found.complexity:
        rationale["complexity"] = f"{found.complexity}, from the model's classification"
        return found.complexity
    level, hits = ta.complexity_from_words(tokens)
    rationale["complexity"] = (f"{level}, from the words {hits}" if hits
                               else "moderate: no complexity words in the task")
    return level


def _fit(strategy: str, team: list[AgentTemplate]) -> list[AgentTemplate] | None:
    """A team the strategy can run: too small a team is extended from the templates' declared `reviews`."""
    need = PLAN_MIN_AGENTS[strategy]
    fitter = _FITTERS.get(strategy)
    if fitter is not None:
        return fitter(team, need)
    return team if len(team) >= need else None


def _fit_refinement(team: list[AgentTemplate], need: int) -> list[AgentTemplate] | None:
    if len(team) >= 3:
        return team
    reviewer = next(iter(second_opinions(team[:1])), None)
    return [team[0], reviewer, team[0]] if reviewer else None  # drafter, reviewer, editor


def _fit_teaching(team: list[AgentTemplate], need: int) -> list[AgentTemplate] | None:
    ordered = sorted(team, key=lambda t: t.tier_preference.rank)
    junior, expert = ordered[0], ordered[-1]
    if expert.tier_preference.rank <= junior.tier_preference.rank:
        expert = next(iter(second_opinions([junior])), expert)
    if expert.id == junior.id and expert.tier_preference == junior.tier_preference:
        return None
    if expert.tier_preference.rank <= junior.tier_preference.rank:
        junior = junior.model_copy(update={"tier_preference": Tier.CHEAP})
    return [junior, expert]


def _fit_adaptive(team: list[AgentTemplate], need: int) -> list[AgentTemplate] | None:
    if len(team) >= need:
        return team
    return [team[0].model_copy(update={"tier_preference": tier}) for tier in Tier]  # route by tier


def _fit_debate(team: list[AgentTemplate], need: int) -> list[AgentTemplate] | None:
    if len(team) >= need:
        return team
    extended = team + second_opinions(team)[:2]
    return extended if len(extended) >= need else None


_FITTERS = {"refinement": _fit_refinement, "teaching": _fit_teaching, "adaptive": _fit_adaptive,
            "debate": _fit_debate}


"""An agent = template + tier. It runs the template's analyzers on the project named in the context, then,
when a model is configured and the budget allows, makes one call to the tier's model for judgement.

Score basis (reported in `AgentResult.basis`):
- "tools": mean of the analyzers' 0-10 scores (each analyzer documents its own formula);
- "none": nothing measured a score (quality_score is None, never a made-up number).
A model's own 0-10 score is its opinion, not a measurement: it is kept apart as `model_score` ("the model's
view", shown beside the gates) and never enters `quality_score`, so no gate can be passed by a model saying
so. Confidence, likewise, is measured: the share of the template's analyzers that actually ran.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from pydantic import BaseModel, Field

from empathy_os.analyzers.contract import AnalyzerResult, Finding, ProjectContext, Severity
from empathy_os.llm import Budget, ModelClient, ModelError, OverBudget, Tier, budgeted_complete
from empathy_os.orchestration.agent_templates import AgentTemplate
from empathy_os.orchestration.run_context import RunContext

SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}
SYSTEM = "You are a senior software engineer. Be terse and factual."
PROMPT_FINDINGS = 40  # findings shown to the model; the rest are counted, not listed
JUDGEMENT = {"type": "object", "required": ["summary", "priorities", "quality_score", "confidence"], "properties": {
    "summary": {"type": "string"}, "priorities": {"type": "array", "items": {"type": "string"}},
    "quality_score": {"type": "number"}, "confidence": {"type": "number"}}}  # structured output of the model step


class AgentResult(BaseModel):
    agent_id: str
    role: str
    tier: Tier
    success: bool
    output: dict[str, Any] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    quality_score: float | None = Field(default=None, ge=0, le=10)
    confidence: float = Field(default=0.0, ge=0, le=1)
    duration: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    basis: str = "none"  # tools | none
    model_score: float | None = Field(default=None, ge=0, le=10)  # the model's view; never in a gate
    model: str | None = None
    model_note: str | None = None  # why the model step was skipped or failed
    error: str | None = None
    analyzers: list[AnalyzerResult] = Field(default_factory=list)

    @property
    def metrics(self) -> dict[str, dict[str, Any]]:
        """Measured metrics per analyzer (tools may use the same metric names)."""
        return {r.analyzer: r.metrics for r in self.analyzers if r.ran}

    def metric(self, name: str) -> Any:
        """The first analyzer's value for `name`, or None when nothing measured it."""
        for r in self.analyzers:
            if r.ran and r.metrics.get(name) is not None:
                return r.metrics[name]
        return None


def project_context(run: RunContext) -> ProjectContext:
    """The run's project, loaded once (a strategy loads it before any agent starts)."""
    root = run.project_root
    if not root.is_dir():
        raise ValueError(f"project path {str(root)!r} does not exist or is not a folder")
    if run.project is not None and run.project.root == root:
        return run.project
    from empathy_os.analyzers.project import load_project

    ctx = load_project(root, python=run.python, trusted=run.trusted)
    ctx.use_cache = run.use_cache
    return ctx


async def run_agent(
    template: AgentTemplate,
    context: RunContext | dict[str, Any] | None,
    *,
    tier: Tier | None = None,
    client: ModelClient | None = None,
    budget: Budget | None = None,
) -> AgentResult:
    """Run one agent, enforcing its timeout. Never raises except on cancellation (and a bad context)."""
    run = RunContext.parse(context)
    tier = Tier.parse(tier or template.tier_preference)
    started = time.perf_counter()
    timeout = template.resource_requirements.timeout_seconds
    try:
        result = await asyncio.wait_for(_run(template, tier, run, client, budget or run.budget), timeout)
    except TimeoutError:
        result = AgentResult(agent_id=template.id, role=template.role, tier=tier, success=False,
                             error=f"timed out after {timeout:g}s (ResourceRequirements.timeout_seconds)")
    except ValueError as exc:
        result = AgentResult(agent_id=template.id, role=template.role, tier=tier, success=False, error=str(exc))
    result.duration = time.perf_counter() - started
    return result


async def _run(template: AgentTemplate, tier: Tier, run: RunContext,
               client: ModelClient | None, budget: Budget | None) -> AgentResult:
    from empathy_os.analyzers import run_analyzer
    from empathy_os.analyzers.specs import tools_of

    ctx = project_context(run)
    tools = tools_of(template.id, template.tools)
    analyzer_results = list(await asyncio.gather(*(run_analyzer(name, ctx) for name in tools)))
    findings = sorted((f for r in analyzer_results for f in r.findings),
                      key=lambda f: (SEVERITY_ORDER[f.severity], f.path, f.line))
    ran = [r for r in analyzer_results if r.ran]
    scores = [r.score for r in ran if r.score is not None]
    tool_score = round(sum(scores) / len(scores), 2) if scores else None
    coverage_of_tools = len(ran) / len(tools) if tools else 0.0

    result = AgentResult(
        agent_id=template.id, role=template.role, tier=tier,
        success=bool(ran), findings=findings, quality_score=tool_score,
        confidence=round(coverage_of_tools, 3), basis="tools" if tool_score is not None else "none",
        analyzers=analyzer_results,
        error=None if ran else "; ".join(f"{r.analyzer}: {r.error}" for r in analyzer_results) or "no tools",
    )
    result.output = {
        "summary": _tool_summary(template, analyzer_results, findings),
        "metrics": result.metrics,
        "sources": {r.analyzer: r.tool for r in analyzer_results},
        "not_measured": {r.analyzer: r.error for r in analyzer_results if not r.ran},
        "previous_stages_seen": len(run.previous_outputs),
    }
    await _model_step(result, template, tier, run, client or ModelClient(), budget)
    return result


def _tool_summary(template: AgentTemplate, results: list[AnalyzerResult], findings: list[Finding]) -> str:
    parts = []
    for r in results:
        if r.ran:
            parts.append(f"{r.tool}: {len(r.findings)} finding(s)" + (" (cached)" if r.cached else ""))
        else:
            parts.append(f"{r.analyzer}: not run ({r.error})")
    by_sev: dict[str, int] = {}
    for f in findings:
        by_sev[f.severity.value] = by_sev.get(f.severity.value, 0) + 1
    counts = ", ".join(f"{n} {s}" for s, n in by_sev.items()) or "no findings"
    return f"{template.role}: {counts}. " + "; ".join(parts)


def _prompt(template: AgentTemplate, result: AgentResult, run: RunContext) -> str:
    lines = [f"Role: {template.role}. {template.default_instructions}",
             f"Measured metrics: {json.dumps(result.metrics, default=str)}",
             f"Tool score (0-10): {result.quality_score}",
             f"Findings ({len(result.findings)} total, most severe first):"]
    for f in result.findings[:PROMPT_FINDINGS]:
        lines.append(f"- [{f.severity.value}] {f.tool} {f.rule} {f.path}:{f.line} {f.message}")
    for prev in run.previous_outputs[-3:]:
        lines.append(f"Previous stage: {json.dumps(prev, default=str)[:1500]}")
    if run.content:
        lines.append(f"Content under review:\n{run.content[:4000]}")
    if run.issues:
        lines.append(f"Issues to address: {json.dumps(run.issues, default=str)[:3000]}")
    lines.append('Answer with one JSON object: {"summary": str, "priorities": [str], '
                 '"quality_score": number 0-10, "confidence": number 0-1}.')  # also sent as the schema
    return "\n".join(lines)


async def _model_step(result: AgentResult, template: AgentTemplate, tier: Tier, run: RunContext,
                      client: ModelClient, budget: Budget | None) -> None:
    if not client.configured or not run.use_model:
        result.model_note = "model step skipped: no ANTHROPIC_API_KEY (offline; tool results only)"
        return
    prompt = _prompt(template, result, run)
    try:
        reply = await budgeted_complete(client, budget, tier, SYSTEM, prompt, what=f"{template.id}'s model step",
                                        schema=JUDGEMENT)
    except OverBudget as exc:
        result.model_note = f"model step skipped: {exc.reason}"
        return
    except ModelError as exc:
        result.model_note = f"model step failed, tool results only: {exc.reason}"
        result.cost_usd = exc.cost_usd  # a refused or truncated answer was billed all the same
        return
    result.model, result.input_tokens, result.output_tokens = reply.model, reply.input_tokens, reply.output_tokens
    result.cost_usd = reply.cost_usd
    judgement = parse_judgement(reply.text)
    if judgement is None:
        result.model_note = "model reply was not the requested JSON; tool results only"
        result.output["model_text"] = reply.text[:2000]
        return
    result.output["model"] = judgement
    model_score = judgement.get("quality_score")
    if isinstance(model_score, (int, float)) and not isinstance(model_score, bool) and 0 <= model_score <= 10:
        result.model_score = round(float(model_score), 2)
    result.success = True


def parse_judgement(text: str) -> dict[str, Any] | None:
    """The first JSON object in the reply (models sometimes wrap it in prose or a code fence)."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if not match:
        return None
    try:
        value = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None



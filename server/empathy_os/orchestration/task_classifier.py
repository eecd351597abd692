"""What a task asks for: its domains, complexity, capabilities and whether it names a workflow.

With ANTHROPIC_API_KEY, a CHEAP model classifies the task in one structured tool call (the SDK enforces
the JSON schema; the domain and capability names are enums of what the planner knows), under the run's
budget. Offline, or when that call fails, is refused by the budget or answers outside the schema, the
lexicon (orchestration/lexicon.py) classifies it, corrected where the learned classifier (learned.py) is
sure of another plan, and `source`/`note` say which and why.

Two tasks name a workflow rather than a team: raising test coverage ("bump coverage to 85 percent") is
the test-coverage boost, and an imperative fix anywhere ("please fix …", "clean up …") is the verified-fix
workflow. These, and work no agent does ("Deploy to kubernetes"), are recognised by their wording in both
modes (orchestration/intent.py); the model's answer can add a workflow or a refusal, never remove the
wording's. The model may answer `out_of_scope` with a reason: the schema allows no domain then.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel, Field

from empathy_os.llm import Budget, ModelClient, ModelError, OverBudget, Tier, budgeted_tool_call
from empathy_os.orchestration import learned
from empathy_os.orchestration.agent_templates import get_all_templates
from empathy_os.orchestration.intent import (
    CAN,
    asks_for_workflow,
    boost_args,
    fix_args,
    named_workflow,
    refusal,
    release_check,
)
from empathy_os.orchestration.lexicon import LEXICON

WORKFLOWS = ("test_coverage_boost", "fix")
COMPLEXITIES = ("simple", "moderate", "complex")
SYSTEM = ("You route software-engineering tasks to specialist agents. The task may be written in any language. "
          "Classify it: whether it is in scope, its domains (most important first), how complex it is, and the "
          "capabilities it needs. In scope is only what these agents do: " + CAN + ". Anything else (features, "
          "deployment, translation, creative writing, project management, shell commands) is out_of_scope, "
          "with a short reason.")


class Classification(BaseModel):
    domains: list[str] = Field(default_factory=list)
    complexity: str | None = None
    capabilities: list[str] = Field(default_factory=list)
    workflow: str | None = None  # "test_coverage_boost" | "fix" | None
    workflow_args: dict[str, Any] = Field(default_factory=dict)
    refused: str | None = None  # why the task is out of scope (the wording's or the model's answer)
    source: str = "lexicon"  # "model" | "classifier" (the learned classifier decided) | "lexicon"
    learned_domain: str | None = None  # the domain the learned classifier put first
    model: str | None = None
    cost_usd: float = 0.0
    note: str = ""


def classify_tool() -> dict[str, Any]:
    capabilities = sorted({c for t in get_all_templates() for c in t.capability_names})
    return {
        "name": "classify_task",
        "description": "Classify one software-engineering task for routing.",
        "input_schema": {"type": "object", "properties": {
            "scope": {"type": "string", "enum": ["in_scope", "out_of_scope"],
                      "description": "out_of_scope: no agent here does what the task asks."},
            "reason": {"type": "string", "description": "When out_of_scope: what the task asks that no agent "
                                                          "does, in a few words."},
            "domains": {"type": "array", "items": {"type": "string", "enum": list(LEXICON)},
                        "description": "The domains the task is about, most important first (none when out "
                                       "of scope)."},
            "complexity": {"type": "string", "enum": list(COMPLEXITIES)},
            "capabilities": {"type": "array", "items": {"type": "string", "enum": capabilities}},
            "workflow": {"type": "string", "enum": ["none", *WORKFLOWS],
                         "description": "test_coverage_boost: the task asks to raise test coverage; fix: "
                                        "the task asks to fix findings or bugs in the code; else none."}},
            "required": ["scope", "domains", "complexity"]},
    }


def classify(task: str, *, use_model: bool, budget: Budget | None, tiers: Any = None) -> Classification:
    """The model's classification when one is configured and answers well; else the lexicon's (see module)."""
    workflow, args = named_workflow(task)
    offline = Classification(workflow=workflow, workflow_args=args, refused=refusal(task))
    client = ModelClient(tiers)
    if not use_model or not client.configured:
        offline.note = "lexicon: offline (no ANTHROPIC_API_KEY)" if use_model else "lexicon: model use disabled"
        return _corrected(task, offline)
    # Planning is synchronous (the tutorial calls it without await); the one model call runs on its own
    # loop in a helper thread, so it works inside a caller's running event loop too.
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(asyncio.run, _ask(client, task, budget)).result()
    if isinstance(answer, str):
        offline.note = f"lexicon: the model classification failed ({answer})"
        return offline
    return _from_model(*answer, offline)


def _from_model(data: dict[str, Any], reply: Any, offline: Classification) -> Classification:
    """The model's answer as a Classification; the wording's workflow and refusal always stand."""
    paid = {"source": "model", "model": reply.model, "cost_usd": reply.cost_usd}
    note = f"model: {reply.model} (CHEAP tier, ${reply.cost_usd:.6f})"
    if data.get("scope") == "out_of_scope":
        why = str(data.get("reason") or "").strip() or "the model judged it outside what the agents do"
        return Classification(refused=offline.refused or why, note=f"{note}: out of scope", **paid)
    domains = [d for d in data.get("domains") or [] if d in LEXICON]
    if not domains:
        offline.note = f"lexicon: the model named no known domain ({data.get('domains')!r})"
        return offline
    said = data.get("workflow")
    known = {c for t in get_all_templates() for c in t.capability_names}
    return Classification(
        domains=list(dict.fromkeys(domains)),
        complexity=data.get("complexity") if data.get("complexity") in COMPLEXITIES else None,
        capabilities=[c for c in data.get("capabilities") or [] if c in known],
        workflow=offline.workflow or (said if said in WORKFLOWS else None), workflow_args=offline.workflow_args,
        refused=offline.refused, note=note, **paid)


def _corrected(task: str, offline: Classification) -> Classification:
    """The word lists' classification, with the learned classifier's plan where it is sure of it. It may
    not take away a workflow the wording asks for ("please fix …", "raise coverage to 90 %": issue 28's
    promise) nor refuse a release readiness check (its labels call cutting a release out of scope)."""
    guess = learned.predict(task)
    offline.note += f"; {guess.describe() if guess else learned.MISSING}"
    if guess is None or not _decides(task, guess):
        return offline
    before = (offline.refused, offline.workflow, offline.workflow_args)
    _apply(task, guess, offline)
    if (offline.refused, offline.workflow, offline.workflow_args) != before:
        offline.source = "classifier"  # else the planner says so if the classifier changes the domains
    return offline


def _decides(task: str, guess: learned.Prediction) -> bool:
    """Whether the classifier's label may stand for the word lists' plan."""
    label = guess.label
    if not guess.confident or (label.startswith("fix:") and label[4:] not in learned.fixing_agents()):
        return False  # unsure, or a fix lead the fix workflow lacks: the word lists' plan stands
    if task.rstrip().endswith("?") and (label == "boost" or label.startswith("fix:")):
        return False  # "Is the coverage above 80 %?" asks for a look, not for changes
    return not (label == "refused" and release_check(task))


def _apply(task: str, guess: learned.Prediction, offline: Classification) -> None:
    """The classifier's label as the classification's refusal, workflow and leading domain."""
    label = guess.label
    if label == "refused":
        offline.refused = offline.refused or guess.why_refused()
    elif label == "boost":
        args = offline.workflow_args if offline.workflow == "test_coverage_boost" else boost_args(task)
        offline.refused, offline.workflow, offline.workflow_args = None, "test_coverage_boost", args
    elif label.startswith("fix:"):
        agent = label.removeprefix("fix:")
        args = offline.workflow_args if offline.workflow == "fix" else fix_args(task)
        if "agent" in args:  # a tool named ("fix the bandit findings"); the classifier knows the lead better
            args = {**args, "agent": agent}
        offline.refused, offline.workflow, offline.workflow_args = None, "fix", args
        offline.learned_domain = learned.FIX_DOMAINS[agent]
    elif offline.workflow and asks_for_workflow(task):
        offline.refused, offline.learned_domain = None, label  # "Repair the missing docstrings": its lead
    else:
        offline.refused, offline.workflow, offline.workflow_args, offline.learned_domain = None, None, {}, label


async def _ask(client: ModelClient, task: str, budget: Budget | None):
    """(tool input, reply), or a one-line reason."""
    try:
        reply = await budgeted_tool_call(client, budget, Tier.CHEAP, SYSTEM, "Task to classify:", task,
                                         classify_tool(), max_tokens=300, what="task classification",
                                         effort="low")
    except (OverBudget, ModelError) as exc:
        return exc.reason
    finally:
        await client.aclose()
    if reply.input is None:
        return "no classify_task call in the reply"
    return reply.input, reply

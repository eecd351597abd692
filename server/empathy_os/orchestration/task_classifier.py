"""What a task asks for: its domains, complexity, capabilities and whether it names a workflow.

With ANTHROPIC_API_KEY, a CHEAP model classifies the task in one structured tool call (the SDK enforces
the JSON schema; the domain and capability names are enums of what the planner knows), under the run's
budget. Offline, or when that call fails, is refused by the budget or answers outside the schema, the
lexicon (orchestration/lexicon.py) classifies it, and `source`/`note` say which and why.

Two tasks name a workflow rather than a team: raising test coverage ("Boost test coverage to 90 %") is
the test-coverage boost, and a task that starts with fixing ("Fix …", "Repair …", "Resolve …") is the
verified-fix workflow. These are recognised by their wording in both modes (the model's answer can add
one, never remove the wording's).
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel, Field

from empathy_os.llm import Budget, ModelClient, ModelError, OverBudget, Tier, budgeted_tool_call
from empathy_os.orchestration.agent_templates import get_all_templates
from empathy_os.orchestration.lexicon import LEXICON

WORKFLOWS = ("test_coverage_boost", "fix")
COMPLEXITIES = ("simple", "moderate", "complex")
_BOOST = re.compile(r"\b(boost|raise|increase|improve|push|lift|bring|get)\b.*\bcoverage\b", re.IGNORECASE)
_PERCENT = re.compile(r"\b(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b)")
_FIX = re.compile(r"^\s*(fix|repair|resolve|correct)\b", re.IGNORECASE)
SYSTEM = ("You route software-engineering tasks to specialist agents. Classify the task: its domains (most "
          "important first), how complex it is, and the capabilities it needs.")


class Classification(BaseModel):
    domains: list[str] = Field(default_factory=list)
    complexity: str | None = None
    capabilities: list[str] = Field(default_factory=list)
    workflow: str | None = None  # "test_coverage_boost" | "fix" | None
    workflow_args: dict[str, Any] = Field(default_factory=dict)
    source: str = "lexicon"  # "model" | "lexicon"
    model: str | None = None
    cost_usd: float = 0.0
    note: str = ""


def classify_tool() -> dict[str, Any]:
    capabilities = sorted({c for t in get_all_templates() for c in t.capability_names})
    return {
        "name": "classify_task",
        "description": "Classify one software-engineering task for routing.",
        "input_schema": {"type": "object", "properties": {
            "domains": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": list(LEXICON)},
                        "description": "The domains the task is about, most important first."},
            "complexity": {"type": "string", "enum": list(COMPLEXITIES)},
            "capabilities": {"type": "array", "items": {"type": "string", "enum": capabilities}},
            "workflow": {"type": "string", "enum": ["none", *WORKFLOWS],
                         "description": "test_coverage_boost: the task asks to raise test coverage; fix: "
                                        "the task asks to fix findings or bugs in the code; else none."}},
            "required": ["domains", "complexity"]},
    }


def named_workflow(task: str) -> tuple[str | None, dict[str, Any]]:
    """The workflow the task's wording names, and its arguments (a boost's target percent)."""
    if _BOOST.search(task):
        found = _PERCENT.search(task)
        target = float(found.group(1)) if found and 0 < float(found.group(1)) <= 100 else None
        return "test_coverage_boost", ({"target": target} if target is not None else {})
    if _FIX.match(task):
        return "fix", {}
    return None, {}


def classify(task: str, *, use_model: bool, budget: Budget | None, tiers: Any = None) -> Classification:
    """The model's classification when one is configured and answers well; else the lexicon's (see module)."""
    workflow, args = named_workflow(task)
    offline = Classification(workflow=workflow, workflow_args=args)
    client = ModelClient(tiers)
    if not use_model or not client.configured:
        offline.note = "lexicon: offline (no ANTHROPIC_API_KEY)" if use_model else "lexicon: model use disabled"
        return offline
    # Planning is synchronous (the tutorial calls it without await); the one model call runs on its own
    # loop in a helper thread, so it works inside a caller's running event loop too.
    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(asyncio.run, _ask(client, task, budget)).result()
    if isinstance(answer, str):
        offline.note = f"lexicon: the model classification failed ({answer})"
        return offline
    data, reply = answer
    domains = [d for d in data.get("domains") or [] if d in LEXICON]
    if not domains:
        offline.note = f"lexicon: the model named no known domain ({data.get('domains')!r})"
        return offline
    said = data.get("workflow")
    if workflow is None and said in WORKFLOWS:
        workflow = said
    known = {c for t in get_all_templates() for c in t.capability_names}
    return Classification(
        domains=list(dict.fromkeys(domains)),
        complexity=data.get("complexity") if data.get("complexity") in COMPLEXITIES else None,
        capabilities=[c for c in data.get("capabilities") or [] if c in known],
        workflow=workflow, workflow_args=args, source="model", model=reply.model, cost_usd=reply.cost_usd,
        note=f"model: {reply.model} (CHEAP tier, ${reply.cost_usd:.6f})")


async def _ask(client: ModelClient, task: str, budget: Budget | None):
    """(tool input, reply), or a one-line reason."""
    try:
        reply = await budgeted_tool_call(client, budget, Tier.CHEAP, SYSTEM, "Task to classify:", task,
                                         classify_tool(), max_tokens=300, what="task classification")
    except (OverBudget, ModelError) as exc:
        return exc.reason
    finally:
        await client.aclose()
    if reply.input is None:
        return "no classify_task call in the reply"
    return reply.input, reply

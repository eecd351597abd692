"""Structured model calls: tool use with a JSON schema (the fix proposers, the planner's task
classification), and prompt caching of a shared context block.

The reply is the tool call's `input` (the SDK parses it; no regex over text). The project context is the
second system block, marked `cache_control: ephemeral`, so every proposal after the first reads it from
the cache. Cost = Σ tokens × the tier's price, where cache writes cost 1.25× and cache reads 0.1× the
input price (Anthropic's published multipliers for the 5-minute cache); the reply's own usage fields are
what is priced, never an estimate.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from empathy_os.llm.client import ModelClient, ModelError
from empathy_os.llm.tiers import Tier, TierSpec

CACHE_WRITE_MULTIPLIER = 1.25
CACHE_READ_MULTIPLIER = 0.10


class ToolReply(BaseModel):
    input: dict[str, Any] | None  # the tool call's arguments; None when the model called no tool
    text: str
    model: str
    tier: Tier
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cost_usd: float


def price(spec: TierSpec, input_tokens: int, output_tokens: int, cache_write: int, cache_read: int) -> float:
    return (input_tokens * spec.input_price + output_tokens * spec.output_price
            + cache_write * spec.input_price * CACHE_WRITE_MULTIPLIER
            + cache_read * spec.input_price * CACHE_READ_MULTIPLIER) / 1_000_000


def worst_case(spec: TierSpec, characters: int, max_tokens: int) -> float:
    """Upper bound of one call: ~3 characters per token (conservative), all of it written to the cache,
    and the whole output allowance."""
    return price(spec, 0, max_tokens, characters // 3, 0)


def request_size(system: str, context: str, prompt: str, tool: dict[str, Any]) -> int:
    """Characters sent by one `call_tool` (the schema counts too): what `worst_case` prices."""
    return len(system) + len(context) + len(prompt) + len(str(tool))


async def call_tool(client: ModelClient, tier: Tier, system: str, context: str, prompt: str,
                    tool: dict[str, Any], max_tokens: int | None = None) -> ToolReply:
    spec = client.spec(tier)
    message = await client.create_message(
        tier,
        max_tokens=max_tokens or spec.max_output_tokens,
        system=[
            {"type": "text", "text": system},
            {"type": "text", "text": context, "cache_control": {"type": "ephemeral"}},
        ],
        messages=[{"role": "user", "content": prompt}],
        tools=[tool],
        tool_choice={"type": "tool", "name": tool["name"]},
    )
    usage = getattr(message, "usage", None)
    content = getattr(message, "content", None)
    if usage is None or not isinstance(content, list):
        raise ModelError(f"{spec.model}: unreadable response body")
    args = next((b.input for b in content if getattr(b, "type", "") == "tool_use"
                 and getattr(b, "name", "") == tool["name"]), None)
    text = "".join(getattr(b, "text", "") for b in content if getattr(b, "type", "") == "text")
    counts = {k: int(getattr(usage, k, 0) or 0) for k in (
        "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")}
    return ToolReply(
        input=args if isinstance(args, dict) else None, text=text,
        model=getattr(message, "model", spec.model) or spec.model, tier=tier, **counts,
        cost_usd=price(spec, counts["input_tokens"], counts["output_tokens"],
                       counts["cache_creation_input_tokens"], counts["cache_read_input_tokens"]),
    )

"""Structured model calls: a strict tool with a JSON schema (the fix proposers, the planner's task
classification), and prompt caching of a shared context block.

Sonnet 5.5 and Opus 5.5 refuse forced tool use (`tool_choice` "any"/"tool": 400), so every tier gets the
same request: the tool with `strict: true` (its input is guaranteed to match the schema, which therefore
closes every object with `additionalProperties: false`) and `tool_choice: auto`; whether the answer called
the tool is checked (`budgeted.converse` sends one reminder turn when it did not). The reply is the tool
call's `input`, found by block type (the reply starts with a thinking block); no regex over text.

Caching: the request is tools → system (the role) → the project context → the prompt, so the stable part
comes first; the context carries the cache breakpoint only when that prefix, counted by the count-tokens
endpoint, reaches the model's minimum cacheable length (below it the API caches nothing and a breakpoint
would only make the worst case dearer). Cache writes and reads are priced at the model's own rates
(`TierSpec.cost`), from the reply's usage fields, never an estimate.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from empathy_os.llm.client import ModelReply, Turn
from empathy_os.llm.tiers import Tier, TierSpec

if TYPE_CHECKING:
    from empathy_os.llm.client import ModelClient

EPHEMERAL = {"type": "ephemeral"}


class ToolReply(ModelReply):
    input: dict[str, Any] | None  # the tool call's arguments; None when the model called no tool


def price(spec: TierSpec, input_tokens: int, output_tokens: int, cache_write: int, cache_read: int) -> float:
    return spec.cost(input_tokens, output_tokens, cache_write, cache_read)


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with `additionalProperties: false` on every object, as strict tools require."""
    out = dict(schema)
    if out.get("type") == "object":
        out["additionalProperties"] = False
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: closed(v) if isinstance(v, dict) else v for k, v in out["properties"].items()}
    if isinstance(out.get("items"), dict):
        out["items"] = closed(out["items"])
    return out


def strict(tool: dict[str, Any]) -> dict[str, Any]:
    return {**tool, "strict": True, "input_schema": closed(tool["input_schema"])}


async def request(client: ModelClient, tier: Tier, system: str, context: str, prompt: str,
                  tool: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The request body (without model, max_tokens, effort) and whether it carries a cache breakpoint."""
    tools = [strict(tool)]
    blocks = [{"type": "text", "text": system}, {"type": "text", "text": context}]
    cached = await prefix_tokens(client, tier, tools, blocks) >= client.spec(tier).min_cacheable_tokens
    if cached:
        blocks[1] = {**blocks[1], "cache_control": EPHEMERAL}
    params = {"system": blocks, "messages": [{"role": "user", "content": prompt}], "tools": tools,
              "tool_choice": {"type": "auto"}}
    return params, cached


async def prefix_tokens(client: ModelClient, tier: Tier, tools: list[dict[str, Any]],
                        system: list[dict[str, Any]]) -> int:
    """Tokens of tools + system (the cacheable prefix), counted once per model and prefix."""
    model = client.spec(tier).model
    digest = hashlib.sha256(json.dumps([tools, system], sort_keys=True).encode()).hexdigest()
    key = (model, digest)
    if key not in client.prefix_tokens:
        # The endpoint needs a message; one character's worth of it is noise next to a 512-token minimum.
        client.prefix_tokens[key] = await client.count_tokens(
            tier, {"system": system, "tools": tools, "messages": [{"role": "user", "content": "."}]})
    return client.prefix_tokens[key]


def arguments(turn: Turn, name: str) -> dict[str, Any] | None:
    args = next((b.input for b in turn.blocks("tool_use") if getattr(b, "name", "") == name), None)
    return args if isinstance(args, dict) else None

"""What the strict fake enforces, per model, from Anthropic's published docs (read 2026-12-07; the sources are
listed in the README's "Models and cost"). A rule breaks → `Rejected(message)`, a 400 invalid_request_error.

Messages quoted from the docs: the two `thinking.type` ones. The docs name the other rejections (forced tool
use on Sonnet/Opus 5.5; sampling parameters and assistant prefill on the 5.5 models; strict schemas without
`additionalProperties: false`) without quoting the API's text, so those messages are our wording.

Token counting stands in for the newer tokenizer (the 5.5 models count ~30 % more than Haiku 4.5 did): short
word pieces of up to six letters (with their leading space), digits, punctuation, newlines and
indentation, times 1.3 — deterministic, and above the old "characters ÷ 3" estimate
for code. The tool-use system prompt Anthropic bills when `tools` are sent is a fixed 300 tokens here (the
5.5 figure is not in the docs we read); the count-tokens endpoint includes it, as the real one does.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

EFFORTS = ("low", "medium", "high", "xhigh", "max")
THINKING_BY_EFFORT = {"low": 200, "medium": 800, "high": 2000, "xhigh": 4000, "max": 8000}  # fake's habits
TOOL_SYSTEM_TOKENS = 300
MAX_OUTPUT = 128_000
MIN_CACHEABLE = 512
_PIECE = re.compile(r" ?[A-Za-z]{1,6}|\d{1,3}|\n|[ \t]{2,}|[^\sA-Za-z\d]")
_SAMPLING = ("temperature", "top_p", "top_k")
_THINKING_MSG = ('"thinking.type.{kind}" is not supported for this model. Use "thinking.type.adaptive" and '
                 '"output_config.effort" to control thinking behavior.')


class Rejected(Exception):
    """A request the documented API answers with 400 invalid_request_error."""


@dataclass(frozen=True)
class ModelRules:
    default_effort: str
    thinking_types: tuple[str, ...]  # accepted `thinking.type` values
    forced_tools: bool  # tool_choice any/tool accepted
    disabled_max_effort: str | None = None  # Haiku: `disabled` only at this effort or lower


MODELS = {
    "claude-haiku-5-5": ModelRules("medium", ("adaptive", "disabled"), True, disabled_max_effort="high"),
    "claude-sonnet-5-5": ModelRules("high", ("adaptive", "between_tools"), False),
    "claude-opus-5-5": ModelRules("medium", ("adaptive",), False),
}


def count_text(text: str) -> int:
    return math.ceil(len(_PIECE.findall(text)) * 1.3)


def block_text(block: Any) -> str:
    if isinstance(block, str):
        return block
    kind = block.get("type")
    if kind == "text":
        return block.get("text", "")
    if kind == "tool_use":
        return block.get("name", "") + json.dumps(block.get("input", {}))
    if kind == "tool_result":
        content = block.get("content", "")
        return content if isinstance(content, str) else "".join(block_text(b) for b in content)
    return ""  # thinking blocks of earlier turns are not re-read as input


def count_request(body: dict[str, Any]) -> int:
    """Input tokens of a Messages request (what `usage.input_tokens` + cache fields add up to)."""
    system = body.get("system") or ""
    parts = [system] if isinstance(system, str) else [block_text(b) for b in system]
    for message in body.get("messages") or []:
        content = message.get("content", "")
        parts += [content] if isinstance(content, str) else [block_text(b) for b in content]
    tools = body.get("tools") or []
    tokens = sum(count_text(p) for p in parts) + 4 * len(body.get("messages") or [])
    if tools:
        tokens += TOOL_SYSTEM_TOKENS + count_text(json.dumps(tools))
    if (body.get("output_config") or {}).get("format"):
        tokens += count_text(json.dumps(body["output_config"]["format"]))
    return tokens


def cached_prefix(body: dict[str, Any]) -> int:
    """Tokens up to and including the last block marked `cache_control` (tools → system → messages order)."""
    prefix: dict[str, Any] = {"messages": []}
    tools = body.get("tools") or []
    if any(t.get("cache_control") for t in tools):
        prefix["tools"] = tools
    system = body.get("system")
    if isinstance(system, list):
        marks = [i for i, b in enumerate(system) if b.get("cache_control")]
        if marks:
            prefix["tools"], prefix["system"] = tools, system[:marks[-1] + 1]
    if "tools" not in prefix:
        return 0
    return count_request(prefix)


def effort_of(body: dict[str, Any], rules: ModelRules) -> str:
    return (body.get("output_config") or {}).get("effort") or rules.default_effort


def thinks(body: dict[str, Any]) -> bool:
    """Adaptive thinking is on by default on all three; `disabled` / `between_tools` turn up-front thinking off."""
    return (body.get("thinking") or {}).get("type", "adaptive") == "adaptive"


def check(body: dict[str, Any], rules: ModelRules, *, counting: bool = False) -> None:
    """Raise Rejected for what the docs say this model refuses."""
    if not counting:
        size = body.get("max_tokens")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_OUTPUT:
            raise Rejected(f"max_tokens: must be an integer between 1 and {MAX_OUTPUT}, got {size!r}")
    messages = body.get("messages") or []
    if not messages:
        raise Rejected("messages: at least one message is required")
    if messages[-1].get("role") == "assistant":
        raise Rejected("Assistant message prefill is not supported for this model: end with a user turn.")
    for name in _SAMPLING:
        if name in body:
            raise Rejected(f"{name}: sampling parameters are not supported for this model; remove "
                           "temperature, top_p and top_k.")
    _check_thinking(body, rules)
    choice = (body.get("tool_choice") or {}).get("type", "auto")
    if choice in ("any", "tool") and not rules.forced_tools:
        raise Rejected(f'tool_choice.type "{choice}" is not supported for this model: forced tool use returns '
                       'an error. Use tool_choice.type "auto" or "none".')
    _check_output_config(body)
    for tool in body.get("tools") or []:
        if tool.get("strict"):
            _closed(tool.get("input_schema") or {}, f"tools.{tool.get('name')}.input_schema")
    _check_thinking_blocks(messages, body.get("model", ""))


def _check_thinking(body: dict[str, Any], rules: ModelRules) -> None:
    thinking = body.get("thinking")
    if thinking is None:
        return
    kind = thinking.get("type")
    if kind not in rules.thinking_types:
        raise Rejected(_THINKING_MSG.format(kind=kind))
    limit = rules.disabled_max_effort
    if kind == "disabled" and limit is not None and EFFORTS.index(effort_of(body, rules)) > EFFORTS.index(limit):
        raise Rejected(f'"thinking.type.disabled" requires output_config.effort {limit} or lower on this model.')


def _check_output_config(body: dict[str, Any]) -> None:
    config = body.get("output_config") or {}
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS:
        raise Rejected(f"output_config.effort: expected one of {', '.join(EFFORTS)}, got {effort!r}")
    fmt = config.get("format")
    if fmt is not None:
        if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
            raise Rejected('output_config.format: expected {"type": "json_schema", "schema": {...}}')
        _closed(fmt["schema"], "output_config.format.schema")


def _closed(schema: dict[str, Any], where: str) -> None:
    """Structured outputs and strict tools: every object schema sets `additionalProperties: false`."""
    if schema.get("type") == "object" and schema.get("additionalProperties") is not False:
        raise Rejected(f"{where}: additionalProperties must be set to false for every object "
                       "(structured outputs / strict tools)")
    for sub in (schema.get("properties") or {}).values():
        if isinstance(sub, dict):
            _closed(sub, where)
    if isinstance(schema.get("items"), dict):
        _closed(schema["items"], where)


def _check_thinking_blocks(messages: list[dict[str, Any]], model: str) -> None:
    """Thinking blocks go back unchanged, to the model that wrote them (their signature says which)."""
    for message in messages:
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "thinking" and block.get("signature") != signature(model):
                raise Rejected("messages: a thinking block's signature is not valid for this model and "
                               "conversation; send thinking blocks back unchanged, to the same model.")


def signature(model: str) -> str:
    return f"fake-signature/{model}"

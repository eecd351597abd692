"""One budget per run and the one way to call a model under it.

`Budget(max_cost)` is the run's spending cap in USD (None: no cap); `validate_max_cost` is the only place a
cap is checked, so the CLI, the editor, the workflows and the strategies reject the same values with the
same message. `under_budget` is the reserve → call → release → spend sequence every Messages API call goes
through: the call's worst case is reserved first, so concurrent calls can never together exceed the cap;
what the call was billed replaces the reservation afterwards, also when it failed after being billed.

A call's worst case is its input as the count-tokens endpoint counts it (the model's own tokenizer, tools
and system included; +2 % because the docs call the count an estimate) at the dearest rate it can be billed
(a cache write when a breakpoint is set), plus the whole `max_tokens` at the output rate: thinking counts
toward `max_tokens`, so the reply can never bill more output. No call starts whose worst case exceeds what
is left of the cap, so `--max-cost` holds whatever the usage turns out to be.

`converse` reads the reply as the API sends it: `refusal` → ModelError(kind "refusal"), never retried or
escalated; `max_tokens` (thinking plus answer did not fit) → one retry with twice the room, or at a lower
effort when twice the room is not affordable, then ModelError(kind "truncated"); a structured call answered
without its tool → one reminder turn. `max_tokens` is sized as the answer's allowance plus a thinking
allowance for the chosen effort (all 5.5 models think adaptively by default; the allowances are ours — the
docs give no thinking sizes).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from empathy_os.llm import tool_use
from empathy_os.llm.client import USAGE_FIELDS, ModelClient, ModelError, ModelReply, Turn
from empathy_os.llm.tiers import Tier, TierSpec

R = TypeVar("R")


def validate_max_cost(value: Any) -> float | None:
    """None, or a finite number of USD ≥ 0; anything else → ValueError naming `max_cost`."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"max_cost must be a number of USD, got {value!r}")  # noqa: TRY004 - bad input
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"max_cost must be a number of USD, got {value!r}") from None
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise ValueError(f"max_cost must be >= 0 USD, got {value!r}")
    return number


class OverBudget(ModelError):
    """The call was not made: its worst case would exceed the cap. `reason` says by how much."""

    def __init__(self, reason: str):
        super().__init__(reason, kind="budget")


class Budget:
    """The spending cap shared by every model call of one run (thread- and task-safe)."""

    def __init__(self, max_cost: float | None = None):
        self.max_cost = validate_max_cost(max_cost)
        self.spent = 0.0
        self.calls = 0
        self.stopped: str | None = None  # the first refusal, for the report
        self.usage = dict.fromkeys(USAGE_FIELDS, 0)  # billed tokens of every call, for the report
        self._reserved = 0.0
        self._lock = threading.Lock()

    def reserve(self, estimate: float) -> bool:
        with self._lock:
            if self.max_cost is not None and self.spent + self._reserved + estimate > self.max_cost + 1e-12:
                return False
            self._reserved += estimate
            return True

    def release(self, estimate: float) -> None:
        with self._lock:
            self._reserved = max(0.0, self._reserved - estimate)

    def spend(self, amount: float) -> None:
        """One call made, costing `amount` (a failed call may still have been billed)."""
        with self._lock:
            self.spent += amount
            self.calls += 1

    def bill(self, usage: dict[str, int]) -> None:
        with self._lock:
            for key in USAGE_FIELDS:
                self.usage[key] += usage[key]

    def usage_line(self) -> str:
        u = self.usage
        return (f"model usage (billed): {self.calls} call(s), {u['input_tokens']:,} input + "
                f"{u['output_tokens']:,} output tokens, cache writes {u['cache_creation_input_tokens']:,}, "
                f"cache reads {u['cache_read_input_tokens']:,}, ${self.spent:.4f}")

    def refuse(self, what: str, estimate: float) -> str:
        reason = (f"max cost ${self.max_cost or 0:.4f} reached: {what} would cost up to ${estimate:.4f} "
                  f"(spent ${self.spent:.4f})")
        if self.stopped is None:
            self.stopped = reason
        return reason


EFFORTS = ("low", "medium", "high", "xhigh", "max")
THINKING_ALLOWANCE = {"low": 1024, "medium": 3072, "high": 6144, "xhigh": 12288, "max": 24576}
COUNT_MARGIN = 1.02
DEFAULT_ANSWER_TOKENS = 1024


@dataclass
class Request:
    """One model question: the request body without `model`, `max_tokens` and effort, which `converse` sets."""

    tier: Tier
    params: dict[str, Any]
    answer_tokens: int
    effort: str
    what: str
    cached: bool = False
    tool: str | None = None  # the tool a structured answer must call

    def body(self, spec: TierSpec) -> dict[str, Any]:
        size = min(self.answer_tokens + THINKING_ALLOWANCE[self.effort], spec.model_max_tokens)
        config = {**self.params.get("output_config", {}), "effort": self.effort}
        return {**self.params, "max_tokens": size, "output_config": config}


@dataclass
class Totals:
    usage: dict[str, int] = field(default_factory=lambda: dict.fromkeys(USAGE_FIELDS, 0))
    cost_usd: float = 0.0
    calls: int = 0

    def add(self, turn: Turn) -> None:
        for key in USAGE_FIELDS:
            self.usage[key] += turn.usage[key]
        self.cost_usd += turn.cost_usd
        self.calls += 1


async def converse(client: ModelClient, budget: Budget | None, request: Request) -> tuple[Turn, Totals]:
    """The last turn (its content holds the answer) and what all turns billed; see the module docstring."""
    totals = Totals()
    retried = reminded = False
    while True:
        try:
            turn = await _turn(client, budget, request, totals)
        except ModelError as exc:  # a retry or reminder that failed: the turns before it were billed too
            exc.cost_usd += totals.cost_usd
            raise
        model = client.spec(request.tier).model
        if turn.stop_reason == "refusal":
            details = getattr(turn.message, "stop_details", None)
            category = getattr(details, "category", None)
            raise ModelError(f"{model} refused to answer" + (f" ({category})" if category else ""),
                             totals.cost_usd, kind="refusal")
        if turn.stop_reason == "max_tokens":
            if retried:
                raise ModelError(f"{model}: the answer did not fit in max_tokens, also after one retry",
                                 totals.cost_usd, kind="truncated")
            retried, request = True, _roomier(client, budget, request)
            continue
        if request.tool and not turn.blocks("tool_use") and not reminded:
            reminded, request = True, _reminded(request, turn)
            continue
        return turn, totals


async def worst_case(client: ModelClient, request: Request) -> float:
    """USD the request can cost at most: counted input (+ margin) and the whole `max_tokens`."""
    spec = client.spec(request.tier)
    body = request.body(spec)
    counted = await client.count_tokens(request.tier, body)
    return spec.worst_case(math.ceil(counted * COUNT_MARGIN), body["max_tokens"], request.cached)


async def _turn(client: ModelClient, budget: Budget | None, request: Request, totals: Totals) -> Turn:
    body = request.body(client.spec(request.tier))
    capped = budget is not None and budget.max_cost is not None
    estimate = await worst_case(client, request) if capped else 0.0
    turn = await under_budget(budget, estimate, f"{request.tier.value} {request.what}",
                              lambda: client.send(request.tier, body))
    totals.add(turn)
    if budget is not None:
        budget.bill(turn.usage)
    return turn


def _roomier(client: ModelClient, budget: Budget | None, request: Request) -> Request:
    """Twice the room when the budget can still afford twice the output; else one effort level lower."""
    spec = client.spec(request.tier)
    size = request.body(spec)["max_tokens"]
    doubled = spec.worst_case(0, 2 * size, False)  # the retry's output allowance at the output rate
    if budget is None or budget.max_cost is None or budget.spent + doubled <= budget.max_cost:
        return replace(request, answer_tokens=request.answer_tokens + size)
    lower = EFFORTS[max(0, EFFORTS.index(request.effort) - 1)]
    return replace(request, effort=lower)


def _reminded(request: Request, turn: Turn) -> Request:
    """The conversation so far (the model's turn sent back unchanged, thinking blocks included) + a reminder."""
    said = [b.model_dump(exclude_none=True) for b in turn.message.content]
    messages = list(request.params["messages"])
    if turn.text.strip():
        messages.append({"role": "assistant", "content": said})
    messages.append({"role": "user", "content": f"Answer by calling the {request.tool} tool."})
    return replace(request, params={**request.params, "messages": messages})


async def under_budget(budget: Budget | None, estimate: float, what: str, call: Callable[[], Awaitable[R]]) -> R:
    """Run `call()` (one model call whose reply has `cost_usd`) under `budget` (None: uncapped, nothing
    counted). Raises OverBudget (nothing sent) or ModelError (sent and failed; any billed cost counted)."""
    if budget is not None and not budget.reserve(estimate):
        raise OverBudget(budget.refuse(what, estimate))
    try:
        reply = await call()
    except ModelError as exc:
        if budget is not None:
            budget.spend(exc.cost_usd)
        raise
    finally:
        if budget is not None:
            budget.release(estimate)
    if budget is not None:
        budget.spend(reply.cost_usd)
    return reply


def reply_of(turn: Turn, totals: Totals, tier: Tier, spec: TierSpec) -> dict[str, Any]:
    """The fields of a `ModelReply` for `turn`, with the usage and cost of every turn behind it."""
    return {"text": turn.text, "model": getattr(turn.message, "model", None) or spec.model, "tier": tier,
            **totals.usage, "cost_usd": totals.cost_usd, "stop_reason": turn.stop_reason, "calls": totals.calls}


async def budgeted_complete(client: ModelClient, budget: Budget | None, tier: Tier | str, system: str,
                            prompt: str, *, max_tokens: int | None = None, what: str = "the call",
                            effort: str = "low", schema: dict[str, Any] | None = None) -> ModelReply:
    """A text answer under `budget`; `max_tokens` is the answer's allowance (thinking comes on top).
    Unsized, the call's max_tokens is the tier's `max_output_tokens` (what plans estimate with). With a
    JSON `schema` the answer is structured output (`output_config.format`): JSON text matching it."""
    tier = Tier.parse(tier)
    answer = max_tokens or max(1, client.spec(tier).max_output_tokens - THINKING_ALLOWANCE[effort])
    params: dict[str, Any] = {"system": system, "messages": [{"role": "user", "content": prompt}]}
    if schema is not None:
        params["output_config"] = {"format": {"type": "json_schema", "schema": tool_use.closed(schema)}}
    request = Request(tier, params, answer, effort, what)
    turn, totals = await converse(client, budget, request)
    return ModelReply(**reply_of(turn, totals, tier, client.spec(tier)))


async def budgeted_tool_call(client: ModelClient, budget: Budget | None, tier: Tier | str, system: str,
                             context: str, prompt: str, tool: dict[str, Any], *, max_tokens: int | None = None,
                             what: str = "the call", effort: str = "medium") -> tool_use.ToolReply:
    """A structured answer (`tool_use.request`: strict tool, `tool_choice: auto`, `context` cached when it is
    long enough) under `budget`."""
    tier = Tier.parse(tier)
    params, cached = await tool_use.request(client, tier, system, context, prompt, tool)
    request = Request(tier, params, max_tokens or DEFAULT_ANSWER_TOKENS, effort, what, cached, tool["name"])
    turn, totals = await converse(client, budget, request)
    return tool_use.ToolReply(**reply_of(turn, totals, tier, client.spec(tier)),
                              input=tool_use.arguments(turn, tool["name"]))

"""One budget per run and the one way to call a model under it.

`Budget(max_cost)` is the run's spending cap in USD (None: no cap); `validate_max_cost` is the only place a
cap is checked, so the CLI, the editor, the workflows and the strategies reject the same values with the
same message. `under_budget` is the reserve → call → release → spend sequence every model call goes through:
the call's worst case is reserved first, so concurrent calls can never together exceed the cap; what the
call really cost replaces the reservation afterwards, also when it failed after being billed.
`budgeted_complete` (plain text; input estimated at ~3 characters per token plus a margin, the output cap
out) and `budgeted_tool_call` (tool use with a cached context block, priced with the cache multipliers)
are its two forms.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from empathy_os.llm import tool_use
from empathy_os.llm.client import ModelClient, ModelError, ModelReply
from empathy_os.llm.tiers import Tier

R = TypeVar("R")

PROMPT_MARGIN_TOKENS = 200  # the SDK's framing and our rounding; keeps the estimate an upper bound


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


class Budget:
    """The spending cap shared by every model call of one run (thread- and task-safe)."""

    def __init__(self, max_cost: float | None = None):
        self.max_cost = validate_max_cost(max_cost)
        self.spent = 0.0
        self.calls = 0
        self.stopped: str | None = None  # the first refusal, for the report
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

    def refuse(self, what: str, estimate: float) -> str:
        reason = (f"max cost ${self.max_cost or 0:.4f} reached: {what} would cost up to ${estimate:.4f} "
                  f"(spent ${self.spent:.4f})")
        if self.stopped is None:
            self.stopped = reason
        return reason


def worst_case(client: ModelClient, tier: Tier | str, system: str, prompt: str,
               max_tokens: int | None = None) -> float:
    spec = client.spec(tier)
    inputs = (len(system) + len(prompt)) // 3 + PROMPT_MARGIN_TOKENS
    return spec.cost(inputs, max_tokens or spec.max_output_tokens)


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


async def budgeted_complete(client: ModelClient, budget: Budget | None, tier: Tier | str, system: str,
                            prompt: str, *, max_tokens: int | None = None, what: str = "the call") -> ModelReply:
    """`client.complete` under `budget`."""
    tier = Tier.parse(tier)
    max_tokens = max_tokens or client.spec(tier).max_output_tokens
    estimate = worst_case(client, tier, system, prompt, max_tokens)
    return await under_budget(budget, estimate, f"{tier.value} {what}",
                              lambda: client.complete(tier, system, prompt, max_tokens=max_tokens))


async def budgeted_tool_call(client: ModelClient, budget: Budget | None, tier: Tier | str, system: str,
                             context: str, prompt: str, tool: dict[str, Any], *, max_tokens: int | None = None,
                             what: str = "the call") -> tool_use.ToolReply:
    """`tool_use.call_tool` (structured reply, cached `context`) under `budget`."""
    tier = Tier.parse(tier)
    spec = client.spec(tier)
    max_tokens = max_tokens or spec.max_output_tokens
    estimate = tool_use.worst_case(spec, tool_use.request_size(system, context, prompt, tool), max_tokens)
    return await under_budget(budget, estimate, f"{tier.value} {what}",
                              lambda: tool_use.call_tool(client, tier, system, context, prompt, tool, max_tokens))

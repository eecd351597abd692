"""The one budgeted model call: reservation before the call, real cost after, one cap check for everyone."""

from __future__ import annotations

import asyncio
import math

import pytest
from empathy_os.llm import (
    Budget,
    ModelClient,
    ModelError,
    OverBudget,
    Tier,
    budgeted_complete,
    validate_max_cost,
)
from empathy_os.llm.budgeted import Request, worst_case


async def plain_worst_case(client, tier, system="s", prompt="p"):
    request = Request(Tier.parse(tier), {"system": system, "messages": [{"role": "user", "content": prompt}]},
                      1024, "low", "the call")
    return await worst_case(client, request)


@pytest.mark.parametrize(("value", "expected"), [(None, None), (0, 0.0), ("0.5", 0.5), (3, 3.0)])
def test_valid_caps(value, expected):
    assert validate_max_cost(value) == expected


@pytest.mark.parametrize("value", [-0.01, "-1", math.nan, math.inf, "lots", True, [1]])
def test_invalid_caps_name_max_cost(value):
    with pytest.raises(ValueError, match="max_cost"):
        validate_max_cost(value)


async def test_call_is_charged_its_real_cost(fake_anthropic):
    fake_anthropic.script({"text": "ok", "input_tokens": 100, "output_tokens": 10})
    client, budget = ModelClient(), Budget(1.0)
    reply = await budgeted_complete(client, budget, Tier.CHEAP, "s", "p")
    assert budget.spent == pytest.approx(reply.cost_usd) and budget.calls == 1
    assert budget.reserve(1.0 - reply.cost_usd) and not budget.reserve(1e-6)  # reservation was released


async def test_over_budget_sends_nothing_and_says_why(fake_anthropic):
    client = ModelClient()
    cap = await plain_worst_case(client, Tier.PREMIUM) * 0.99
    budget = Budget(cap)
    with pytest.raises(OverBudget, match=r"max cost \$.* reached: PREMIUM the call would cost up to"):
        await budgeted_complete(client, budget, Tier.PREMIUM, "s", "p")
    assert fake_anthropic.requests == [] and budget.calls == 0 and budget.stopped
    assert fake_anthropic.counts  # the input was counted by the count-tokens endpoint


async def test_concurrent_calls_never_exceed_the_cap_together(fake_anthropic):
    fake_anthropic.default = {"sleep": 0.2, "text": "ok", "input_tokens": 10, "output_tokens": 10}
    client = ModelClient()
    one = await plain_worst_case(client, Tier.CHEAP)
    budget = Budget(one * 2.5)  # room for two worst cases, not three
    results = await asyncio.gather(*(budgeted_complete(client, budget, Tier.CHEAP, "s", "p") for _ in range(3)),
                                   return_exceptions=True)
    assert sum(isinstance(r, OverBudget) for r in results) == 1
    assert len(fake_anthropic.requests) == 2


async def test_failed_call_counts_and_releases(fake_anthropic):
    fake_anthropic.default = {"status": 500}
    budget = Budget(1.0)
    with pytest.raises(ModelError):
        await budgeted_complete(ModelClient(max_retries=0), budget, Tier.CHEAP, "s", "p")
    assert budget.calls == 1 and budget.reserve(1.0)

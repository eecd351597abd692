"""The model path against the strict fake Messages API (tests/fakes/anthropic_rules.py) through the real SDK:
valid requests for every tier, replies read by block type and stop_reason, budgets from counted tokens that
hold whatever the usage, per-model prices, caching from the minimum length on, transport errors retried on
the same tier, and a CAPABLE fix after a rejected CHEAP one."""

from __future__ import annotations

import time

import pytest
from empathy_os.changes.workflow import run_fix
from empathy_os.llm import (
    DEFAULT_TIERS,
    Budget,
    ModelClient,
    ModelError,
    OverBudget,
    Tier,
    budgeted_tool_call,
)
from empathy_os.llm.budgeted import THINKING_ALLOWANCE, Request, budgeted_complete, worst_case

from tests.unit.changes_helpers import copy_fixproj, edit

TOOL = {"name": "answer", "description": "Answer.", "input_schema": {
    "type": "object", "properties": {"a": {"type": "string"}, "tags": {"type": "array", "items": {
        "type": "object", "properties": {"t": {"type": "string"}}}}}, "required": ["a"]}}
CONTEXT = "Source files:\n" + "\n".join(f"pkg/module_{i}.py  def handler_{i}(request): ..." for i in range(120))
CALL = {"tool_use": {"name": "answer", "input": {"a": "yes"}}}


@pytest.mark.parametrize("tier", list(Tier))
async def test_every_tier_gets_a_request_its_model_accepts(fake_anthropic, tier):
    fake_anthropic.script(CALL, {"text": "plain"})
    client, budget = ModelClient(), Budget(5.0)
    reply = await budgeted_tool_call(client, budget, tier, "You answer.", CONTEXT, "Q?", TOOL)
    text = await budgeted_complete(client, budget, tier, "You answer.", "Q?", max_tokens=200)
    assert reply.input == {"a": "yes"} and text.text == "plain"
    assert fake_anthropic.rejected == []
    tool_req, text_req = fake_anthropic.requests
    assert tool_req["tool_choice"] == {"type": "auto"} and tool_req["tools"][0]["strict"] is True
    assert tool_req["output_config"] == {"effort": "medium"} and text_req["output_config"] == {"effort": "low"}
    assert text_req["max_tokens"] == 200 + THINKING_ALLOWANCE["low"]
    for req in (tool_req, text_req):
        assert not {"temperature", "top_p", "top_k", "thinking"} & set(req)
        assert req["messages"][-1]["role"] == "user"


async def test_a_json_schema_answer_is_structured_output(fake_anthropic):
    fake_anthropic.script({"text": '{"score": 3}'})
    schema = {"type": "object", "properties": {"score": {"type": "number"}}, "required": ["score"]}
    reply = await budgeted_complete(ModelClient(), Budget(1.0), Tier.CAPABLE, "s", "p", schema=schema)
    config = fake_anthropic.requests[0]["output_config"]
    assert reply.text == '{"score": 3}' and fake_anthropic.rejected == [] and config["effort"] == "low"
    assert config["format"] == {"type": "json_schema", "schema": {**schema, "additionalProperties": False}}


async def test_the_answer_is_read_by_block_type_after_the_thinking_block(fake_anthropic):
    fake_anthropic.script({"text": "the answer", "thinking_tokens": 50})
    reply = await ModelClient().complete(Tier.PREMIUM, "s", "p")
    assert reply.text == "the answer" and reply.stop_reason == "end_turn"
    # Unsized, a call asks for the tier's max_output_tokens: what plans estimate with is what is reserved.
    assert fake_anthropic.requests[0]["max_tokens"] == DEFAULT_TIERS[Tier.PREMIUM].max_output_tokens


async def test_max_tokens_gets_one_roomier_retry_and_both_calls_are_billed(fake_anthropic):
    fake_anthropic.script({"text": "long think", "thinking_tokens": 3000}, {"text": "done", "thinking_tokens": 3000})
    budget = Budget(1.0)
    reply = await budgeted_complete(ModelClient(), budget, Tier.CAPABLE, "s", "p", max_tokens=500)
    first, second = fake_anthropic.requests
    assert second["max_tokens"] == 2 * first["max_tokens"] and reply.text == "done" and reply.calls == 2
    spec = DEFAULT_TIERS[Tier.CAPABLE]
    assert reply.output_tokens == first["max_tokens"] + reply.output_tokens - first["max_tokens"]
    assert budget.spent == pytest.approx(reply.cost_usd) and reply.cost_usd > spec.cost(0, first["max_tokens"])


async def test_max_tokens_twice_is_a_truncation_not_an_escalation(fake_anthropic):
    fake_anthropic.default = {"text": "x", "thinking_tokens": 100_000}
    with pytest.raises(ModelError) as caught:
        await budgeted_complete(ModelClient(), Budget(5.0), Tier.CHEAP, "s", "p")
    assert caught.value.kind == "truncated" and len(fake_anthropic.requests) == 2
    first, second = fake_anthropic.requests
    spec = DEFAULT_TIERS[Tier.CHEAP]
    assert caught.value.cost_usd == pytest.approx(spec.cost(0, first["max_tokens"] + second["max_tokens"]), rel=0.1)


async def test_a_refusal_is_reported_and_not_retried(fake_anthropic):
    fake_anthropic.default = {"refusal": True}
    with pytest.raises(ModelError, match="refused") as caught:
        await budgeted_tool_call(ModelClient(), Budget(1.0), Tier.CHEAP, "s", CONTEXT, "p", TOOL)
    assert caught.value.kind == "refusal" and len(fake_anthropic.requests) == 1


async def test_no_tool_call_gets_one_reminder_turn_with_the_models_turn_sent_back(fake_anthropic):
    fake_anthropic.script({"text": "I think the answer is yes."}, CALL)
    reply = await budgeted_tool_call(ModelClient(), Budget(1.0), Tier.CAPABLE, "s", CONTEXT, "p", TOOL)
    assert reply.input == {"a": "yes"} and reply.calls == 2 and fake_anthropic.rejected == []
    turns = fake_anthropic.requests[1]["messages"]
    assert [m["role"] for m in turns] == ["user", "assistant", "user"]
    assert [b["type"] for b in turns[1]["content"]] == ["thinking", "text"]  # sent back unchanged
    assert turns[2]["content"] == "Answer by calling the answer tool."


async def test_no_tool_call_after_the_reminder_is_an_answer_without_input(fake_anthropic):
    fake_anthropic.default = {"text": "no"}
    reply = await budgeted_tool_call(ModelClient(), Budget(1.0), Tier.CHEAP, "s", CONTEXT, "p", TOOL)
    assert reply.input is None and len(fake_anthropic.requests) == 2


async def test_max_cost_holds_when_billed_usage_is_above_the_old_estimate(fake_anthropic):
    """The old estimate (characters ÷ 3 + 200) is below what the fake bills for code; counted input is not."""
    big = "\n".join(f"    value_{i} = compute(value_{i - 1}, {i}) * 3  # step" for i in range(1, 400))
    cap = 0.01
    budget, client = Budget(cap), ModelClient()
    fake_anthropic.default = CALL  # usage as the fake counts it
    replies, refused = [], None
    for i in range(40):
        try:  # a new context each time: every call writes the cache (the dearest input)
            replies.append(await budgeted_tool_call(client, budget, Tier.CHEAP, "s", f"{i}\n{big}", "p", TOOL))
        except OverBudget as exc:
            refused = exc
            break
    assert refused is not None and "max cost $0.0100 reached" in refused.reason
    assert budget.spent <= cap and budget.spent == pytest.approx(sum(r.cost_usd for r in replies))
    billed_input = replies[0].input_tokens + replies[0].cache_creation_input_tokens
    assert billed_input > len(big) / 3 + 200 and len(replies) >= 3


async def test_cost_uses_each_models_cache_rates_and_the_cache_only_from_its_minimum(fake_anthropic):
    client = ModelClient()
    fake_anthropic.default = CALL
    first = await budgeted_tool_call(client, None, Tier.CAPABLE, "s", CONTEXT, "p1", TOOL)
    second = await budgeted_tool_call(client, None, Tier.CAPABLE, "s", CONTEXT, "p2", TOOL)
    short = await budgeted_tool_call(client, None, Tier.CAPABLE, "s", "Task to classify:", "p3", TOOL)
    assert first.cache_creation_input_tokens >= 512 and first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert (short.cache_creation_input_tokens, short.cache_read_input_tokens) == (0, 0)
    assert "cache_control" not in fake_anthropic.requests[2]["system"][1]
    sonnet = DEFAULT_TIERS[Tier.CAPABLE]  # documented: $2 in, $10 out, $2.50 cache write, $0.20 cache read
    assert second.cost_usd == pytest.approx((second.input_tokens * 2.0 + second.output_tokens * 10.0
                                             + second.cache_read_input_tokens * 0.20) / 1e6)
    assert first.cost_usd == pytest.approx(sonnet.cost(first.input_tokens, first.output_tokens,
                                                       first.cache_creation_input_tokens, 0))
    assert (sonnet.cache_write_price, sonnet.cache_read_price) == (2.50, 0.20)


def test_haiku_prices_a_long_prompt_wholly_at_its_long_rates():
    haiku = DEFAULT_TIERS[Tier.CHEAP]
    assert haiku.cost(100_000, 1000) == pytest.approx((100_000 * 0.10 + 1000 * 0.50) / 1e6)
    assert haiku.cost(90_000, 1000, 0, 20_000) == pytest.approx((90_000 * 0.50 + 1000 * 2.50 + 20_000 * 0.05) / 1e6)
    assert haiku.worst_case(150_000, 1000, cached=True) == pytest.approx((150_000 * 0.625 + 1000 * 2.50) / 1e6)


async def test_429_is_retried_on_the_same_model_after_retry_after(fake_anthropic):
    fake_anthropic.script({"status": 429, "retry_after": 1}, {"status": 529}, {"text": "ok"})
    started = time.monotonic()
    reply = await ModelClient(max_retries=2).complete(Tier.CHEAP, "s", "p")
    assert reply.text == "ok" and time.monotonic() - started >= 1.0
    assert {r["model"] for r in fake_anthropic.requests} == {DEFAULT_TIERS[Tier.CHEAP].model}


@pytest.fixture
def fixproj(tmp_path):
    return copy_fixproj(tmp_path)


def proposal(diff: str) -> dict:
    return {"tool_use": {"name": "propose_change", "input": {"explanation": "fix", "diff": diff}}}


async def test_e722_is_fixed_by_capable_after_cheaps_answer_is_rejected(fixproj, fake_anthropic):
    p = "calc/parse.py"
    fake_anthropic.script(proposal(edit(fixproj, p, "    except:\n        return None",
                                        "    except ValueError:\n        return 0")),  # breaks a test
                          proposal(edit(fixproj, p, "    except:\n", "    except ValueError:\n")))
    report = await run_fix(fixproj, agents=["code_reviewer"], rules=["E722"], client=ModelClient(), max_cost=1.0)
    result = report.results[0]
    assert result.verdict.verified and result.change.tier == "CAPABLE"
    assert result.attempts[0].change.tier == "CHEAP" and result.attempts[0].verdict.reasons[0].startswith("tests: ")
    assert [r["model"] for r in fake_anthropic.requests] == ["claude-haiku-5-5", "claude-sonnet-5-5"]
    assert fake_anthropic.rejected == [] and len(fake_anthropic.counts) >= 2
    assert 0 < report.cost_usd <= 1.0
    usage = next(n for n in report.notes if n.startswith("model usage (billed): 2 call(s), "))
    assert "cache writes" in usage and "cache reads" in usage and f"${report.cost_usd:.4f}" in usage


async def test_a_transport_failure_never_buys_a_pricier_tier(fixproj, fake_anthropic):
    fake_anthropic.default = {"status": 529}
    report = await run_fix(fixproj, agents=["code_reviewer"], rules=["E722"],
                           client=ModelClient(max_retries=1), max_cost=1.0)
    assert report.results == []
    assert {r["model"] for r in fake_anthropic.requests} == {"claude-haiku-5-5"}
    assert len(fake_anthropic.requests) == 2  # the first try and the SDK's one retry


async def test_fix_under_max_cost_stops_before_the_call_that_could_exceed_it(fixproj, fake_anthropic):
    p = "calc/parse.py"
    fake_anthropic.default = proposal(edit(fixproj, p, "    except:\n        return None",
                                           "    except ValueError:\n        return 0"))  # always rejected
    report = await run_fix(fixproj, agents=["code_reviewer"], rules=["E722"], client=ModelClient(),
                           max_cost=0.01, attempts_per_tier=3)
    assert 0 < report.cost_usd <= 0.01 and fake_anthropic.rejected == []
    assert any(n.startswith("max cost $0.0100 reached: ") for n in report.notes)
    assert "claude-opus-5-5" not in {r["model"] for r in fake_anthropic.requests}


async def test_max_tokens_retry_lowers_the_effort_when_twice_the_room_is_not_affordable(fake_anthropic):
    fake_anthropic.script({"text": "long think", "thinking_tokens": 5000}, {"text": "done", "thinking_tokens": 100})
    client = ModelClient()
    request = Request(Tier.CHEAP, {"system": "s", "messages": [{"role": "user", "content": "p"}]}, 1024, "medium",
                      "the call")
    budget = Budget(await worst_case(client, request) * 2.5)  # the first call and one more, not twice the room
    reply = await budgeted_complete(client, budget, Tier.CHEAP, "s", "p", max_tokens=1024, effort="medium")
    first, second = fake_anthropic.requests
    assert first["output_config"]["effort"] == "medium" and second["output_config"]["effort"] == "low"
    assert reply.text == "done" and budget.spent <= budget.max_cost

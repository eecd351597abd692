"""The real anthropic SDK against the local fake server: retries, degraded results, exact cost."""

from __future__ import annotations

import pytest
from empathy_os.llm import ModelClient, ModelError, Tier, load_tier_table


async def test_cost_is_usage_times_price(fake_anthropic):
    fake_anthropic.script({"text": "hello", "input_tokens": 1234, "output_tokens": 567})
    client = ModelClient()
    reply = await client.complete(Tier.CAPABLE, "system", "prompt")
    assert reply.text == "hello"
    assert reply.model == "claude-sonnet-5-5"
    assert (reply.input_tokens, reply.output_tokens) == (1234, 567)
    assert reply.cost_usd == pytest.approx(1234 * 2.0 / 1e6 + 567 * 10.0 / 1e6, rel=0, abs=1e-12)
    sent = fake_anthropic.requests[-1]
    assert sent["model"] == "claude-sonnet-5-5" and sent["system"] == "system"


@pytest.mark.parametrize("status", [429, 500])
async def test_transient_errors_are_retried(fake_anthropic, status):
    fake_anthropic.script({"status": status}, {"text": "recovered", "input_tokens": 3, "output_tokens": 2})
    reply = await ModelClient().complete("CHEAP", "s", "p")
    assert reply.text == "recovered"
    assert len(fake_anthropic.requests) == 2


async def test_persistent_error_degrades_to_model_error(fake_anthropic):
    fake_anthropic.default = {"status": 500}
    with pytest.raises(ModelError, match="HTTP 500"):
        await ModelClient(max_retries=1).complete("CHEAP", "s", "p")
    assert len(fake_anthropic.requests) == 2


async def test_timeout_degrades_to_model_error(fake_anthropic):
    fake_anthropic.default = {"sleep": 2, "text": "late"}
    with pytest.raises(ModelError, match="timed out"):
        await ModelClient(timeout=0.3, max_retries=0).complete("CHEAP", "s", "p")


async def test_garbage_body_degrades_to_model_error(fake_anthropic):
    fake_anthropic.default = {"garbage": True}
    with pytest.raises(ModelError, match="unreadable"):
        await ModelClient(max_retries=0).complete("CHEAP", "s", "p")


def test_offline_client_is_not_configured(offline):
    assert not ModelClient().configured


def test_tier_table_overrides_from_project_and_env():
    table = load_tier_table(
        {"tiers": {"cheap": {"model": "claude-custom", "input_price": 1, "output_price": 2}}},
        env={"EMPATHY_PRICE_PREMIUM": "5,25"},
    )
    assert table[Tier.CHEAP].model == "claude-custom"
    assert table[Tier.CHEAP].cost(1_000_000, 1_000_000) == 3.0
    assert (table[Tier.PREMIUM].input_price, table[Tier.PREMIUM].output_price) == (5.0, 25.0)
    with pytest.raises(ValueError, match="input_price"):
        load_tier_table({"tiers": {"CHEAP": {"input_price": -1}}}, env={})
    with pytest.raises(ValueError, match="unknown tier"):
        load_tier_table({"tiers": {"GOLD": {}}}, env={})

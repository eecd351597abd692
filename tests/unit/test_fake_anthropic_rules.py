"""The strict fake follows the published docs for the 5.5 models: each rule here passes against it and fails
against the lenient fake (`strict=False`, the xfail(strict=True) half of every test), so a rule that stops
being enforced breaks a test. Requests go through the real anthropic SDK over HTTP."""

from __future__ import annotations

import anthropic
import pytest

from tests.fakes import anthropic_rules as rules
from tests.fakes.fake_anthropic import FakeAnthropic

MODELS = list(rules.MODELS)
TOOL = {"name": "answer", "description": "Answer.", "input_schema": {
    "type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"], "additionalProperties": False}}
BOTH = [True, pytest.param(False, marks=pytest.mark.xfail(strict=True, reason="the lenient fake lets it pass"))]
CODE = "def to_int(text):\n    try:\n        return int(text)\n    except:\n        return None\n" * 40


def _sdk(strict: bool):
    fake = FakeAnthropic(strict=strict).start()
    client = anthropic.Anthropic(api_key="sk-test-not-a-real-key", base_url=fake.url, max_retries=0)
    client.fake = fake
    return client


@pytest.fixture(params=BOTH, ids=["strict", "lenient"])
def sdk(request):
    client = _sdk(request.param)
    yield client
    client.close()
    client.fake.stop()


@pytest.fixture
def strict_sdk():
    client = _sdk(True)
    yield client
    client.close()
    client.fake.stop()


def create(sdk, model="claude-sonnet-5-5", **params):
    body = {"max_tokens": 4096, "messages": [{"role": "user", "content": "hi"}], **params}
    return sdk.messages.create(model=model, **body)


def rejected(sdk, model, **params) -> str:
    with pytest.raises(anthropic.BadRequestError) as caught:
        create(sdk, model, **params)
    return caught.value.body["error"]["message"]


@pytest.mark.parametrize("model", ["claude-sonnet-5-5", "claude-opus-5-5"])
@pytest.mark.parametrize("choice", [{"type": "tool", "name": "answer"}, {"type": "any"}])
def test_forced_tool_use_is_refused_by_sonnet_and_opus(sdk, model, choice):
    assert "forced tool use returns an error" in rejected(sdk, model, tools=[TOOL], tool_choice=choice)


def test_haiku_accepts_forced_tool_use_and_every_model_accepts_auto(strict_sdk):
    """The strict fake is not stricter than the docs."""
    create(strict_sdk, "claude-haiku-5-5", tools=[TOOL], tool_choice={"type": "tool", "name": "answer"})
    for model in MODELS:
        create(strict_sdk, model, tools=[TOOL], tool_choice={"type": "auto"})
    assert strict_sdk.fake.rejected == []


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("param", [{"temperature": 0.2}, {"top_p": 0.9}, {"top_k": 5}])
def test_sampling_parameters_are_refused(sdk, model, param):
    assert "sampling parameters are not supported" in rejected(sdk, model, extra_body=param)


@pytest.mark.parametrize("model", MODELS)
def test_thinking_budgets_are_refused_with_the_documented_message(sdk, model):
    message = rejected(sdk, model, thinking={"type": "enabled", "budget_tokens": 2048})
    assert message == ('"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" '
                       'and "output_config.effort" to control thinking behavior.')


@pytest.mark.parametrize("model", ["claude-sonnet-5-5", "claude-opus-5-5"])
def test_thinking_disabled_is_refused_by_sonnet_and_opus(sdk, model):
    assert rejected(sdk, model, thinking={"type": "disabled"}).startswith('"thinking.type.disabled" is not supported')


@pytest.mark.parametrize("model", MODELS)
def test_assistant_prefill_is_refused(sdk, model):
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "{"}]
    assert "prefill is not supported" in rejected(sdk, model, messages=messages)


def test_strict_schemas_must_be_closed(sdk):
    open_tool = {**TOOL, "strict": True, "input_schema": {"type": "object", "properties": {"a": {"type": "string"}}}}
    assert "additionalProperties must be set to false" in rejected(sdk, "claude-haiku-5-5", tools=[open_tool])
    fmt = {"format": {"type": "json_schema", "schema": {"type": "object", "properties": {}}}}
    assert "additionalProperties" in rejected(sdk, "claude-haiku-5-5", output_config=fmt)


def test_thinking_blocks_go_back_only_to_the_model_that_wrote_them(sdk):
    first = create(sdk, "claude-haiku-5-5")
    said = [b.model_dump(exclude_none=True) for b in first.content]
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": said},
                {"role": "user", "content": "and?"}]
    create(sdk, "claude-haiku-5-5", messages=messages)  # same model: fine
    assert "signature is not valid" in rejected(sdk, "claude-sonnet-5-5", messages=messages)


@pytest.mark.parametrize("model", MODELS)
def test_replies_start_with_a_thinking_block(sdk, model):
    sdk.fake.default = {"text": "the answer"}
    message = create(sdk, model)
    assert [b.type for b in message.content] == ["thinking", "text"]
    assert message.content[1].text == "the answer" and message.content[0].signature


def test_thinking_plus_answer_over_max_tokens_stops_at_max_tokens(sdk):
    sdk.fake.default = {"text": "the answer", "thinking_tokens": 3000}
    message = create(sdk, "claude-opus-5-5", max_tokens=2000)
    assert message.stop_reason == "max_tokens" and not any(b.type == "text" for b in message.content)
    assert message.usage.output_tokens == 2000


def test_refusal_is_a_stop_reason(sdk):
    sdk.fake.default = {"refusal": True, "text": "no"}
    message = create(sdk, "claude-haiku-5-5")
    assert message.stop_reason == "refusal" and message.stop_details.type == "refusal"


def test_usage_is_counted_like_the_newer_tokenizer_and_the_count_endpoint_agrees(sdk):
    sdk.fake.default = {"text": "ok"}
    messages = [{"role": "user", "content": CODE}]
    counted = sdk.messages.count_tokens(model="claude-haiku-5-5", messages=messages).input_tokens
    billed = create(sdk, "claude-haiku-5-5", messages=messages).usage.input_tokens
    assert billed == counted > len(CODE) / 3 + 200  # more than the old "characters ÷ 3 + margin" estimate


def test_a_breakpoint_caches_only_from_the_minimum_cacheable_length(sdk):
    sdk.fake.default = {"text": "ok"}

    def cached_call(context):
        system = [{"type": "text", "text": context, "cache_control": {"type": "ephemeral"}}]
        return create(sdk, "claude-sonnet-5-5", system=system).usage

    short = cached_call("Task to classify:")
    assert (short.cache_creation_input_tokens, short.cache_read_input_tokens) == (0, 0)
    first, second = cached_call(CODE), cached_call(CODE)
    assert first.cache_creation_input_tokens >= rules.MIN_CACHEABLE and first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens


def test_an_unknown_model_is_not_found(sdk):
    with pytest.raises(anthropic.NotFoundError):
        create(sdk, "claude-sonnet-9")

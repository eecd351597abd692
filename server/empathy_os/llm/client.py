"""The one place that talks to Claude, through the official `anthropic` SDK.

`ANTHROPIC_API_KEY` absent → `configured` is False and callers skip the model step (and say so).
`ANTHROPIC_BASE_URL` is honoured by the SDK itself (the tests point it at a local fake server).
Transport failures (408/409/429/5xx incl. 529 overloaded, timeouts) are retried by the SDK on the same model,
with exponential backoff that honours `retry-after`; what still fails surfaces as `ModelError` (kind
"transport") with a short reason, and no caller moves to a pricier tier on it. A 400 is a request the API
refuses (kind "invalid_request", with the API's own message). The key never appears in a message we produce.

A reply is read as the API sends it: content blocks by `type` (thinking blocks come first and are skipped),
usage priced at the model's documented rates (`TierSpec.cost`), `stop_reason` kept for the caller.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from empathy_os.llm.tiers import Tier, TierSpec, load_tier_table

if TYPE_CHECKING:
    import anthropic
# The SDK is imported on the first model call only: importing it costs about a second of CPU, which
# every offline run (and every cached re-run, issue 14) would otherwise pay at start-up.

USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


class ModelReply(BaseModel):
    text: str
    model: str
    tier: Tier
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cost_usd: float
    stop_reason: str | None = None
    calls: int = 1  # Messages API calls behind this reply (a max_tokens retry or a reminder turn add one)


class ModelError(Exception):
    """A model call that did not produce a usable answer; `reason` is safe to show.

    `kind`: transport (after the SDK's retries) | invalid_request (a 400) | refusal (stop_reason "refusal")
    | truncated (stop_reason "max_tokens" after the one retry) | unreadable | offline. None of them is a
    rejected answer, so none is a reason to escalate to a pricier tier."""

    def __init__(self, reason: str, cost_usd: float = 0.0, kind: str = "transport"):
        super().__init__(reason)
        self.reason = reason
        self.cost_usd = cost_usd
        self.kind = kind


class Turn(BaseModel):
    """One Messages API call: the SDK message, its billed usage and that usage's price."""

    model_config = {"arbitrary_types_allowed": True}

    message: Any
    usage: dict[str, int]
    cost_usd: float

    @property
    def stop_reason(self) -> str | None:
        return getattr(self.message, "stop_reason", None)

    def blocks(self, kind: str) -> list[Any]:
        return [b for b in self.message.content if getattr(b, "type", "") == kind]

    @property
    def text(self) -> str:
        return "".join(getattr(b, "text", "") for b in self.blocks("text"))


class ModelClient:
    def __init__(
        self,
        tiers: Mapping[Tier, TierSpec] | None = None,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
    ):
        self.tiers = dict(tiers or load_tier_table())
        self._api_key = api_key if api_key is not None else os.environ.get("ANTHROPIC_API_KEY") or None
        self._base_url = base_url
        self._timeout = timeout
        self._max_retries = max_retries
        self._client: anthropic.AsyncAnthropic | None = None
        self.prefix_tokens: dict[tuple[str, int], int] = {}  # (model, hash of a cacheable prefix) → tokens

    @property
    def configured(self) -> bool:
        return bool(self._api_key)

    def spec(self, tier: Tier | str) -> TierSpec:
        return self.tiers[Tier.parse(tier)]

    def _sdk(self) -> anthropic.AsyncAnthropic:
        if self._client is None:
            import anthropic

            self._client = anthropic.AsyncAnthropic(
                api_key=self._api_key,
                base_url=self._base_url,
                timeout=self._timeout,
                max_retries=self._max_retries,
            )
        return self._client

    async def complete(self, tier: Tier | str, system: str, prompt: str, max_tokens: int | None = None,
                       *, effort: str = "low") -> ModelReply:
        """One plain-text answer, no budget (see `budgeted_complete` for the budgeted form)."""
        from empathy_os.llm.budgeted import budgeted_complete

        return await budgeted_complete(self, None, tier, system, prompt, max_tokens=max_tokens, effort=effort)

    async def count_tokens(self, tier: Tier | str, params: Mapping[str, Any]) -> int:
        """Input tokens of a request with `params`, by the count-tokens endpoint (free; the model's tokenizer)."""
        body = {k: v for k, v in params.items() if k != "max_tokens"}
        result = await self._call(tier, lambda sdk, model: sdk.messages.count_tokens(model=model, **body))
        return int(result.input_tokens)

    async def send(self, tier: Tier | str, params: Mapping[str, Any]) -> Turn:
        """One Messages API call, its usage read and priced."""
        spec = self.spec(tier)
        message = await self._call(tier, lambda sdk, model: sdk.messages.create(model=model, **params))
        usage = getattr(message, "usage", None)
        if usage is None or not isinstance(getattr(message, "content", None), list):
            # A body that parsed as JSON but is not a Message (garbage) has no usage/content we can trust.
            raise ModelError(f"{spec.model}: unreadable response body", kind="unreadable")
        counts = {k: int(getattr(usage, k, 0) or 0) for k in USAGE_FIELDS}
        return Turn(message=message, usage=counts, cost_usd=spec.cost(*(counts[k] for k in USAGE_FIELDS)))

    async def _call(self, tier: Tier | str, request: Any) -> Any:
        if not self.configured:
            raise ModelError("no ANTHROPIC_API_KEY configured", kind="offline")
        import anthropic

        model = self.spec(tier).model
        try:
            return await request(self._sdk(), model)
        except anthropic.APITimeoutError:
            raise ModelError(f"{model}: timed out after {self._timeout:.0f}s") from None
        except anthropic.RateLimitError:
            raise ModelError(f"{model}: rate limited (429) after retries") from None
        except (anthropic.BadRequestError, anthropic.NotFoundError) as exc:
            raise ModelError(f"{model}: the API refused the request ({exc.status_code}): {_api_message(exc)}",
                             kind="invalid_request") from None
        except anthropic.APIStatusError as exc:
            raise ModelError(f"{model}: HTTP {exc.status_code} after retries") from None
        except anthropic.APIConnectionError:
            raise ModelError(f"{model}: could not connect to the Messages API") from None
        except (anthropic.APIResponseValidationError, ValueError):
            # ValueError covers a 200 whose body is not JSON at all (json.JSONDecodeError).
            raise ModelError(f"{model}: unreadable response body", kind="unreadable") from None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def _api_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return str(message or exc.message)[:300]

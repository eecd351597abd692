"""The one place that talks to Claude, through the official `anthropic` SDK.

`ANTHROPIC_API_KEY` absent → `configured` is False and callers skip the model step (and say so).
`ANTHROPIC_BASE_URL` is honoured by the SDK itself (the tests point it at a local fake server).
Failures (429, 5xx, timeouts, unparseable bodies) are retried by the SDK, then surface as `ModelError`
with a short reason; the key never appears in a message we produce.
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


class ModelReply(BaseModel):
    text: str
    model: str
    tier: Tier
    input_tokens: int
    output_tokens: int
    cost_usd: float


class ModelError(Exception):
    """A model call that did not produce a usable answer; `reason` is safe to show."""

    def __init__(self, reason: str, cost_usd: float = 0.0):
        super().__init__(reason)
        self.reason = reason
        self.cost_usd = cost_usd


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

    async def complete(
        self, tier: Tier | str, system: str, prompt: str, max_tokens: int | None = None
    ) -> ModelReply:
        tier = Tier.parse(tier)
        spec = self.tiers[tier]
        message = await self.create_message(
            tier,
            max_tokens=max_tokens or spec.max_output_tokens,
            system=system,
            messages=[{"role": "user", "content": prompt}],
        )
        return _reply(message, spec, tier)

    async def create_message(self, tier: Tier | str, **params: Any) -> Any:
        """One Messages API call with the tier's model and any other parameters (tools, cached system
        blocks, ...); SDK failures become `ModelError`. The raw SDK message is returned."""
        if not self.configured:
            raise ModelError("no ANTHROPIC_API_KEY configured")
        import anthropic

        spec = self.tiers[Tier.parse(tier)]
        try:
            return await self._sdk().messages.create(model=spec.model, **params)
        except anthropic.APITimeoutError:
            raise ModelError(f"{spec.model}: timed out after {self._timeout:.0f}s") from None
        except anthropic.RateLimitError:
            raise ModelError(f"{spec.model}: rate limited (429) after retries") from None
        except anthropic.APIStatusError as exc:
            raise ModelError(f"{spec.model}: HTTP {exc.status_code} after retries") from None
        except anthropic.APIConnectionError:
            raise ModelError(f"{spec.model}: could not connect to the Messages API") from None
        except (anthropic.APIResponseValidationError, ValueError):
            # ValueError covers a 200 whose body is not JSON at all (json.JSONDecodeError).
            raise ModelError(f"{spec.model}: unreadable response body") from None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def _reply(message: object, spec: TierSpec, tier: Tier) -> ModelReply:
    # A body that parsed as JSON but is not a Message (garbage) has no usage/content we can trust.
    usage = getattr(message, "usage", None)
    content = getattr(message, "content", None)
    if usage is None or not isinstance(content, list):
        raise ModelError(f"{spec.model}: unreadable response body")
    text = "".join(getattr(block, "text", "") for block in content if getattr(block, "type", "") == "text")
    inp, out = int(usage.input_tokens or 0), int(usage.output_tokens or 0)
    return ModelReply(
        text=text,
        model=getattr(message, "model", spec.model) or spec.model,
        tier=tier,
        input_tokens=inp,
        output_tokens=out,
        cost_usd=spec.cost(inp, out),
    )

"""One table maps tiers to Claude models, their documented prices (USD per million tokens) and limits.

The defaults come from Anthropic's published model pages (`DOCS_DATE`, `DOCS`); `empathy models` prints
them. Prices per model: input, output, 5-minute cache write, cache read; Haiku 5.5 prices a request above
100K input tokens wholly at its long-prompt rates ("Above 100k input tokens, the full request is priced at"
the higher rates); no long-prompt surcharge is documented for Sonnet 5.5 or Opus 5.5. Haiku 5.5's long-prompt
cache-write rate is from a third-party page (the model page gives none). Every 5.5 model caches a prefix
from 512 tokens on and writes up to 128K output tokens.

Overrides, later wins: the defaults below; the analysed project's `pyproject.toml`

    [tool.empathy.tiers.CHEAP]
    model = "claude-haiku-5-5"   # a documented model id brings its documented prices
    input_price = 0.10     # USD per million input tokens
    output_price = 0.50

and the environment: `EMPATHY_MODEL_<TIER>` (model id) and `EMPATHY_PRICE_<TIER>` ("in,out").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, ValidationError


class Tier(StrEnum):
    CHEAP = "CHEAP"
    CAPABLE = "CAPABLE"
    PREMIUM = "PREMIUM"

    @classmethod
    def parse(cls, value: Tier | str) -> Tier:
        if isinstance(value, Tier):
            return value
        try:
            return cls(str(value).strip().upper())
        except ValueError:
            names = ", ".join(t.value for t in cls)
            raise ValueError(f"unknown tier {value!r}: expected one of {names}") from None

    @property
    def rank(self) -> int:
        return list(Tier).index(self)


class Rates(BaseModel):
    """USD per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_write: float = Field(ge=0, description="5-minute cache write")
    cache_read: float = Field(ge=0)


class TierSpec(BaseModel):
    model: str = Field(min_length=1)
    input_price: float = Field(ge=0, description="USD per million input tokens")
    output_price: float = Field(ge=0, description="USD per million output tokens")
    cache_write_price: float = Field(ge=0, description="USD per million tokens written to the 5-minute cache")
    cache_read_price: float = Field(ge=0, description="USD per million tokens read from the cache")
    long_prompt_above: int | None = Field(default=None, gt=0, description="input tokens; above: `long_rates`")
    long_rates: Rates | None = None
    model_max_tokens: int = Field(default=128_000, gt=0, description="the model's max_tokens limit")
    # max_tokens of a call its caller does not size (the agents' judgement step; what plans estimate with):
    # a 1,024-token answer plus the low-effort thinking allowance (llm/budgeted.py).
    max_output_tokens: int = Field(default=2048, gt=0)
    min_cacheable_tokens: int = Field(default=512, gt=0)

    def rates(self, total_input: int) -> Rates:
        """The rates a request with `total_input` input tokens (uncached + cache write + cache read) pays."""
        if self.long_rates is not None and self.long_prompt_above is not None and total_input > self.long_prompt_above:
            return self.long_rates
        return Rates(input=self.input_price, output=self.output_price, cache_write=self.cache_write_price,
                     cache_read=self.cache_read_price)

    def cost(self, input_tokens: int, output_tokens: int, cache_write: int = 0, cache_read: int = 0) -> float:
        """USD of billed usage (the response's `usage` fields) at this model's documented rates."""
        r = self.rates(input_tokens + cache_write + cache_read)
        return (input_tokens * r.input + output_tokens * r.output + cache_write * r.cache_write
                + cache_read * r.cache_read) / 1_000_000

    def worst_case(self, input_tokens: int, max_tokens: int, cached: bool) -> float:
        """Upper bound of one call: every input token at the dearest input rate it can be billed at (a cache
        write when a breakpoint is set) and the whole `max_tokens` (thinking included) as output."""
        r = self.rates(input_tokens)
        per_input = max(r.input, r.cache_write) if cached else r.input
        return (input_tokens * per_input + max_tokens * r.output) / 1_000_000


DOCS_DATE = "2026-12-07"
DOCS = (
    "https://platform.claude.com/docs/en/models/haiku-5-5/overview",
    "https://platform.claude.com/docs/en/models/sonnet-5-5/whats-new-sonnet-5-5",
    "https://platform.claude.com/docs/en/models/opus-5-5/whats-new-opus-5-5",
    "https://platform.claude.com/docs/en/build-with-claude/prompt-caching",
)
DOCUMENTED: Mapping[str, TierSpec] = {
    "claude-haiku-5-5": TierSpec(
        model="claude-haiku-5-5", input_price=0.10, output_price=0.50, cache_write_price=0.125,
        cache_read_price=0.01, long_prompt_above=100_000,
        long_rates=Rates(input=0.50, output=2.50, cache_write=0.625, cache_read=0.05)),
    "claude-sonnet-5-5": TierSpec(model="claude-sonnet-5-5", input_price=2.0, output_price=10.0,
                                  cache_write_price=2.50, cache_read_price=0.20),
    "claude-opus-5-5": TierSpec(model="claude-opus-5-5", input_price=4.0, output_price=20.0,
                                cache_write_price=5.00, cache_read_price=0.20),
}
DEFAULT_TIERS: Mapping[Tier, TierSpec] = {
    Tier.CHEAP: DOCUMENTED["claude-haiku-5-5"],
    Tier.CAPABLE: DOCUMENTED["claude-sonnet-5-5"],
    Tier.PREMIUM: DOCUMENTED["claude-opus-5-5"],
}


def load_tier_table(
    project_settings: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[Tier, TierSpec]:
    """The effective table: defaults, then `[tool.empathy.tiers]`, then the environment."""
    env = os.environ if env is None else env
    table = {tier: spec.model_copy() for tier, spec in DEFAULT_TIERS.items()}
    overrides = (project_settings or {}).get("tiers") or {}
    if not isinstance(overrides, Mapping):
        raise ValueError("[tool.empathy.tiers] must be a table of tiers")  # noqa: TRY004 - bad input
    for name, values in overrides.items():
        tier = Tier.parse(name)
        if not isinstance(values, Mapping):
            raise ValueError(f"[tool.empathy.tiers.{name}] must be a table")  # noqa: TRY004 - bad input
        table[tier] = _validated(table[tier], dict(values), f"[tool.empathy.tiers.{name}]")
    for tier in Tier:
        update: dict[str, Any] = {}
        if model := env.get(f"EMPATHY_MODEL_{tier.value}"):
            update["model"] = model
        if prices := env.get(f"EMPATHY_PRICE_{tier.value}"):
            try:
                inp, out = (float(p) for p in prices.split(","))
            except ValueError:
                raise ValueError(f"EMPATHY_PRICE_{tier.value} must be 'input,output' in USD/Mtok") from None
            update.update(input_price=inp, output_price=out)
        if update:
            table[tier] = _validated(table[tier], update, f"EMPATHY_*_{tier.value}")
    return table


def _validated(spec: TierSpec, update: dict[str, Any], where: str) -> TierSpec:
    """`spec` with `update`; a documented model id brings its documented row unless prices are given too."""
    if (row := DOCUMENTED.get(str(update.get("model")))) is not None:
        spec = row
    try:
        return TierSpec.model_validate({**spec.model_dump(), **update})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{where}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None

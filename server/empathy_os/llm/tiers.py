"""One table maps tiers to Claude models and their prices (USD per million tokens).

Overrides, later wins: the defaults below; the analysed project's `pyproject.toml`

    [tool.empathy.tiers.CHEAP]
    model = "claude-haiku-5-5"
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


class TierSpec(BaseModel):
    model: str = Field(min_length=1)
    input_price: float = Field(ge=0, description="USD per million input tokens")
    output_price: float = Field(ge=0, description="USD per million output tokens")
    max_output_tokens: int = Field(default=1024, gt=0)

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_price + output_tokens * self.output_price) / 1_000_000


DEFAULT_TIERS: Mapping[Tier, TierSpec] = {
    Tier.CHEAP: TierSpec(model="claude-haiku-5-5", input_price=0.10, output_price=0.50),
    Tier.CAPABLE: TierSpec(model="claude-sonnet-5-5", input_price=2.0, output_price=10.0),
    Tier.PREMIUM: TierSpec(model="claude-opus-5-5", input_price=4.0, output_price=20.0),
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
    try:
        return TierSpec.model_validate({**spec.model_dump(), **update})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{where}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
